package dev.warden.worker.explain;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import dev.warden.worker.explain.TextTokens.Span;

import org.junit.jupiter.api.Test;

class TextTokensTests {

	@Test
	void replacedTokensSpanTheCharactersTheyReplaced() {
		assertThat(TextTokens.tokenize("Abc123def", 100, 100)).containsExactly(new Span("abc", 0, 3),
				new Span("xxnum", 3, 6), new Span("def", 6, 9));
		// a URL runs to the next white space, "!" included
		assertThat(TextTokens.tokenize("Visit www.x.com/a?b=1! Now !", 100, 100)).containsExactly(
				new Span("visit", 0, 5), new Span("xxurl", 6, 22), new Span("now", 23, 26), new Span("xxbang", 27, 28));
		assertThat(TextTokens.tokenize("mail bob.s@ex.org for $5", 100, 100)).containsExactly(new Span("mail", 0, 4),
				new Span("xxemail", 5, 17), new Span("for", 18, 21), new Span("xxdollar", 22, 23),
				new Span("xxnum", 23, 24));
		assertThat(TextTokens.tokenize("don't -- e-mail", 100, 100)).containsExactly(new Span("don", 0, 3),
				new Span("t", 4, 5), new Span("e", 9, 10), new Span("mail", 11, 15));
	}

	@Test
	void spansAreUtf16IndicesIntoTheOriginalTextAlsoAroundSurrogatesAndCaseChanges() {
		String text = "Naïve 😀CAFÉ\tΟΔΟΣ";
		List<Span> spans = TextTokens.tokenize(text, 100, 100);
		assertThat(spans).extracting(Span::token).containsExactly("naïve", "café", "οδος");
		for (Span span : spans) {
			assertThat(text.substring(span.start(), span.end()).toLowerCase(java.util.Locale.ROOT))
				.isEqualTo(span.token());
		}
		// İ lower-cases to two characters (i and a combining dot, which is not a letter)
		assertThat(TextTokens.tokenize("İstanbul x", 100, 100)).containsExactly(new Span("i", 0, 1),
				new Span("stanbul", 1, 8), new Span("x", 9, 10));
	}

	@Test
	void theModelsWindowOfCharactersAndTokensIsRespected() {
		assertThat(TextTokens.tokenize("ab cd ef", 4, 100)).extracting(Span::token).containsExactly("ab", "c");
		// the window counts code points: the emoji is one
		assertThat(TextTokens.tokenize("😀ab cd", 3, 100)).containsExactly(new Span("ab", 2, 4));
		assertThat(TextTokens.tokenize("a b c d", 100, 2)).extracting(Span::token).containsExactly("a", "b");
	}

	@Test
	void spansAreGivenOnlyWhenTheReplayGivesTheModelsOwnTokens() {
		assertThat(TextTokens.locate("Hello, World", List.of("hello", "world"), 100, 100)).hasSize(2);
		assertThat(TextTokens.locate("Hello, World", List.of("hello", "world!"), 100, 100)).isNull();
		assertThat(TextTokens.locate("Hello, World", List.of("hello"), 100, 100)).isNull();
	}

}
