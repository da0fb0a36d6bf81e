package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.warden.console.adminapi.EvaluationSpec;

/**
 * The forms of the fairness page read into what the admin API takes: the parameters of a
 * fairness check, and the evaluation spec of an uploaded dataset. Empty fields are left
 * out (platform-api's defaults apply); what cannot be read (a threshold that is not a
 * number, a reference without its column) is an {@link InvalidForm} naming the field, and
 * nothing is sent. Ranges are platform-api's to check: its 400 names the parameter.
 */
final class FairnessForms {

	private FairnessForms() {
	}

	/**
	 * The body of {@code POST …/fairness-checks}: {@code dataset_id}, {@code threshold},
	 * {@code resamples}, {@code seed}, each only when given.
	 */
	static Map<String, Object> checkParameters(String datasetId, String threshold, String resamples, String seed) {
		Map<String, Object> body = new LinkedHashMap<>();
		if (!blank(datasetId)) {
			body.put("dataset_id", datasetId.trim());
		}
		if (!blank(threshold)) {
			body.put("threshold", decimal("Threshold", threshold));
		}
		if (!blank(resamples)) {
			body.put("resamples", wholeNumber("Resamples", resamples));
		}
		if (!blank(seed)) {
			body.put("seed", wholeNumber("Seed", seed));
		}
		return body;
	}

	/**
	 * The evaluation spec of an upload.
	 * @param label the label column (required)
	 * @param positiveLabel the label value of a positive outcome (required)
	 * @param sensitive the sensitive columns, separated by commas or lines
	 * @param references one {@code column:group} per line
	 * @param bands one {@code column:c1,c2,…} per line (cut points, ascending)
	 */
	static EvaluationSpec evaluationSpec(String label, String positiveLabel, String sensitive, String references,
			String bands) {
		if (blank(label)) {
			throw new InvalidForm("Name the label column: the column with the actual outcome of each row.");
		}
		if (blank(positiveLabel)) {
			throw new InvalidForm("Give the positive label: the label value of a positive outcome, such as 1.");
		}
		Set<String> columns = new LinkedHashSet<>();
		for (String column : (sensitive == null) ? new String[0] : sensitive.split("[,\\r\\n]+")) {
			if (!column.isBlank()) {
				columns.add(column.trim());
			}
		}
		if (columns.isEmpty()) {
			throw new InvalidForm("Name at least one sensitive column, such as sex or race.");
		}
		Map<String, String> referenceGroups = new LinkedHashMap<>();
		for (String[] pair : pairs("Reference", references, columns)) {
			if (referenceGroups.put(pair[0], pair[1]) != null) {
				throw new InvalidForm("Reference: the column '" + Values.shorten(pair[0], 40) + "' is named twice.");
			}
		}
		Map<String, List<String>> cutPoints = new LinkedHashMap<>();
		for (String[] pair : pairs("Bands", bands, columns)) {
			List<String> cuts = new ArrayList<>();
			for (String cut : pair[1].split(",")) {
				String trimmed = cut.trim();
				try {
					Double.parseDouble(trimmed);
				}
				catch (NumberFormatException ex) {
					throw new InvalidForm("Bands of '" + Values.shorten(pair[0], 40) + "': '"
							+ Values.shorten(trimmed, 40) + "' is not a number.");
				}
				cuts.add(trimmed);
			}
			if (cutPoints.put(pair[0], cuts) != null) {
				throw new InvalidForm("Bands: the column '" + Values.shorten(pair[0], 40) + "' is named twice.");
			}
		}
		return new EvaluationSpec(label.trim(), positiveLabel.trim(), List.copyOf(columns), referenceGroups, cutPoints);
	}

	/** Lines {@code column:value}, each column one of the sensitive columns. */
	private static List<String[]> pairs(String field, String text, Set<String> columns) {
		List<String[]> pairs = new ArrayList<>();
		if (text == null) {
			return pairs;
		}
		for (String line : text.split("\\r?\\n")) {
			if (line.isBlank()) {
				continue;
			}
			int colon = line.indexOf(':');
			if (colon <= 0 || line.substring(colon + 1).isBlank()) {
				throw new InvalidForm(
						field + ": write one column:value per line, not '" + Values.shorten(line.trim(), 40) + "'.");
			}
			String column = line.substring(0, colon).trim();
			if (!columns.contains(column)) {
				throw new InvalidForm(field + ": '" + Values.shorten(column, 40)
						+ "' is not one of the sensitive columns (" + String.join(", ", columns) + ").");
			}
			pairs.add(new String[] { column, line.substring(colon + 1).trim() });
		}
		return pairs;
	}

	static boolean blank(String value) {
		return value == null || value.isBlank();
	}

	static long wholeNumber(String label, String value) {
		try {
			return Long.parseLong(value.trim());
		}
		catch (NumberFormatException ex) {
			throw new InvalidForm(label + " must be a whole number, not '" + Values.shorten(value.trim(), 40) + "'.");
		}
	}

	static double decimal(String label, String value) {
		try {
			double number = Double.parseDouble(value.trim());
			if (Double.isFinite(number)) {
				return number;
			}
		}
		catch (NumberFormatException ex) {
			// answered below
		}
		throw new InvalidForm(label + " must be a number, not '" + Values.shorten(value.trim(), 40) + "'.");
	}

}
