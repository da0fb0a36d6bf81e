package dev.warden.console.explainability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A text with its tokens' attributions, as a sequence of segments that together are
 * exactly the original text: a token's span (its {@code start} and {@code end} offsets,
 * counted in UTF-16 code units as Java strings count them) becomes a highlighted segment
 * whose colour says the sign and whose intensity (one of {@value #LEVELS} levels,
 * relative to the largest |attribution| of the text) says the magnitude; the text between
 * tokens stays plain. Tokens whose offsets fall outside the text, are empty or overlap an
 * earlier token are not highlighted and are counted in {@link #skipped()}.
 *
 * @param segments the text, in order
 * @param skipped how many tokens could not be placed
 */
record HighlightedText(List<Segment> segments, int skipped) {

	static final int LEVELS = 5;

	static HighlightedText of(String text, List<Token> tokens) {
		double max = tokens.stream()
			.mapToDouble((token) -> Double.isFinite(token.attribution()) ? Math.abs(token.attribution()) : 0)
			.max()
			.orElse(0);
		List<Token> ordered = new ArrayList<>(tokens);
		ordered.sort(Comparator.comparingInt(Token::start).thenComparingInt(Token::end));
		List<Segment> segments = new ArrayList<>();
		int position = 0;
		int skipped = 0;
		for (Token token : ordered) {
			if (token.start() < position || token.end() <= token.start() || token.end() > text.length()
					|| splitsSurrogatePair(text, token.start()) || splitsSurrogatePair(text, token.end())) {
				skipped++;
				continue;
			}
			if (token.start() > position) {
				segments.add(Segment.plain(text.substring(position, token.start())));
			}
			segments
				.add(new Segment(text.substring(token.start(), token.end()), true, cssClass(token, max), title(token),
						Figures.format(token.attribution()), token.start(), token.end(), token.sharedBucket()));
			position = token.end();
		}
		if (position < text.length()) {
			segments.add(Segment.plain(text.substring(position)));
		}
		return new HighlightedText(segments, skipped);
	}

	private static boolean splitsSurrogatePair(String text, int offset) {
		return offset > 0 && offset < text.length() && Character.isHighSurrogate(text.charAt(offset - 1))
				&& Character.isLowSurrogate(text.charAt(offset));
	}

	/**
	 * {@code attr-pos-<level>} or {@code attr-neg-<level>}, level 1 (faint) to
	 * {@value #LEVELS} (the largest |attribution|); {@code attr-zero} for none; plus
	 * {@code shared-bucket} for a token that shares its hash bucket.
	 */
	static String cssClass(Token token, double max) {
		double value = Double.isFinite(token.attribution()) ? token.attribution() : 0;
		String css;
		if (value == 0 || max <= 0) {
			css = "attr-zero";
		}
		else {
			int level = (int) Math.ceil(Math.abs(value) / max * LEVELS);
			level = Math.max(1, Math.min(LEVELS, level));
			css = ((value > 0) ? "attr-pos-" : "attr-neg-") + level;
		}
		return token.sharedBucket() ? css + " shared-bucket" : css;
	}

	private static String title(Token token) {
		String title = token.token() + ": " + Figures.format(token.attribution());
		return token.sharedBucket() ? title + " (shares a hash bucket with other tokens)" : title;
	}

	/**
	 * A token of an explanation.
	 *
	 * @param token the token as the model saw it
	 * @param start offset of its first character in the original text
	 * @param end offset after its last character
	 * @param attribution its attribution
	 * @param sharedBucket whether other tokens fall into the same hash bucket
	 */
	record Token(String token, int start, int end, double attribution, boolean sharedBucket) {
	}

	/**
	 * A piece of the original text.
	 *
	 * @param text the piece, exactly as in the original
	 * @param token whether it is a token's span
	 * @param cssClass its highlight classes (tokens only)
	 * @param title the token and its attribution (tokens only)
	 * @param attribution the attribution as text (tokens only)
	 * @param start the span's start (tokens only)
	 * @param end the span's end (tokens only)
	 * @param sharedBucket whether the token shares its hash bucket
	 */
	record Segment(String text, boolean token, String cssClass, String title, String attribution, int start, int end,
			boolean sharedBucket) {

		static Segment plain(String text) {
			return new Segment(text, false, null, null, null, -1, -1, false);
		}

	}

}
