package dev.warden.platform.promotion;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code promotion.yaml} as parsed and validated ({@link PromotionPolicyParser}): the
 * {@code default} entry and the per-model entries, each complete (a model entry is the
 * default with the keys it names replaced). Immutable.
 *
 * @param defaults what applies to a model without an entry of its own
 * @param models the models' entries, by model name
 * @param sha256 the SHA-256 of the file's bytes (of no bytes for the built-in defaults)
 * @param source {@code file}, {@code packaged} or {@code built-in}
 */
record PromotionPolicy(ModelPolicy defaults, Map<String, ModelPolicy> models, String sha256, String source) {

	static final String FILE_NAME = "promotion.yaml";

	static final String BUILT_IN = "built-in";

	/** The policy when there is no file: approval required, no rule beyond four eyes. */
	static PromotionPolicy builtIn() {
		return new PromotionPolicy(ModelPolicy.BUILT_IN, Map.of(), sha256(new byte[0]), BUILT_IN);
	}

	/** The entry that applies to {@code model}. */
	ModelPolicy forModel(String model) {
		ModelPolicy own = this.models.get(model);
		return (own != null) ? own : this.defaults;
	}

	/** As stored in {@code promotion_policy_versions.policy} and the audit trail. */
	Map<String, Object> describe() {
		Map<String, Object> models = new LinkedHashMap<>();
		this.models.forEach((name, policy) -> models.put(name, policy.describe()));
		Map<String, Object> all = new LinkedHashMap<>();
		all.put("default", this.defaults.describe());
		all.put("models", models);
		return all;
	}

	static String sha256(byte[] bytes) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String sha256(String text) {
		return sha256(text.getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * What applies to one model.
	 *
	 * @param requireApproval whether changes of the stable version and canary increases
	 * above {@code maxCanaryWeightWithoutApproval} need an approved promotion request
	 * @param maxCanaryWeightWithoutApproval the highest canary weight (percent) an
	 * administrator may set directly
	 * @param rules what a version must show to be promoted
	 */
	record ModelPolicy(boolean requireApproval, int maxCanaryWeightWithoutApproval, Rules rules) {

		static final ModelPolicy BUILT_IN = new ModelPolicy(true, 10,
				new Rules(null, null, false, null, Approvals.DEFAULT));

		Map<String, Object> describe() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("require_approval", this.requireApproval);
			out.put("max_canary_weight_without_approval", this.maxCanaryWeightWithoutApproval);
			out.put("rules", this.rules.describe());
			return out;
		}

	}

	/**
	 * The rules; a {@code null} rule is not checked.
	 *
	 * @param fairness the version's latest fairness report must exist (on the named
	 * dataset, young enough) and meet every metric threshold
	 * @param explainabilityReport the version must have an explainability report, young
	 * enough
	 * @param modelCardComplete the version's model card must lack no required section
	 * @param accuracyNotWorse accuracy not worse than the stable version's on the same
	 * evaluation dataset by more than a margin
	 * @param approvals how many other administrators must approve, and who may not
	 */
	record Rules(FairnessRule fairness, ExplainabilityRule explainabilityReport, boolean modelCardComplete,
			AccuracyRule accuracyNotWorse, Approvals approvals) {

		Map<String, Object> describe() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("fairness", (this.fairness != null) ? this.fairness.describe() : false);
			out.put("explainability_report",
					(this.explainabilityReport != null) ? this.explainabilityReport.describe() : false);
			out.put("model_card_complete", this.modelCardComplete);
			out.put("accuracy_not_worse",
					(this.accuracyNotWorse != null) ? Map.of("margin", this.accuracyNotWorse.margin()) : false);
			out.put("approvals", this.approvals.describe());
			return out;
		}

	}

	/**
	 * The fairness rule.
	 *
	 * @param dataset the evaluation dataset's name the report must be computed on, or
	 * {@code null} for the latest report whatever its dataset
	 * @param maxAgeDays the oldest report accepted, in days, or {@code null} for any age
	 * @param metrics the thresholds
	 */
	record FairnessRule(String dataset, Integer maxAgeDays, List<MetricRule> metrics) {

		Map<String, Object> describe() {
			Map<String, Object> out = new LinkedHashMap<>();
			if (this.dataset != null) {
				out.put("dataset", this.dataset);
			}
			if (this.maxAgeDays != null) {
				out.put("max_age_days", this.maxAgeDays);
			}
			List<Object> metrics = new ArrayList<>();
			this.metrics.forEach((metric) -> metrics.add(metric.describe()));
			out.put("metrics", metrics);
			return out;
		}

	}

	/**
	 * A threshold on one metric of the fairness report.
	 *
	 * @param metric one of {@link FairnessMetric}'s names
	 * @param attributes the attributes (and intersections, {@code sex+race}) it applies
	 * to, or {@code null} for every attribute and intersection in the report (ignored for
	 * {@code theil_index}, which is not per attribute)
	 * @param min lowest value accepted, or {@code null}
	 * @param max highest value accepted, or {@code null}
	 * @param maxAbs highest absolute value accepted, or {@code null}
	 * @param wholeInterval whether the confidence interval, not only the value, must be
	 * inside
	 */
	record MetricRule(String metric, List<String> attributes, Double min, Double max, Double maxAbs,
			boolean wholeInterval) {

		Map<String, Object> threshold() {
			Map<String, Object> out = new LinkedHashMap<>();
			if (this.min != null) {
				out.put("min", this.min);
			}
			if (this.max != null) {
				out.put("max", this.max);
			}
			if (this.maxAbs != null) {
				out.put("max_abs", this.maxAbs);
			}
			out.put("whole_interval", this.wholeInterval);
			return out;
		}

		Map<String, Object> describe() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("metric", this.metric);
			if (this.attributes != null) {
				out.put("attributes", this.attributes);
			}
			out.putAll(threshold());
			return out;
		}

	}

	/** The explainability rule: a report no older than {@code maxAgeDays} (or any). */
	record ExplainabilityRule(Integer maxAgeDays) {

		Map<String, Object> describe() {
			return (this.maxAgeDays != null) ? Map.of("max_age_days", this.maxAgeDays) : Map.of();
		}

	}

	/** The accuracy rule: at most {@code margin} (absolute) below the stable version. */
	record AccuracyRule(double margin) {
	}

	/**
	 * Who must approve.
	 *
	 * @param required how many administrators must approve
	 * @param distinctFromRequester the requester may not approve
	 * @param distinctFromUploader the administrator who uploaded the version may not
	 * approve
	 */
	record Approvals(int required, boolean distinctFromRequester, boolean distinctFromUploader) {

		static final Approvals DEFAULT = new Approvals(1, true, true);

		Map<String, Object> describe() {
			Map<String, Object> out = new LinkedHashMap<>();
			out.put("required", this.required);
			out.put("distinct_from_requester", this.distinctFromRequester);
			out.put("distinct_from_uploader", this.distinctFromUploader);
			return out;
		}

	}

}
