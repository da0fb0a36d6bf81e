package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.fairness.internal.RowByRowFairness.Attribute;
import dev.warden.platform.fairness.internal.RowByRowFairness.Part;
import dev.warden.platform.fairness.internal.RowByRowFairness.Row;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * Rows for the fairness tests, and the check of an engine's report against the row-by-row
 * recomputation.
 */
final class FairnessTestData {

	private FairnessTestData() {
	}

	/** The synthetic data set: sex, race, age banded at 25 and 60, with missing cells. */
	static List<Attribute> syntheticAttributes() {
		return List.of(new Attribute("sex", "Male", null), new Attribute("race", null, null),
				new Attribute("age", "25 to <60", new double[] { 25, 60 }));
	}

	static List<Row> synthetic(long seed, int rows) {
		SplittableRandom random = new SplittableRandom(seed);
		List<Row> list = new ArrayList<>(rows);
		for (int i = 0; i < rows; i++) {
			double u = random.nextDouble();
			String sex = (u < 0.55) ? "Male" : (u < 0.98) ? "Female" : "";
			double v = random.nextDouble();
			String race = (v < 0.58) ? "White" : (v < 0.78) ? " Black"
					: (v < 0.90) ? "Asian" : (v < 0.97) ? "Other" : (v < 0.995) ? "Native " : "Pacific";
			double w = random.nextDouble();
			String age = (w < 0.03) ? "unknown" : (w < 0.05) ? " " : Integer.toString(17 + random.nextInt(64));
			double base = 0.25 + ("Male".equals(sex) ? 0.1 : 0) + (age.equals("60") ? 0.05 : 0)
					+ ("Asian".equals(race) ? 0.08 : 0);
			boolean actual = random.nextDouble() < base;
			double lift = ("Female".equals(sex) ? -0.12 : 0) + (" Black".equals(race) ? -0.08 : 0)
					+ ("Other".equals(race) ? 0.05 : 0);
			boolean predicted = random.nextDouble() < (actual ? 0.75 + lift : 0.15 + lift / 2);
			list.add(new Row(new String[] { sex, race, age }, actual, predicted));
		}
		return list;
	}

	static List<SensitiveAttribute> engineAttributes(List<Attribute> attributes) {
		List<SensitiveAttribute> list = new ArrayList<>();
		for (Attribute attribute : attributes) {
			List<Double> bands = null;
			if (attribute.bands() != null) {
				bands = new ArrayList<>();
				for (double cut : attribute.bands()) {
					bands.add(cut);
				}
			}
			list.add(new SensitiveAttribute(attribute.name(), attribute.reference(), bands));
		}
		return list;
	}

	static FairnessTally tally(List<Attribute> attributes, List<Row> rows) {
		FairnessTally tally = new FairnessTally(engineAttributes(attributes));
		for (Row row : rows) {
			tally.add(row.cells(), row.actual(), row.predicted());
		}
		return tally;
	}

	/** Rows of one combination of raw cells with the given confusion counts. */
	static void add(List<Row> rows, String[] cells, int tp, int fp, int tn, int fn) {
		for (int i = 0; i < tp; i++) {
			rows.add(new Row(cells, true, true));
		}
		for (int i = 0; i < fp; i++) {
			rows.add(new Row(cells, false, true));
		}
		for (int i = 0; i < tn; i++) {
			rows.add(new Row(cells, false, false));
		}
		for (int i = 0; i < fn; i++) {
			rows.add(new Row(cells, true, false));
		}
	}

	/**
	 * Asserts that every point value of the report equals the row-by-row recomputation to
	 * 1e-9 (and is null exactly where it is undefined).
	 */
	static void assertMatchesRowByRow(ObjectNode content, List<Attribute> attributes, List<Row> rows,
			FairnessAnalysis.Settings settings) {
		Map<String, Part> expected = RowByRowFairness.compute(attributes, rows, settings.minGroupSize(),
				settings.minPositives(), settings.maxIntersectionOrder());
		List<String> names = new ArrayList<>();
		content.path("attributes").forEach((node) -> names.add(node.path("name").asString()));
		assertThat(names).containsExactlyElementsOf(expected.keySet());
		assertValue("theil_index", content.path("theil_index"), RowByRowFairness.theil(rows));
		assertThat(content.path("overall").path("n").asLong()).isEqualTo(rows.size());
		for (JsonNode attribute : content.path("attributes")) {
			String name = attribute.path("name").asString();
			Part part = expected.get(name);
			assertThat(attribute.path("reference").isNull() ? null : attribute.path("reference").asString())
				.as("reference of %s", name)
				.isEqualTo(part.reference);
			assertThat(attribute.path("reference_source").asString()).as("reference source of %s", name)
				.isEqualTo(part.referenceSource);
			List<String> groups = new ArrayList<>();
			for (JsonNode group : attribute.path("groups")) {
				String label = group.path("group").asString();
				groups.add(label);
				assertThat(part.groups).as("%s has group %s", name, label).containsKey(label);
				long[] counts = part.counts.get(label);
				JsonNode confusion = group.path("confusion");
				assertThat(new long[] { confusion.path("tp").asLong(), confusion.path("fp").asLong(),
						confusion.path("tn").asLong(), confusion.path("fn").asLong() })
					.as("confusion of %s / %s", name, label)
					.containsExactly(counts);
				assertThat(group.path("n").asLong()).isEqualTo(counts[0] + counts[1] + counts[2] + counts[3]);
				assertThat(group.path("positives").asLong()).isEqualTo(counts[0] + counts[3]);
				assertThat(group.path("predicted_positives").asLong()).isEqualTo(counts[0] + counts[1]);
				assertThat(group.path("suppressed").asBoolean()).as("%s / %s suppressed", name, label)
					.isEqualTo(part.suppressed.get(label));
				for (Map.Entry<String, Double> metric : part.groups.get(label).entrySet()) {
					assertValue(name + " / " + label + " / " + metric.getKey(),
							group.path("metrics").path(metric.getKey()), metric.getValue());
				}
			}
			assertThat(groups).as("groups of %s", name).containsExactlyInAnyOrderElementsOf(part.groups.keySet());
			List<String> suppressed = new ArrayList<>();
			attribute.path("suppressed").forEach((entry) -> suppressed.add(entry.path("group").asString()));
			assertThat(suppressed).containsExactlyInAnyOrderElementsOf(
					part.suppressed.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey).toList());
			List<String> against = new ArrayList<>();
			for (JsonNode entry : attribute.path("against_reference")) {
				String label = entry.path("group").asString();
				against.add(label);
				assertThat(part.against).as("%s compares %s with the reference", name, label).containsKey(label);
				for (Map.Entry<String, Double> metric : part.against.get(label).entrySet()) {
					assertValue(name + " / " + label + " / " + metric.getKey(), entry.path(metric.getKey()),
							metric.getValue());
				}
			}
			assertThat(against).containsExactlyInAnyOrderElementsOf(part.against.keySet());
			for (Map.Entry<String, Double> metric : part.between.entrySet()) {
				assertValue(name + " / " + metric.getKey(), attribute.path("between_groups").path(metric.getKey()),
						metric.getValue());
			}
			List<String> fourFifths = new ArrayList<>();
			for (JsonNode entry : attribute.path("four_fifths")) {
				String label = entry.path("group").asString();
				fourFifths.add(label);
				assertThat(entry.path("highest_rate_group").asString()).isEqualTo(part.highest);
				assertValue(name + " / " + label + " / four-fifths", entry.path("ratio"), part.fourFifths.get(label));
				if (part.fourFifths.get(label) != null) {
					assertThat(entry.path("below_four_fifths").asBoolean()).isEqualTo(part.fourFifths.get(label) < 0.8);
				}
			}
			assertThat(fourFifths).containsExactlyInAnyOrderElementsOf(part.fourFifths.keySet());
		}
	}

	static void assertValue(String what, JsonNode metric, Double expected) {
		assertThat(metric.isObject()).as("%s is a metric object", what).isTrue();
		if (expected == null) {
			assertThat(metric.path("value").isNull()).as("%s is null", what).isTrue();
			assertThat(metric.path("reason").asString("")).as("%s says why it is null", what).isNotBlank();
		}
		else {
			assertThat(metric.path("value").isNumber()).as("%s is a number (%s)", what, metric).isTrue();
			assertThat(metric.path("value").asDouble()).as(what).isCloseTo(expected, within(1e-9));
		}
	}

	/** No NaN, no infinity, no -0.0 anywhere. */
	static void assertAllFinite(JsonNode node) {
		if (node.isNumber()) {
			assertThat(Double.isFinite(node.asDouble())).isTrue();
			assertThat(Double.doubleToRawLongBits(node.asDouble())).isNotEqualTo(Double.doubleToRawLongBits(-0.0));
		}
		Iterator<JsonNode> children = node.iterator();
		while (children.hasNext()) {
			assertAllFinite(children.next());
		}
	}

}
