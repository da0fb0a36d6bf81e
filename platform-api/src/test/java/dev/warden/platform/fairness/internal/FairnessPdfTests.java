package dev.warden.platform.fairness.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.List;

import com.lowagie.text.pdf.PdfReader;
import com.lowagie.text.pdf.parser.PdfTextExtractor;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.fairness.internal.FairnessAnalysis.Settings;
import dev.warden.platform.fairness.internal.FairnessPdf.Threshold;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class FairnessPdfTests {

	private static final FairnessPdf.Header HEADER = new FairnessPdf.Header("4f1c2d7e-report", "income", "3",
			"ab12cd34ef56", "adult_validation", "9b0e-dataset", "77aa88bb99cc", 0.5, 42, "0.1.0-SNAPSHOT",
			"2026-01-02T03:04:05Z", "feedc0ffee");

	private static final List<Threshold> THRESHOLDS = List.of(new Threshold("four_fifths", null, 0.8, null),
			new Threshold("equal_opportunity_difference", "sex", -0.1, 0.1),
			new Threshold("theil_index", null, null, 0.05));

	private static ObjectNode content() {
		return FairnessAnalysis.analyse(
				FairnessTestData.tally(FairnessTestData.syntheticAttributes(), FairnessTestData.synthetic(5, 3000)),
				new Settings(42, 100, 0.95, 30, 10, 2));
	}

	@Test
	void rendersARealReportToAPdfThatParsesAndNamesTheGroupsAndThresholds() throws IOException {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		FairnessPdf.render(HEADER, content(), THRESHOLDS, out);
		byte[] pdf = out.toByteArray();
		assertThat(new String(pdf, 0, 5, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("%PDF-");

		PdfReader reader = new PdfReader(pdf);
		assertThat(reader.getNumberOfPages()).isGreaterThan(1);
		PdfTextExtractor extractor = new PdfTextExtractor(reader);
		StringBuilder text = new StringBuilder();
		for (int page = 1; page <= reader.getNumberOfPages(); page++) {
			text.append(extractor.getTextFromPage(page)).append('\n');
		}
		reader.close();
		// table cells wrap their text: compare with the line breaks as spaces
		String all = text.toString().replaceAll("\\s+", " ");
		assertThat(all).contains("Fairness report: income version 3", "ab12cd34ef56", "adult_validation",
				"77aa88bb99cc", "4f1c2d7e-report", "0.1.0-SNAPSHOT", "feedc0ffee", "2026-01-02T03:04:05Z");
		assertThat(all).contains("Female", "Male", "Asian", "Pacific", "25 to <60", ">=60", "(not a number)",
				"Female × 25 to <60");
		assertThat(all).contains("Thresholds", "four_fifths", ">= 0.8", "equal_opportunity_difference", "-0.1 to 0.1",
				"theil_index", "<= 0.05");
		assertThat(all).contains("Definitions", "statistical_parity_difference", "29 CFR 1607.4(D)", "opposite sign");
		assertThat(all).contains("suppressed");
	}

	@Test
	void theRenderingIntoBytesIsTheSameDocument() {
		byte[] pdf = FairnessPdf.render(HEADER, content(), List.of());
		assertThat(pdf.length).isGreaterThan(1000);
	}

	@Test
	void thresholdsBecomeLinesOnTheSelectionRateAndTprScales() {
		JsonNode sex = FairnessAnalysisTests.attribute(content(), "sex");
		double male = FairnessAnalysisTests.group(sex, "Male")
			.path("metrics")
			.path("selection_rate")
			.path("value")
			.asDouble();
		double female = FairnessAnalysisTests.group(sex, "Female")
			.path("metrics")
			.path("selection_rate")
			.path("value")
			.asDouble();
		double maleTpr = FairnessAnalysisTests.group(sex, "Male").path("metrics").path("tpr").path("value").asDouble();
		List<FairnessPdf.Line> lines = FairnessPdf.lines(sex,
				List.of(new Threshold("four_fifths", null, 0.8, null),
						new Threshold("disparate_impact_ratio", "race", 0.8, null),
						new Threshold("equal_opportunity_difference", "sex", -0.1, 0.1),
						new Threshold("theil_index", null, null, 0.1)));
		assertThat(lines).hasSize(3);
		assertThat(lines.get(0).at()).isCloseTo(0.8 * Math.max(male, female), within(1e-12));
		assertThat(lines.get(0).tpr()).isFalse();
		assertThat(lines.get(0).label()).startsWith("four_fifths >= 0.8");
		assertThat(lines.get(1).at()).isCloseTo(maleTpr - 0.1, within(1e-12));
		assertThat(lines.get(1).tpr()).isTrue();
		assertThat(lines.get(2).at()).isCloseTo(maleTpr + 0.1, within(1e-12));
	}

	@Test
	void textIsKeptToWhatTheStandardFontShows() {
		assertThat(FairnessPdf.text("s_g − s_ref ≥ 0, Male × White")).isEqualTo("s_g - s_ref >= 0, Male × White");
		assertThat(FairnessPdf.text("女性")).isEqualTo("??");
		assertThat(FairnessPdf.metric(content().path("theil_index"))).matches("0\\.\\d+ \\[0\\.\\d+, 0\\.\\d+\\]");
	}

	@Test
	void aThresholdNeedsALimit() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Threshold("four_fifths", null, null, null))
			.withMessageContaining("needs a min, a max or both");
		assertThatIllegalArgumentException().isThrownBy(() -> new Threshold(" ", null, 0.8, null));
	}

}
