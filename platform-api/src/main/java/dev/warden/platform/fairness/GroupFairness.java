package dev.warden.platform.fairness;

import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.fairness.internal.FairnessAnalysis;
import dev.warden.platform.fairness.internal.FairnessTally;
import dev.warden.platform.fairness.internal.GroupCounts;
import dev.warden.platform.fairness.internal.SensitiveAttribute;

/**
 * The metrics of the fairness checks for confusion counts kept elsewhere, e.g. the
 * additive counts of outcome feedback: computed by the same engine as a fairness report
 * ({@code FairnessAnalysis}, docs/governance.md "Metrics"), so every rate, disparity,
 * sign convention, reference group and suppression rule is exactly the report's. No
 * bootstrap (intervals of the disparities need the counts of a fixed population); the
 * rates keep their Wilson intervals. Plain computation, thread-safe.
 */
public final class GroupFairness {

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	/** The single group of the tally that computes a whole population's rates. */
	private static final String ALL = "all";

	private GroupFairness() {
	}

	/**
	 * The whole population's counts and rates, in the shape of a fairness report's
	 * {@code overall}: {@code n}, {@code positives}, {@code predicted_positives},
	 * {@code confusion} and {@code metrics} (base rate, selection rate, accuracy, TPR,
	 * FPR, FNR, precision; each a value with its Wilson interval, or {@code null} with
	 * the reason).
	 */
	public static ObjectNode overall(Counts counts, double confidenceLevel) {
		FairnessTally tally = new FairnessTally(List.of(new SensitiveAttribute(ALL, null, null)));
		tally.add(new String[] { ALL }, counts.groupCounts());
		ObjectNode content = FairnessAnalysis.analyse(tally,
				new FairnessAnalysis.Settings(0, 0, confidenceLevel, 1, 0, 1));
		return (ObjectNode) content.get("overall");
	}

	/**
	 * One sensitive attribute's groups, in the shape of an entry of a fairness report's
	 * {@code attributes}: {@code name}, {@code reference} (the largest group that is not
	 * suppressed), {@code groups} (counts and rates, {@code suppressed} with the reason),
	 * {@code against_reference} (statistical parity difference, disparate impact ratio,
	 * equal opportunity, average odds and predictive parity differences),
	 * {@code between_groups}, {@code four_fifths} and {@code suppressed}. A group with
	 * fewer rows than {@code minGroupSize} or fewer actual positives than
	 * {@code minPositives} is suppressed: its rates are shown, but it is in no
	 * comparison.
	 * @param groups counts by group value ({@link #MAX_GROUPS} at most)
	 * @throws IllegalArgumentException when there are more than {@link #MAX_GROUPS}
	 * groups, or a rule is out of range
	 */
	public static ObjectNode attribute(String name, Map<String, Counts> groups, Rules rules) {
		if (groups.size() > MAX_GROUPS) {
			throw new IllegalArgumentException("attribute '" + name + "' has " + groups.size()
					+ " groups, more than the " + MAX_GROUPS + " the fairness metrics compare");
		}
		FairnessTally tally = new FairnessTally(List.of(new SensitiveAttribute(name, null, null)), MAX_GROUPS);
		groups.forEach((group, counts) -> tally.add(new String[] { group }, counts.groupCounts()));
		ObjectNode content = FairnessAnalysis.analyse(tally, new FairnessAnalysis.Settings(0, 0,
				rules.confidenceLevel(), rules.minGroupSize(), rules.minPositives(), 1));
		return (ObjectNode) content.get("attributes").get(0);
	}

	/**
	 * The fairness report's {@code definitions}: per metric its formula, sign convention,
	 * whose convention it follows and its reference.
	 */
	public static JsonNode definitions() {
		return FairnessAnalysis.analyse(tallyOfOne(), new FairnessAnalysis.Settings(0, 0, 0.95, 1, 0, 1))
			.get("definitions")
			.deepCopy();
	}

	private static FairnessTally tallyOfOne() {
		FairnessTally tally = new FairnessTally(List.of(new SensitiveAttribute(ALL, null, null)));
		tally.add(new String[] { ALL }, new GroupCounts(1, 0, 0, 0));
		return tally;
	}

	/** Most groups one attribute may have (the fairness checks' limit). */
	public static final int MAX_GROUPS = FairnessTally.DEFAULT_MAX_GROUPS_PER_ATTRIBUTE;

	/**
	 * Confusion counts of the binary decision "the positive class or not".
	 *
	 * @param tp actual positive, predicted positive
	 * @param fp actual negative, predicted positive
	 * @param tn actual negative, predicted negative
	 * @param fn actual positive, predicted negative
	 */
	public record Counts(long tp, long fp, long tn, long fn) {

		public static final Counts EMPTY = new Counts(0, 0, 0, 0);

		public Counts {
			if (tp < 0 || fp < 0 || tn < 0 || fn < 0) {
				throw new IllegalArgumentException("counts cannot be negative");
			}
		}

		/** The counts of one row. */
		public static Counts of(boolean actual, boolean predicted) {
			return new Counts((actual && predicted) ? 1 : 0, (!actual && predicted) ? 1 : 0,
					(!actual && !predicted) ? 1 : 0, (actual && !predicted) ? 1 : 0);
		}

		/** Rows. */
		public long n() {
			return this.tp + this.fp + this.tn + this.fn;
		}

		/** Both together. */
		public Counts plus(Counts other) {
			return new Counts(this.tp + other.tp, this.fp + other.fp, this.tn + other.tn, this.fn + other.fn);
		}

		GroupCounts groupCounts() {
			return new GroupCounts(this.tp, this.fp, this.tn, this.fn);
		}

	}

	/**
	 * How groups are compared.
	 *
	 * @param minGroupSize a group with fewer rows is suppressed from the comparisons (at
	 * least 1)
	 * @param minPositives a group with fewer actual positives is suppressed (at least 0)
	 * @param confidenceLevel of the rates' Wilson intervals, strictly between 0 and 1
	 */
	public record Rules(int minGroupSize, int minPositives, double confidenceLevel) {

		public Rules {
			// the engine's own checks, so that a caller learns of a bad rule at once
			new FairnessAnalysis.Settings(0, 0, confidenceLevel, minGroupSize, minPositives, 1);
		}

	}

}
