package dev.warden.platform.fairness.internal;

import java.util.List;

/**
 * A sensitive attribute of an evaluation dataset: a column whose values (or, for a
 * numeric column with bands, whose band) define the groups a fairness check compares.
 *
 * @param name the column
 * @param reference the declared reference (privileged) group, or {@code null}
 * @param bands ascending cut points of a numeric column ({@code null}: the values are the
 * groups); cut points c1 < c2 make the groups {@code <c1}, {@code c1 to <c2},
 * {@code >=c2}
 */
public record SensitiveAttribute(String name, String reference, List<Double> bands) {

	/** The group of a raw cell value. */
	public String group(String raw) {
		throw new UnsupportedOperationException("not built yet");
	}

}
