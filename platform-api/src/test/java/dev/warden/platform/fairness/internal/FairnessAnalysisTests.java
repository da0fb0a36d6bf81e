package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.fairness.internal.FairnessAnalysis.Settings;
import dev.warden.platform.fairness.internal.RowByRowFairness.Attribute;
import dev.warden.platform.fairness.internal.RowByRowFairness.Row;

import static dev.warden.platform.fairness.internal.FairnessTestData.add;
import static dev.warden.platform.fairness.internal.FairnessTestData.assertAllFinite;
import static dev.warden.platform.fairness.internal.FairnessTestData.assertMatchesRowByRow;
import static dev.warden.platform.fairness.internal.FairnessTestData.tally;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * The engine's point values against the row-by-row recomputation
 * ({@link RowByRowFairness}), on a synthetic data set and on hand-made edge cases.
 */
class FairnessAnalysisTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<Attribute> SEX_RACE = List.of(new Attribute("sex", "Male", null),
			new Attribute("race", "White", null));

	@Test
	void syntheticDataSetMatchesTheRowByRowRecomputation() {
		List<Attribute> attributes = FairnessTestData.syntheticAttributes();
		List<Row> rows = FairnessTestData.synthetic(20240611L, 4000);
		Settings settings = new Settings(42, 50, 0.95, 30, 10, 3);
		ObjectNode content = FairnessAnalysis.analyse(tally(attributes, rows), settings);

		assertMatchesRowByRow(content, attributes, rows, settings);
		assertAllFinite(content);
		List<String> names = new ArrayList<>();
		content.path("attributes").forEach((node) -> names.add(node.path("name").asString()));
		assertThat(names).containsExactly("sex", "race", "age", "sex × race", "sex × age", "race × age",
				"sex × race × age");
		JsonNode race = attribute(content, "race");
		assertThat(race.path("reference").asString()).isEqualTo("White");
		assertThat(race.path("reference_source").asString()).isEqualTo("largest_group");
		assertThat(groups(race)).containsExactly("Asian", "Black", "Native", "Other", "Pacific", "White")
			.as("sorted by their characters");
		JsonNode age = attribute(content, "age");
		assertThat(groups(age)).containsExactly("<25", "25 to <60", ">=60", "(not a number)", "(missing)");
		assertThat(age.path("reference_source").asString()).isEqualTo("declared");
		JsonNode pacific = group(race, "Pacific");
		assertThat(pacific.path("suppressed").asBoolean()).isTrue();
		assertThat(pacific.path("suppressed_reason").asString())
			.startsWith("n = " + pacific.path("n").asLong() + " < 30");
		assertThat(pacific.path("metrics").path("selection_rate").has("ci_low")).as("keeps its rates").isTrue();
		JsonNode intersection = attribute(content, "sex × age");
		assertThat(intersection.path("reference").asString()).isEqualTo("Male × 25 to <60");
		assertThat(intersection.path("reference_source").asString()).isEqualTo("declared");
		assertThat(intersection.path("columns").toString()).isEqualTo("[\"sex\",\"age\"]");
		assertThat(attribute(content, "sex × race").path("reference_source").asString()).isEqualTo("largest_group");
	}

	@Test
	void theSameCountsInAnotherRowOrderGiveTheSameBytes() {
		List<Attribute> attributes = FairnessTestData.syntheticAttributes();
		List<Row> rows = FairnessTestData.synthetic(7, 3000);
		Settings settings = new Settings(9, 100, 0.95, 30, 10, 2);
		String first = JSON.writeValueAsString(FairnessAnalysis.analyse(tally(attributes, rows), settings));
		List<Row> shuffled = new ArrayList<>(rows);
		Collections.shuffle(shuffled, new Random(3));
		String second = JSON.writeValueAsString(FairnessAnalysis.analyse(tally(attributes, shuffled), settings));
		assertThat(second).isEqualTo(first);
	}

	@Test
	void anEmptyIntersectionCellIsNotAGroupAndAnEmptyDeclaredReferenceIsSuppressed() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 40, 10, 40, 10);
		add(rows, new String[] { "Male", "Other" }, 30, 10, 30, 10);
		add(rows, new String[] { "Female", "White" }, 20, 10, 50, 20);
		// no Female × Other rows
		Settings settings = new Settings(1, 0, 0.95, 30, 10, 2);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, rows), settings);
		assertMatchesRowByRow(content, SEX_RACE, rows, settings);
		assertThat(groups(attribute(content, "sex × race"))).containsExactly("Female × White", "Male × Other",
				"Male × White");

		List<Attribute> declaredEmpty = List.of(new Attribute("sex", "Female", null),
				new Attribute("race", "Other", null));
		content = FairnessAnalysis.analyse(tally(declaredEmpty, rows), settings);
		assertMatchesRowByRow(content, declaredEmpty, rows, settings);
		JsonNode intersection = attribute(content, "sex × race");
		assertThat(intersection.path("reference").asString()).isEqualTo("Female × Other");
		JsonNode empty = group(intersection, "Female × Other");
		assertThat(empty.path("n").asLong()).isZero();
		assertThat(empty.path("suppressed_reason").asString()).isEqualTo("n = 0 < 30; positives = 0 < 10");
		assertThat(empty.path("metrics").path("selection_rate").path("reason").asString())
			.isEqualTo("no rows in the group");
		JsonNode spd = intersection.path("against_reference").path(0).path("statistical_parity_difference");
		assertThat(spd.path("value").isNull()).isTrue();
		assertThat(spd.path("reason").asString()).contains("reference group Female × Other is suppressed");
	}

	@Test
	void aGroupWithoutActualPositivesHasNoTprAndNoEqualOpportunity() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 30, 10, 50, 10);
		add(rows, new String[] { "Female", "White" }, 0, 8, 42, 0);
		Settings settings = new Settings(1, 100, 0.95, 30, 0, 1);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, rows), settings);
		assertMatchesRowByRow(content, SEX_RACE, rows, settings);
		JsonNode sex = attribute(content, "sex");
		JsonNode female = group(sex, "Female");
		assertThat(female.path("suppressed").asBoolean()).isFalse();
		assertThat(female.path("metrics").path("tpr").path("value").isNull()).isTrue();
		assertThat(female.path("metrics").path("tpr").path("reason").asString())
			.isEqualTo("no actual positives in the group");
		assertThat(female.path("metrics").path("fnr").path("value").isNull()).isTrue();
		JsonNode against = sex.path("against_reference").path(0);
		assertThat(against.path("equal_opportunity_difference").path("reason").asString())
			.isEqualTo("TPR is undefined in group Female: no actual positives in the group");
		assertThat(against.path("average_odds_difference").path("value").isNull()).isTrue();
		assertThat(against.path("statistical_parity_difference").path("value").asDouble()).isCloseTo(8 / 50.0 - 0.4,
				within(1e-12));
		assertThat(sex.path("between_groups").path("equalized_odds_difference").path("value").isNull()).isTrue();
		assertAllFinite(content);
	}

	@Test
	void aSingleRowGroupKeepsItsRatesAndIsSuppressed() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 30, 10, 50, 10);
		add(rows, new String[] { "Female", "White" }, 20, 10, 50, 20);
		add(rows, new String[] { "X", "White" }, 1, 0, 0, 0);
		Settings settings = new Settings(1, 100, 0.95, 30, 10, 1);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, rows), settings);
		assertMatchesRowByRow(content, SEX_RACE, rows, settings);
		JsonNode sex = attribute(content, "sex");
		JsonNode x = group(sex, "X");
		assertThat(x.path("suppressed_reason").asString()).isEqualTo("n = 1 < 30; positives = 1 < 10");
		JsonNode selection = x.path("metrics").path("selection_rate");
		assertThat(selection.path("value").asDouble()).isEqualTo(1.0);
		assertThat(selection.path("ci_high").asDouble()).isEqualTo(1.0);
		assertThat(selection.path("ci_low").asDouble()).isCloseTo(0.20654931437723745, within(1e-12));
		assertThat(sex.path("suppressed").toString())
			.isEqualTo("[{\"group\":\"X\",\"n\":1,\"positives\":1,\"reason\":\"n = 1 < 30; positives = 1 < 10\"}]");
		assertThat(groups(sex.path("against_reference"))).containsExactly("Female");
		assertThat(groups(sex.path("four_fifths"))).containsExactly("Female");
	}

	@Test
	void aSuppressedReferenceMakesTheAgainstReferenceMetricsNull() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 8, 2, 5, 5);
		add(rows, new String[] { "Female", "White" }, 20, 10, 50, 20);
		add(rows, new String[] { "Other", "White" }, 25, 10, 40, 15);
		Settings settings = new Settings(1, 100, 0.95, 30, 10, 1);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, rows), settings);
		assertMatchesRowByRow(content, SEX_RACE, rows, settings);
		JsonNode sex = attribute(content, "sex");
		assertThat(sex.path("reference").asString()).isEqualTo("Male");
		assertThat(groups(sex.path("against_reference"))).containsExactly("Female", "Other");
		for (JsonNode entry : sex.path("against_reference")) {
			for (String metric : GroupComparison.AGAINST_REFERENCE) {
				assertThat(entry.path(metric).path("value").isNull()).isTrue();
				assertThat(entry.path(metric).path("reason").asString())
					.isEqualTo("the reference group Male is suppressed (n = 20 < 30)");
			}
		}
		assertThat(sex.path("between_groups").path("demographic_parity_difference").path("value").asDouble())
			.isCloseTo(35 / 90.0 - 30 / 100.0, within(1e-12));
	}

	@Test
	void aZeroSelectionRateInTheReferenceLeavesTheRatioUndefined() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 0, 0, 40, 20);
		add(rows, new String[] { "Female", "White" }, 10, 5, 30, 15);
		Settings settings = new Settings(1, 100, 0.95, 30, 10, 1);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, rows), settings);
		assertMatchesRowByRow(content, SEX_RACE, rows, settings);
		JsonNode against = attribute(content, "sex").path("against_reference").path(0);
		assertThat(against.path("disparate_impact_ratio").path("value").isNull()).isTrue();
		assertThat(against.path("disparate_impact_ratio").path("reason").asString())
			.isEqualTo("the reference group's selection rate is 0");
		assertThat(against.path("statistical_parity_difference").path("value").asDouble()).isCloseTo(0.25,
				within(1e-12));
		assertThat(against.path("predictive_parity_difference").path("reason").asString())
			.isEqualTo("precision is undefined in group Male: no predicted positives in the group");
		assertAllFinite(content);
	}

	@Test
	void equalGroupsHaveZeroDifferencesUnitRatiosAndAZeroTheilIndexWhenEveryPredictionIsRight() {
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 20, 0, 30, 0);
		add(rows, new String[] { "Female", "White" }, 20, 0, 30, 0);
		add(rows, new String[] { "Other", "White" }, 20, 0, 30, 0);
		Settings settings = new Settings(1, 200, 0.95, 30, 10, 1);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, rows), settings);
		assertMatchesRowByRow(content, SEX_RACE, rows, settings);
		JsonNode sex = attribute(content, "sex");
		for (JsonNode entry : sex.path("against_reference")) {
			assertThat(entry.path("statistical_parity_difference").path("value").asDouble()).isZero();
			assertThat(entry.path("disparate_impact_ratio").path("value").asDouble()).isEqualTo(1.0);
			assertThat(entry.path("equal_opportunity_difference").path("value").asDouble()).isZero();
			assertThat(entry.path("average_odds_difference").path("value").asDouble()).isZero();
			assertThat(entry.path("predictive_parity_difference").path("value").asDouble()).isZero();
		}
		JsonNode between = sex.path("between_groups");
		assertThat(between.path("demographic_parity_difference").path("value").asDouble()).isZero();
		assertThat(between.path("demographic_parity_ratio").path("value").asDouble()).isEqualTo(1.0);
		assertThat(between.path("equalized_odds_difference").path("value").asDouble()).isZero();
		assertThat(between.path("equalized_odds_ratio").path("value").isNull()).as("every FPR is 0").isTrue();
		assertThat(between.path("equalized_odds_ratio").path("reason").asString())
			.isEqualTo("every compared group's FPR is 0");
		for (JsonNode entry : sex.path("four_fifths")) {
			assertThat(entry.path("ratio").path("value").asDouble()).isEqualTo(1.0);
			assertThat(entry.path("below_four_fifths").asBoolean()).isFalse();
		}
		JsonNode theil = content.path("theil_index");
		assertThat(theil.path("value").asDouble()).isZero();
		assertThat(theil.path("ci_low").asDouble()).isZero();
		assertThat(theil.path("ci_high").asDouble()).isZero();
		assertAllFinite(content);
	}

	@Test
	void withoutAnyDeclaredReferenceTheLargestComparedGroupIsTheReference() {
		List<Attribute> undeclared = List.of(new Attribute("sex", null, null), new Attribute("race", null, null));
		List<Row> rows = new ArrayList<>();
		add(rows, new String[] { "Male", "White" }, 30, 10, 50, 10);
		add(rows, new String[] { "Female", "Black" }, 40, 10, 60, 10);
		add(rows, new String[] { "Other", "Black" }, 1, 0, 300, 0);
		Settings settings = new Settings(1, 0, 0.95, 30, 10, 2);
		ObjectNode content = FairnessAnalysis.analyse(tally(undeclared, rows), settings);
		assertMatchesRowByRow(content, undeclared, rows, settings);
		JsonNode sex = attribute(content, "sex");
		assertThat(sex.path("reference").asString()).as("Other is larger but suppressed").isEqualTo("Female");
		assertThat(sex.path("reference_source").asString()).isEqualTo("largest_group");
		assertThat(sex.path("against_reference").path(0).path("statistical_parity_difference").has("ci_low"))
			.as("no resamples, no interval")
			.isFalse();
	}

	@Test
	void anEmptyTallyGivesNullsNotNaN() {
		Settings settings = Settings.defaults(1);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, List.of()), settings);
		assertThat(content.path("overall").path("n").asLong()).isZero();
		assertThat(content.path("theil_index").path("value").isNull()).isTrue();
		assertThat(content.path("overall").path("metrics").path("accuracy").path("reason").asString())
			.isEqualTo("no rows in the group");
		assertAllFinite(content);
	}

	@Test
	void settingsAreValidatedWithMessagesAUserCanActOn() {
		assertThatIllegalArgumentException().isThrownBy(() -> new Settings(1, -1, 0.95, 30, 10, 2))
			.withMessageContaining("resamples");
		assertThatIllegalArgumentException().isThrownBy(() -> new Settings(1, 1000, 1.0, 30, 10, 2))
			.withMessageContaining("confidence_level");
		assertThatIllegalArgumentException().isThrownBy(() -> new Settings(1, 1000, 0.95, 0, 10, 2))
			.withMessageContaining("min_group_size");
		assertThatIllegalArgumentException().isThrownBy(() -> new Settings(1, 1000, 0.95, 30, -1, 2))
			.withMessageContaining("min_positives");
		assertThatIllegalArgumentException().isThrownBy(() -> new Settings(1, 1000, 0.95, 30, 10, 0))
			.withMessageContaining("max_intersection_order");
	}

	@Test
	void theReportCarriesItsSettingsAndDefinitions() {
		Settings settings = new Settings(42, 1000, 0.95, 30, 10, 2);
		ObjectNode content = FairnessAnalysis.analyse(tally(SEX_RACE, List.of()), settings);
		assertThat(content.path("settings").toString()).isEqualTo("{\"seed\":42,\"resamples\":1000,"
				+ "\"confidence_level\":0.95,\"min_group_size\":30,\"min_positives\":10,\"max_intersection_order\":2,"
				+ "\"bootstrap\":\"stratified: each group resampled within itself\",\"interval\":\"wilson\"}");
		List<String> keys = new ArrayList<>();
		content.propertyNames().forEach(keys::add);
		assertThat(keys).containsExactly("settings", "overall", "theil_index", "attributes", "definitions");
		List<String> metrics = new ArrayList<>();
		for (JsonNode definition : content.path("definitions")) {
			metrics.add(definition.path("metric").asString());
			assertThat(definition.path("formula").asString()).isNotBlank();
			assertThat(definition.path("sign").asString()).isNotBlank();
			assertThat(definition.path("convention_of").asString()).isNotBlank();
		}
		assertThat(metrics).containsAll(GroupRates.NAMES)
			.containsAll(GroupComparison.AGAINST_REFERENCE)
			.containsAll(GroupComparison.BETWEEN_GROUPS)
			.contains("four_fifths", "theil_index");
		JsonNode spd = content.path("definitions").path(metrics.indexOf("statistical_parity_difference"));
		assertThat(spd.path("note").asString()).contains("Clarify").contains("opposite sign");
		assertThat(spd.path("convention_of").asString()).isEqualTo("AIF360");
		assertThat(content.path("definitions").path(metrics.indexOf("four_fifths")).path("convention_of").asString())
			.contains("29 CFR 1607.4(D)");
		assertThat(content.path("definitions")
			.path(metrics.indexOf("equalized_odds_difference"))
			.path("convention_of")
			.asString()).isEqualTo("Fairlearn");
	}

	static JsonNode attribute(JsonNode content, String name) {
		for (JsonNode attribute : content.path("attributes")) {
			if (attribute.path("name").asString().equals(name)) {
				return attribute;
			}
		}
		throw new AssertionError("no attribute " + name);
	}

	static JsonNode group(JsonNode attribute, String label) {
		for (JsonNode group : attribute.path("groups")) {
			if (group.path("group").asString().equals(label)) {
				return group;
			}
		}
		throw new AssertionError("no group " + label);
	}

	static List<String> groups(JsonNode node) {
		JsonNode list = node.has("groups") ? node.path("groups") : node;
		List<String> labels = new ArrayList<>();
		list.forEach((entry) -> labels.add(entry.path("group").asString()));
		return labels;
	}

}
