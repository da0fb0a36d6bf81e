package dev.warden.platform.fairness.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A sensitive attribute of an evaluation dataset: a column whose values (or, for a
 * numeric column with bands, whose band) define the groups a fairness check compares. The
 * constructor validates the attribute and throws {@link IllegalArgumentException} with a
 * message a user can act on.
 *
 * @param name the column
 * @param reference the declared reference (privileged) group, or {@code null}
 * @param bands ascending cut points of a numeric column ({@code null}: the values are the
 * groups); cut points c1 < c2 make the groups {@code <c1}, {@code c1 to <c2},
 * {@code >=c2}
 */
public record SensitiveAttribute(String name, String reference, List<Double> bands) {

	/** The group of an empty cell. */
	public static final String MISSING = "(missing)";

	/** The group of a cell of a banded attribute that is not a finite number. */
	public static final String NOT_A_NUMBER = "(not a number)";

	private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

	public SensitiveAttribute {
		if (name == null || name.isBlank()) {
			throw new IllegalArgumentException("a sensitive attribute needs the name of its column");
		}
		if (reference != null) {
			reference = reference.trim();
			if (reference.isEmpty()) {
				throw new IllegalArgumentException("the reference group of sensitive attribute '" + name
						+ "' is empty: leave it out to compare with the largest group, or name a group");
			}
		}
		if (bands != null) {
			if (bands.isEmpty()) {
				throw new IllegalArgumentException("sensitive attribute '" + name
						+ "' has an empty list of bands: give at least one cut point, or leave bands out");
			}
			List<Double> copy = new ArrayList<>(bands.size());
			for (int i = 0; i < bands.size(); i++) {
				Double cut = bands.get(i);
				if (cut == null || !Double.isFinite(cut)) {
					throw new IllegalArgumentException("band " + (i + 1) + " of sensitive attribute '" + name
							+ "' is not a finite number (" + cut + ")");
				}
				if (i > 0 && !(cut > copy.get(i - 1))) {
					throw new IllegalArgumentException("the bands of sensitive attribute '" + name
							+ "' must be strictly ascending: " + label(cut) + " follows " + label(copy.get(i - 1)));
				}
				copy.add((cut == 0) ? 0.0 : cut);
			}
			bands = Collections.unmodifiableList(copy);
			if (reference != null && !bandLabels(copy).contains(reference)) {
				throw new IllegalArgumentException("the reference group '" + reference + "' of sensitive attribute '"
						+ name + "' is not one of its bands " + bandLabels(copy));
			}
		}
	}

	/** Whether the attribute's groups are bands of a numeric column. */
	public boolean banded() {
		return this.bands != null;
	}

	/**
	 * The labels of the bands, in ascending order (empty for an attribute without bands).
	 */
	public List<String> bandLabels() {
		return (this.bands != null) ? bandLabels(this.bands) : List.of();
	}

	/**
	 * The group of a raw cell value: the trimmed value, or its band for a banded
	 * attribute; {@value #MISSING} for an empty cell, {@value #NOT_A_NUMBER} for a cell
	 * of a banded attribute that is not a finite number.
	 */
	public String group(String raw) {
		String value = (raw != null) ? raw.trim() : "";
		if (value.isEmpty()) {
			return MISSING;
		}
		if (this.bands == null) {
			return value;
		}
		if (!NUMBER.matcher(value).matches()) {
			return NOT_A_NUMBER;
		}
		double number = Double.parseDouble(value);
		if (!Double.isFinite(number)) {
			return NOT_A_NUMBER;
		}
		return bandOf(number);
	}

	/**
	 * The order of this attribute's groups in a report: bands ascending, other values by
	 * their characters; {@value #NOT_A_NUMBER} and then {@value #MISSING} last.
	 */
	public Comparator<String> groupOrder() {
		List<String> labels = bandLabels();
		return Comparator.comparingInt((String group) -> rank(labels, group)).thenComparing(Comparator.naturalOrder());
	}

	private static int rank(List<String> labels, String group) {
		if (MISSING.equals(group)) {
			return Integer.MAX_VALUE;
		}
		if (NOT_A_NUMBER.equals(group)) {
			return Integer.MAX_VALUE - 1;
		}
		int band = labels.indexOf(group);
		return (band >= 0) ? band : labels.size();
	}

	private String bandOf(double value) {
		List<Double> cuts = this.bands;
		if (value < cuts.get(0)) {
			return "<" + label(cuts.get(0));
		}
		for (int i = 1; i < cuts.size(); i++) {
			if (value < cuts.get(i)) {
				return label(cuts.get(i - 1)) + " to <" + label(cuts.get(i));
			}
		}
		return ">=" + label(cuts.get(cuts.size() - 1));
	}

	private static List<String> bandLabels(List<Double> cuts) {
		List<String> labels = new ArrayList<>(cuts.size() + 1);
		labels.add("<" + label(cuts.get(0)));
		for (int i = 1; i < cuts.size(); i++) {
			labels.add(label(cuts.get(i - 1)) + " to <" + label(cuts.get(i)));
		}
		labels.add(">=" + label(cuts.get(cuts.size() - 1)));
		return labels;
	}

	/** A cut point as written in a band's label: 25, 25.5, -3 (never 25.0 or 2.5E1). */
	static String label(double cut) {
		return BigDecimal.valueOf(cut).stripTrailingZeros().toPlainString();
	}

}
