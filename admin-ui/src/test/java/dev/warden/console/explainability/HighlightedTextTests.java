package dev.warden.console.explainability;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class HighlightedTextTests {

	@Test
	void segmentsAreExactlyTheOriginalTextWithTokensAtTheirOffsets() {
		String text = "  Free  money\n<now>!";
		HighlightedText highlighted = HighlightedText.of(text,
				List.of(new HighlightedText.Token("money", 8, 13, -0.2, false),
						new HighlightedText.Token("free", 2, 6, 0.4, true),
						new HighlightedText.Token("<now>", 14, 19, 0.1, false)));

		assertThat(highlighted.segments()).extracting(HighlightedText.Segment::text)
			.containsExactly("  ", "Free", "  ", "money", "\n", "<now>", "!");
		assertThat(String.join("", highlighted.segments().stream().map(HighlightedText.Segment::text).toList()))
			.isEqualTo(text);
		assertThat(highlighted.segments()).filteredOn(HighlightedText.Segment::token)
			.extracting(HighlightedText.Segment::start, HighlightedText.Segment::end, HighlightedText.Segment::cssClass)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(2, 6, "attr-pos-5 shared-bucket"),
					org.assertj.core.groups.Tuple.tuple(8, 13, "attr-neg-3"),
					org.assertj.core.groups.Tuple.tuple(14, 19, "attr-pos-2"));
		assertThat(highlighted.skipped()).isZero();
	}

	@Test
	void tokensThatCannotBePlacedAreSkippedAndTheTextStaysWhole() {
		String text = "ab 🎉 cd";
		HighlightedText highlighted = HighlightedText.of(text, List.of(new HighlightedText.Token("ab", 0, 2, 1, false),
				// overlaps "ab"
				new HighlightedText.Token("b", 1, 2, 1, false),
				// empty and reversed
				new HighlightedText.Token("x", 4, 4, 1, false), new HighlightedText.Token("y", 5, 3, 1, false),
				// past the end
				new HighlightedText.Token("cd", 6, 99, 1, false),
				// splits the emoji's surrogate pair
				new HighlightedText.Token("half", 3, 4, 1, false), new HighlightedText.Token("🎉", 3, 5, 1, false)));

		assertThat(highlighted.skipped()).isEqualTo(5);
		assertThat(String.join("", highlighted.segments().stream().map(HighlightedText.Segment::text).toList()))
			.isEqualTo(text);
		assertThat(highlighted.segments()).filteredOn(HighlightedText.Segment::token)
			.extracting(HighlightedText.Segment::text)
			.containsExactly("ab", "🎉");
	}

	@Test
	void intensityIsRelativeToTheLargestAttribution() {
		assertThat(HighlightedText.cssClass(new HighlightedText.Token("t", 0, 1, 0.5, false), 0.5))
			.isEqualTo("attr-pos-5");
		assertThat(HighlightedText.cssClass(new HighlightedText.Token("t", 0, 1, -0.25, false), 0.5))
			.isEqualTo("attr-neg-3");
		assertThat(HighlightedText.cssClass(new HighlightedText.Token("t", 0, 1, 0.0001, false), 0.5))
			.isEqualTo("attr-pos-1");
		assertThat(HighlightedText.cssClass(new HighlightedText.Token("t", 0, 1, 0, true), 0.5))
			.isEqualTo("attr-zero shared-bucket");
		assertThat(HighlightedText.cssClass(new HighlightedText.Token("t", 0, 1, Double.NaN, false), 0.5))
			.isEqualTo("attr-zero");
	}

}
