package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds where each token of Warden's reference text tokenisation
 * ({@value ExplainContract#WARDEN_TEXT_TOKENIZER}, the spam model's in-graph
 * preprocessing) comes from in the caller's original text.
 *
 * <p>
 * The graph cuts a text to its first {@code maxChars} characters (code points),
 * lower-cases it, replaces URLs, e-mail addresses, numbers, {@code !} and {@code $} by
 * the tokens {@code xxurl}, {@code xxemail}, {@code xxnum}, {@code xxbang} and
 * {@code xxdollar}, turns every other character that is not a letter, digit or white
 * space into a space, splits on white space and keeps the first {@code maxTokens} tokens.
 * This class replays the same steps in Java while carrying, for every character, the span
 * of the original text it came from; a token's span runs from its first character's start
 * to its last character's end (for {@code xxnum}, the digits it replaced). The graph's
 * regular expressions are RE2's; their Java equivalents below spell RE2's {@code \s}
 * (which is {@code [\t\n\f\r ]}) out.
 *
 * <p>
 * The replay is checked, not trusted: {@link #locate} returns spans only when its tokens
 * are exactly the ones the model itself produced for the text.
 */
final class TextTokens {

	private static final String SPACE = "\\t\\n\\f\\r ";

	private static final List<Rule> RULES = List.of(new Rule("(https?://|www\\.)[^" + SPACE + "]*", " xxurl "),
			new Rule("[\\p{L}\\p{N}._%+-]+@[\\p{L}\\p{N}.-]+", " xxemail "), new Rule("\\p{N}+", " xxnum "),
			new Rule("!", " xxbang "), new Rule("\\$", " xxdollar "), new Rule("[^\\p{L}\\p{N}" + SPACE + "]+", " "));

	private TextTokens() {
	}

	/**
	 * A token and the span {@code [start, end)} of the original text (UTF-16 indices, as
	 * Java and JavaScript count) it comes from.
	 */
	record Span(String token, int start, int end) {
	}

	/**
	 * The span of every token, if the replay gives exactly {@code modelTokens}; otherwise
	 * null.
	 */
	static List<Span> locate(String text, List<String> modelTokens, int maxChars, int maxTokens) {
		List<Span> spans = tokenize(text, maxChars, maxTokens);
		if (spans.size() != modelTokens.size()) {
			return null;
		}
		for (int i = 0; i < spans.size(); i++) {
			if (!spans.get(i).token().equals(modelTokens.get(i))) {
				return null;
			}
		}
		return spans;
	}

	/** The replay of the model's tokenisation, with spans. */
	static List<Span> tokenize(String text, int maxChars, int maxTokens) {
		int windowEnd = text.codePointCount(0, text.length()) > maxChars ? text.offsetByCodePoints(0, maxChars)
				: text.length();
		Chars chars = lowered(text.substring(0, windowEnd));
		for (Rule rule : RULES) {
			chars = rule.apply(chars);
		}
		List<Span> spans = new ArrayList<>();
		int i = 0;
		int n = chars.text.length();
		while (i < n && spans.size() < maxTokens) {
			while (i < n && isSpace(chars.text.charAt(i))) {
				i++;
			}
			if (i == n) {
				break;
			}
			int first = i;
			while (i < n && !isSpace(chars.text.charAt(i))) {
				i++;
			}
			spans.add(new Span(chars.text.substring(first, i), chars.start[first], chars.end[i - 1]));
		}
		return spans;
	}

	private static boolean isSpace(char c) {
		return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '\u000B';
	}

	/**
	 * Lower-cased, every character knowing its span in the original: one to one when
	 * lower-casing keeps the length (nearly always), otherwise code point by code point.
	 */
	private static Chars lowered(String window) {
		String whole = window.toLowerCase(Locale.ROOT);
		if (whole.length() == window.length()) {
			int[] start = new int[whole.length()];
			int[] end = new int[whole.length()];
			for (int i = 0; i < start.length; i++) {
				boolean high = Character.isHighSurrogate(window.charAt(i)) && i + 1 < window.length()
						&& Character.isLowSurrogate(window.charAt(i + 1));
				boolean low = Character.isLowSurrogate(window.charAt(i)) && i > 0
						&& Character.isHighSurrogate(window.charAt(i - 1));
				start[i] = low ? i - 1 : i;
				end[i] = high ? i + 2 : i + 1;
			}
			return new Chars(whole, start, end);
		}
		StringBuilder text = new StringBuilder();
		List<int[]> spans = new ArrayList<>();
		for (int i = 0; i < window.length();) {
			int cp = window.codePointAt(i);
			int next = i + Character.charCount(cp);
			String lower = new String(Character.toChars(cp)).toLowerCase(Locale.ROOT);
			for (int k = 0; k < lower.length(); k++) {
				spans.add(new int[] { i, next });
			}
			text.append(lower);
			i = next;
		}
		int[] start = new int[spans.size()];
		int[] end = new int[spans.size()];
		for (int k = 0; k < start.length; k++) {
			start[k] = spans.get(k)[0];
			end[k] = spans.get(k)[1];
		}
		return new Chars(text.toString(), start, end);
	}

	/** A text and, per character, the span of the original it stands for. */
	private record Chars(String text, int[] start, int[] end) {
	}

	private record Rule(Pattern pattern, String rewrite) {

		Rule(String regex, String rewrite) {
			this(Pattern.compile(regex), rewrite);
		}

		Chars apply(Chars in) {
			Matcher matcher = pattern.matcher(in.text());
			StringBuilder out = new StringBuilder(in.text().length());
			int[] start = new int[in.text().length() * 2 + 16];
			int[] end = new int[start.length];
			int length = 0;
			int copied = 0;
			while (matcher.find()) {
				for (int i = copied; i < matcher.start(); i++) {
					if (length == start.length) {
						start = java.util.Arrays.copyOf(start, length * 2);
						end = java.util.Arrays.copyOf(end, length * 2);
					}
					out.append(in.text().charAt(i));
					start[length] = in.start()[i];
					end[length++] = in.end()[i];
				}
				int from = in.start()[matcher.start()];
				int to = in.end()[matcher.end() - 1];
				for (int k = 0; k < rewrite.length(); k++) {
					if (length == start.length) {
						start = java.util.Arrays.copyOf(start, length * 2);
						end = java.util.Arrays.copyOf(end, length * 2);
					}
					out.append(rewrite.charAt(k));
					start[length] = from;
					end[length++] = to;
				}
				copied = matcher.end();
			}
			for (int i = copied; i < in.text().length(); i++) {
				if (length == start.length) {
					start = java.util.Arrays.copyOf(start, length * 2);
					end = java.util.Arrays.copyOf(end, length * 2);
				}
				out.append(in.text().charAt(i));
				start[length] = in.start()[i];
				end[length++] = in.end()[i];
			}
			return new Chars(out.toString(), java.util.Arrays.copyOf(start, length),
					java.util.Arrays.copyOf(end, length));
		}

	}

}
