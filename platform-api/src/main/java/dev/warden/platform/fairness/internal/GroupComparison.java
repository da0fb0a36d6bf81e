package dev.warden.platform.fairness.internal;

import java.util.List;

/**
 * The disparities between the compared (not suppressed) groups of one attribute or
 * intersection, computed from their confusion counts: against the reference group (SPD,
 * DI, EOD, AOD, PPD), between groups (demographic parity and equalized odds difference
 * and ratio) and the four-fifths ratios. The same computation serves the observed counts
 * and every bootstrap resample, so a metric's interval is of exactly the point value's
 * formula. The statistics form one flat array in a fixed layout.
 */
final class GroupComparison {

	/** Against-reference metrics, in their layout order. */
	static final List<String> AGAINST_REFERENCE = List.of("statistical_parity_difference", "disparate_impact_ratio",
			"equal_opportunity_difference", "average_odds_difference", "predictive_parity_difference");

	/** Between-group metrics, in their layout order. */
	static final List<String> BETWEEN_GROUPS = List.of("demographic_parity_difference", "demographic_parity_ratio",
			"equalized_odds_difference", "equalized_odds_ratio");

	private final List<String> groups;

	private final int reference;

	private final String noReference;

	private final int highest;

	/**
	 * @param groups the compared groups' labels
	 * @param observed their observed counts (choose the highest-rate group)
	 * @param reference the reference group's index in {@code groups}, or -1
	 * @param noReference why there is no reference to compare with (when -1)
	 */
	GroupComparison(List<String> groups, GroupCounts[] observed, int reference, String noReference) {
		this.groups = groups;
		this.reference = reference;
		this.noReference = noReference;
		int top = -1;
		double rate = -1;
		for (int g = 0; g < observed.length; g++) {
			double s = observed[g].predictedPositives() / (double) observed[g].n();
			if (s > rate) {
				rate = s;
				top = g;
			}
		}
		this.highest = top;
	}

	/** The groups compared with the reference (every group but the reference). */
	int againstCount() {
		return this.groups.size() - ((this.reference >= 0) ? 1 : 0);
	}

	/** The index in {@code groups} of the k-th group compared with the reference. */
	int againstGroup(int k) {
		return (this.reference >= 0 && k >= this.reference) ? k + 1 : k;
	}

	/** The group with the highest selection rate in the observed counts, or -1. */
	int highest() {
		return this.highest;
	}

	/**
	 * The index in {@code groups} of the k-th four-fifths entry (every group but the
	 * highest).
	 */
	int fourFifthsGroup(int k) {
		return (this.highest >= 0 && k >= this.highest) ? k + 1 : k;
	}

	int fourFifthsCount() {
		return this.groups.size() - ((this.highest >= 0) ? 1 : 0);
	}

	int againstIndex(int k, int metric) {
		return k * AGAINST_REFERENCE.size() + metric;
	}

	int betweenIndex(int metric) {
		return againstCount() * AGAINST_REFERENCE.size() + metric;
	}

	int fourFifthsIndex(int k) {
		return betweenIndex(BETWEEN_GROUPS.size()) + k;
	}

	int size() {
		return fourFifthsIndex(fourFifthsCount());
	}

	/**
	 * Every statistic of the layout.
	 * @param counts the groups' counts (observed or resampled), each with n ≥ 1
	 */
	FairnessValue[] compute(GroupCounts[] counts) {
		int m = counts.length;
		FairnessValue[] s = new FairnessValue[m];
		FairnessValue[] tpr = new FairnessValue[m];
		FairnessValue[] fpr = new FairnessValue[m];
		FairnessValue[] precision = new FairnessValue[m];
		for (int g = 0; g < m; g++) {
			s[g] = GroupRates.selectionRate(counts[g]);
			tpr[g] = GroupRates.tpr(counts[g]);
			fpr[g] = GroupRates.fpr(counts[g]);
			precision[g] = GroupRates.precision(counts[g]);
		}
		FairnessValue[] out = new FairnessValue[size()];
		for (int k = 0; k < againstCount(); k++) {
			int g = againstGroup(k);
			if (this.reference < 0) {
				for (int metric = 0; metric < AGAINST_REFERENCE.size(); metric++) {
					out[againstIndex(k, metric)] = FairnessValue.undefined(this.noReference);
				}
				continue;
			}
			int r = this.reference;
			out[againstIndex(k, 0)] = difference(s, g, r, "selection rate");
			out[againstIndex(k, 1)] = (!s[r].defined()) ? undefinedIn(s, r, "selection rate")
					: FairnessValue.ratio(s[g].value(), s[r].value(), "the reference group's selection rate is 0");
			out[againstIndex(k, 2)] = difference(tpr, g, r, "TPR");
			FairnessValue fprDifference = difference(fpr, g, r, "FPR");
			FairnessValue tprDifference = out[againstIndex(k, 2)];
			out[againstIndex(k, 3)] = (!fprDifference.defined()) ? fprDifference : (!tprDifference.defined())
					? tprDifference : FairnessValue.of((fprDifference.value() + tprDifference.value()) / 2);
			out[againstIndex(k, 4)] = difference(precision, g, r, "precision");
		}
		between(s, tpr, fpr, out);
		double max = Double.NEGATIVE_INFINITY;
		for (FairnessValue rate : s) {
			max = Math.max(max, rate.value());
		}
		for (int k = 0; k < fourFifthsCount(); k++) {
			int g = fourFifthsGroup(k);
			out[fourFifthsIndex(k)] = FairnessValue.ratio(s[g].value(), max,
					"every compared group's selection rate is 0");
		}
		return out;
	}

	private void between(FairnessValue[] s, FairnessValue[] tpr, FairnessValue[] fpr, FairnessValue[] out) {
		int base = betweenIndex(0);
		if (s.length < 2) {
			FairnessValue none = FairnessValue
				.undefined("fewer than two groups are large enough to compare (the others are suppressed)");
			for (int metric = 0; metric < BETWEEN_GROUPS.size(); metric++) {
				out[base + metric] = none;
			}
			return;
		}
		double[] selection = range(s);
		out[base] = FairnessValue.of(selection[1] - selection[0]);
		out[base + 1] = FairnessValue.ratio(selection[0], selection[1], "every compared group's selection rate is 0");
		FairnessValue undefinedTpr = firstUndefined(tpr, "TPR");
		FairnessValue undefinedFpr = firstUndefined(fpr, "FPR");
		if (undefinedTpr != null || undefinedFpr != null) {
			FairnessValue undefined = (undefinedTpr != null) ? undefinedTpr : undefinedFpr;
			out[base + 2] = undefined;
			out[base + 3] = undefined;
			return;
		}
		double[] tprRange = range(tpr);
		double[] fprRange = range(fpr);
		out[base + 2] = FairnessValue.of(Math.max(tprRange[1] - tprRange[0], fprRange[1] - fprRange[0]));
		FairnessValue tprRatio = FairnessValue.ratio(tprRange[0], tprRange[1], "every compared group's TPR is 0");
		FairnessValue fprRatio = FairnessValue.ratio(fprRange[0], fprRange[1], "every compared group's FPR is 0");
		out[base + 3] = (!tprRatio.defined()) ? tprRatio
				: (!fprRatio.defined()) ? fprRatio : FairnessValue.of(Math.min(tprRatio.value(), fprRatio.value()));
	}

	private FairnessValue difference(FairnessValue[] rate, int g, int r, String name) {
		if (!rate[g].defined()) {
			return undefinedIn(rate, g, name);
		}
		if (!rate[r].defined()) {
			return undefinedIn(rate, r, name);
		}
		return FairnessValue.of(rate[g].value() - rate[r].value());
	}

	private FairnessValue undefinedIn(FairnessValue[] rate, int g, String name) {
		return FairnessValue.undefined(name + " is undefined in group " + this.groups.get(g) + ": " + rate[g].reason());
	}

	private FairnessValue firstUndefined(FairnessValue[] rate, String name) {
		for (int g = 0; g < rate.length; g++) {
			if (!rate[g].defined()) {
				return undefinedIn(rate, g, name);
			}
		}
		return null;
	}

	private static double[] range(FairnessValue[] values) {
		double min = Double.POSITIVE_INFINITY;
		double max = Double.NEGATIVE_INFINITY;
		for (FairnessValue value : values) {
			min = Math.min(min, value.value());
			max = Math.max(max, value.value());
		}
		return new double[] { min, max };
	}

}
