package dev.warden.platform.fairness;

import java.util.List;

/**
 * The limits a fairness report's PDF draws into its charts and checks in its thresholds
 * table. The admin API's PDF uses {@link #DEFAULT} (the four-fifths rule); a module with
 * a policy of its own (promotion) passes its limits to
 * {@link FairnessReports#pdf(java.util.UUID, FairnessThresholds)}.
 *
 * @param limits the limits, in the order the table lists them
 */
public record FairnessThresholds(List<Limit> limits) {

	/**
	 * The four-fifths rule of the US Uniform Guidelines (29 CFR 1607.4(D)): every group's
	 * selection rate at least 0.8 of the highest group's.
	 */
	public static final FairnessThresholds DEFAULT = new FairnessThresholds(
			List.of(new Limit("four_fifths", null, 0.8, null)));

	public FairnessThresholds {
		limits = List.copyOf(limits);
	}

	/**
	 * A limit on one metric of the report.
	 *
	 * @param metric a metric name of the report ({@code four_fifths},
	 * {@code disparate_impact_ratio}, {@code statistical_parity_difference},
	 * {@code demographic_parity_difference}, {@code selection_rate}, {@code theil_index},
	 * ...; docs/governance.md#metrics)
	 * @param attribute the attribute or intersection it applies to ({@code null}: every
	 * one)
	 * @param min the lowest allowed value ({@code null}: none)
	 * @param max the highest allowed value ({@code null}: none)
	 */
	public record Limit(String metric, String attribute, Double min, Double max) {

		public Limit {
			if (metric == null || metric.isBlank()) {
				throw new IllegalArgumentException("a limit names a metric");
			}
			if (min == null && max == null) {
				throw new IllegalArgumentException("a limit has a min, a max or both");
			}
		}

	}

}
