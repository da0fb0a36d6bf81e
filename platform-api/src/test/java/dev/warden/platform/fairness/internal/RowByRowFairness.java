package dev.warden.platform.fairness.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A deliberately plain recomputation of a fairness report's point values, for the tests:
 * lists of rows and loops over them, written from the definitions without using any of
 * the engine's code (its own grouping, banding, suppression, rates and disparities). A
 * value that is undefined is {@code null}.
 */
final class RowByRowFairness {

	private RowByRowFairness() {
	}

	/** A row: the raw sensitive cells, the actual label and the prediction. */
	record Row(String[] cells, boolean actual, boolean predicted) {
	}

	/** An attribute as the test declares it (bands may be {@code null}). */
	record Attribute(String name, String reference, double[] bands) {
	}

	/** What the recomputation finds for one attribute or intersection. */
	static final class Part {

		String reference;

		String referenceSource;

		final Map<String, Map<String, Double>> groups = new LinkedHashMap<>();

		final Map<String, long[]> counts = new LinkedHashMap<>();

		final Map<String, Boolean> suppressed = new LinkedHashMap<>();

		final Map<String, Map<String, Double>> against = new LinkedHashMap<>();

		final Map<String, Double> between = new LinkedHashMap<>();

		final Map<String, Double> fourFifths = new LinkedHashMap<>();

		String highest;

	}

	static String group(Attribute attribute, String raw) {
		String value = (raw == null) ? "" : raw.strip();
		if (value.equals("")) {
			return "(missing)";
		}
		if (attribute.bands() == null) {
			return value;
		}
		double x;
		try {
			x = Double.parseDouble(value);
		}
		catch (NumberFormatException ex) {
			return "(not a number)";
		}
		if (Double.isNaN(x) || Double.isInfinite(x)) {
			return "(not a number)";
		}
		double[] cuts = attribute.bands();
		if (x < cuts[0]) {
			return "<" + text(cuts[0]);
		}
		for (int i = 1; i < cuts.length; i++) {
			if (x < cuts[i]) {
				return text(cuts[i - 1]) + " to <" + text(cuts[i]);
			}
		}
		return ">=" + text(cuts[cuts.length - 1]);
	}

	private static String text(double cut) {
		if (cut == Math.rint(cut)) {
			return Long.toString((long) cut);
		}
		return Double.toString(cut);
	}

	/** Every attribute, then every pair, then every triple (up to maxOrder). */
	static Map<String, Part> compute(List<Attribute> attributes, List<Row> rows, int minN, int minPositives,
			int maxOrder) {
		Map<String, Part> parts = new LinkedHashMap<>();
		int k = attributes.size();
		for (int a = 0; a < k; a++) {
			parts.put(attributes.get(a).name(), part(attributes, rows, new int[] { a }, minN, minPositives));
		}
		if (maxOrder >= 2) {
			for (int a = 0; a < k; a++) {
				for (int b = a + 1; b < k; b++) {
					parts.put(attributes.get(a).name() + " × " + attributes.get(b).name(),
							part(attributes, rows, new int[] { a, b }, minN, minPositives));
				}
			}
		}
		if (maxOrder >= 3) {
			for (int a = 0; a < k; a++) {
				for (int b = a + 1; b < k; b++) {
					for (int c = b + 1; c < k; c++) {
						parts.put(
								attributes.get(a).name() + " × " + attributes.get(b).name() + " × "
										+ attributes.get(c).name(),
								part(attributes, rows, new int[] { a, b, c }, minN, minPositives));
					}
				}
			}
		}
		return parts;
	}

	private static Part part(List<Attribute> attributes, List<Row> rows, int[] which, int minN, int minPositives) {
		Map<String, List<Row>> byGroup = new LinkedHashMap<>();
		for (Row row : rows) {
			String label = "";
			for (int i = 0; i < which.length; i++) {
				label += ((i > 0) ? " × " : "") + group(attributes.get(which[i]), row.cells()[which[i]]);
			}
			byGroup.computeIfAbsent(label, (key) -> new ArrayList<>()).add(row);
		}
		String declared = "";
		boolean allDeclared = true;
		for (int i = 0; i < which.length; i++) {
			String reference = attributes.get(which[i]).reference();
			if (reference == null) {
				allDeclared = false;
			}
			declared += ((i > 0) ? " × " : "") + reference;
		}
		if (allDeclared && !byGroup.containsKey(declared)) {
			byGroup.put(declared, new ArrayList<>());
		}
		Part part = new Part();
		// ties (largest group, highest rate) go to the first label in natural order
		for (Map.Entry<String, List<Row>> entry : new TreeMap<>(byGroup).entrySet()) {
			long tp = 0;
			long fp = 0;
			long tn = 0;
			long fn = 0;
			for (Row row : entry.getValue()) {
				if (row.actual() && row.predicted()) {
					tp++;
				}
				else if (!row.actual() && row.predicted()) {
					fp++;
				}
				else if (!row.actual() && !row.predicted()) {
					tn++;
				}
				else {
					fn++;
				}
			}
			long n = entry.getValue().size();
			Map<String, Double> metrics = new LinkedHashMap<>();
			metrics.put("base_rate", divide(tp + fn, n));
			metrics.put("selection_rate", divide(tp + fp, n));
			metrics.put("accuracy", divide(tp + tn, n));
			metrics.put("tpr", divide(tp, tp + fn));
			metrics.put("fpr", divide(fp, fp + tn));
			metrics.put("fnr", divide(fn, tp + fn));
			metrics.put("precision", divide(tp, tp + fp));
			part.groups.put(entry.getKey(), metrics);
			part.counts.put(entry.getKey(), new long[] { tp, fp, tn, fn });
			part.suppressed.put(entry.getKey(), n < minN || (tp + fn) < minPositives);
		}
		if (allDeclared) {
			part.reference = declared;
			part.referenceSource = "declared";
		}
		else {
			long most = -1;
			for (String g : part.groups.keySet()) {
				long n = size(part, g);
				if (!part.suppressed.get(g) && n > most) {
					most = n;
					part.reference = g;
				}
			}
			if (part.reference == null) {
				for (String g : part.groups.keySet()) {
					if (size(part, g) > most) {
						most = size(part, g);
						part.reference = g;
					}
				}
			}
			part.referenceSource = (part.reference != null) ? "largest_group" : "none";
		}
		List<String> compared = new ArrayList<>();
		for (String g : part.groups.keySet()) {
			if (!part.suppressed.get(g)) {
				compared.add(g);
			}
		}
		String ref = part.reference;
		boolean refUsable = ref != null && !part.suppressed.get(ref);
		for (String g : compared) {
			if (g.equals(ref)) {
				continue;
			}
			Map<String, Double> d = new LinkedHashMap<>();
			if (refUsable) {
				Map<String, Double> x = part.groups.get(g);
				Map<String, Double> r = part.groups.get(ref);
				d.put("statistical_parity_difference", minus(x.get("selection_rate"), r.get("selection_rate")));
				d.put("disparate_impact_ratio", divideDefined(x.get("selection_rate"), r.get("selection_rate")));
				d.put("equal_opportunity_difference", minus(x.get("tpr"), r.get("tpr")));
				Double fprDiff = minus(x.get("fpr"), r.get("fpr"));
				Double tprDiff = minus(x.get("tpr"), r.get("tpr"));
				d.put("average_odds_difference",
						(fprDiff == null || tprDiff == null) ? null : 0.5 * (fprDiff + tprDiff));
				d.put("predictive_parity_difference", minus(x.get("precision"), r.get("precision")));
			}
			else {
				d.put("statistical_parity_difference", null);
				d.put("disparate_impact_ratio", null);
				d.put("equal_opportunity_difference", null);
				d.put("average_odds_difference", null);
				d.put("predictive_parity_difference", null);
			}
			part.against.put(g, d);
		}
		if (compared.size() >= 2) {
			double sMin = 2;
			double sMax = -1;
			double tMin = 2;
			double tMax = -1;
			double fMin = 2;
			double fMax = -1;
			boolean oddsDefined = true;
			for (String g : compared) {
				Map<String, Double> x = part.groups.get(g);
				sMin = Math.min(sMin, x.get("selection_rate"));
				sMax = Math.max(sMax, x.get("selection_rate"));
				if (x.get("tpr") == null || x.get("fpr") == null) {
					oddsDefined = false;
				}
				else {
					tMin = Math.min(tMin, x.get("tpr"));
					tMax = Math.max(tMax, x.get("tpr"));
					fMin = Math.min(fMin, x.get("fpr"));
					fMax = Math.max(fMax, x.get("fpr"));
				}
			}
			part.between.put("demographic_parity_difference", sMax - sMin);
			part.between.put("demographic_parity_ratio", divide(sMin, sMax));
			part.between.put("equalized_odds_difference", oddsDefined ? Math.max(tMax - tMin, fMax - fMin) : null);
			Double tRatio = divide(tMin, tMax);
			Double fRatio = divide(fMin, fMax);
			part.between.put("equalized_odds_ratio",
					(oddsDefined && tRatio != null && fRatio != null) ? Math.min(tRatio, fRatio) : null);
		}
		else {
			part.between.put("demographic_parity_difference", null);
			part.between.put("demographic_parity_ratio", null);
			part.between.put("equalized_odds_difference", null);
			part.between.put("equalized_odds_ratio", null);
		}
		double best = -1;
		for (String g : compared) {
			double s = part.groups.get(g).get("selection_rate");
			if (s > best) {
				best = s;
				part.highest = g;
			}
		}
		for (String g : compared) {
			if (!g.equals(part.highest)) {
				part.fourFifths.put(g, divideDefined(part.groups.get(g).get("selection_rate"), best));
			}
		}
		return part;
	}

	private static long size(Part part, String group) {
		long n = 0;
		for (long c : part.counts.get(group)) {
			n += c;
		}
		return n;
	}

	/** The Theil index of the rows, straight from its definition. */
	static Double theil(List<Row> rows) {
		if (rows.isEmpty()) {
			return null;
		}
		double mean = 0;
		for (Row row : rows) {
			mean += benefit(row);
		}
		mean /= rows.size();
		if (mean == 0) {
			return null;
		}
		double sum = 0;
		for (Row row : rows) {
			double ratio = benefit(row) / mean;
			if (ratio > 0) {
				sum += ratio * Math.log(ratio);
			}
		}
		return sum / rows.size();
	}

	private static double benefit(Row row) {
		return (row.predicted() ? 1 : 0) - (row.actual() ? 1 : 0) + 1;
	}

	private static Double divide(double numerator, double denominator) {
		return (denominator == 0) ? null : numerator / denominator;
	}

	private static Double divideDefined(Double numerator, Double denominator) {
		return (numerator == null || denominator == null) ? null : divide((double) numerator, (double) denominator);
	}

	private static Double minus(Double a, Double b) {
		return (a == null || b == null) ? null : a - b;
	}

}
