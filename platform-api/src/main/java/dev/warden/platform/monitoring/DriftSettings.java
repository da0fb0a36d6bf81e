package dev.warden.platform.monitoring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The drift settings of one model, from {@code policies/monitoring.yaml} (its
 * {@code drift.default} entry with the keys of the model's entry replaced).
 *
 * @param psi a PSI above this is drift
 * @param js a Jensen–Shannon distance (base 2) above this is drift
 * @param ks a binned Kolmogorov–Smirnov statistic above this is drift (numeric inputs,
 * token counts, score)
 * @param minSamples fewer live (or reference) rows than this in a window give no verdict
 * ({@code insufficient_data})
 * @param k a category needs at least this many rows to be kept by name (reference
 * profile, and one flush of a live chunk); fewer go to {@code other}
 * @param window the default window of the drift API
 * @param bins quantile bins of numeric inputs and token counts in new profiles
 * @param hashBuckets hash buckets of text tokens in new profiles
 * @param textFeatures string inputs that are free text
 * @param categoricalFeatures string inputs that are categories
 */
public record DriftSettings(double psi, double js, double ks, long minSamples, int k, Duration window, int bins,
		int hashBuckets, List<String> textFeatures, List<String> categoricalFeatures) {

	/** The built-in defaults (also those of the shipped file). */
	public static final DriftSettings DEFAULTS = new DriftSettings(0.2, 0.1, 0.1, 100, 10, Duration.ofHours(1), 10, 64,
			List.of(), List.of());

	public DriftSettings {
		textFeatures = List.copyOf(textFeatures);
		categoricalFeatures = List.copyOf(categoricalFeatures);
	}

	/** The settings as the audit trail and the API show them. */
	public Map<String, Object> describe() {
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("psi", this.psi);
		out.put("js", this.js);
		out.put("ks", this.ks);
		out.put("min_samples", this.minSamples);
		out.put("k", this.k);
		out.put("window", MonitoringPolicyParser.formatDuration(this.window));
		out.put("bins", this.bins);
		out.put("hash_buckets", this.hashBuckets);
		out.put("text_features", this.textFeatures);
		out.put("categorical_features", this.categoricalFeatures);
		return out;
	}

}
