package dev.warden.platform.monitoring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One alert rule of the {@code alerts} section of {@code monitoring.yaml}.
 *
 * @param name unique name ({@code [a-z0-9-]})
 * @param model the model, or {@code *} for every model of the catalogue
 * @param kind {@code error_rate}, {@code p99_latency}, {@code drift},
 * {@code accuracy_drop} or {@code fairness}
 * @param window the span the condition is read over; {@code null} for a drift rule that
 * uses the model's drift window
 * @param above fires when the value is above this ({@code null}: not this comparison)
 * @param below fires when the value is below this ({@code null}: not this comparison)
 * @param minRequests {@code error_rate}, {@code p99_latency}: fewer requests in the
 * window give no verdict
 * @param attribute {@code fairness}: the sensitive attribute
 * @param metric {@code fairness}: the between-groups metric of the live-quality answer
 */
record AlertRule(String name, String model, String kind, Duration window, Double above, Double below, long minRequests,
		String attribute, String metric) {

	static final String ERROR_RATE = "error_rate";

	static final String P99_LATENCY = "p99_latency";

	static final String DRIFT = "drift";

	static final String ACCURACY_DROP = "accuracy_drop";

	static final String FAIRNESS = "fairness";

	static final List<String> KINDS = List.of(ERROR_RATE, P99_LATENCY, DRIFT, ACCURACY_DROP, FAIRNESS);

	/**
	 * The between-groups metrics of a live-quality attribute a fairness rule can watch.
	 */
	static final List<String> FAIRNESS_METRICS = List.of("demographic_parity_difference", "demographic_parity_ratio",
			"equalized_odds_difference", "equalized_odds_ratio");

	static final long DEFAULT_MIN_REQUESTS = 50;

	/** Whether the rule watches {@code model}. */
	boolean covers(String modelName) {
		return "*".equals(this.model) || this.model.equals(modelName);
	}

	/** {@code above}, {@code below} or {@code verdict} (drift). */
	String comparison() {
		return (this.above != null) ? "above" : (this.below != null) ? "below" : "verdict";
	}

	Double threshold() {
		return (this.above != null) ? this.above : this.below;
	}

	/** Whether {@code value} is on the firing side of the threshold. */
	boolean fires(double value) {
		return (this.above != null) ? value > this.above : value < this.below;
	}

	Map<String, Object> describe() {
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("name", this.name);
		out.put("model", this.model);
		out.put("kind", this.kind);
		if (this.window != null) {
			out.put("window", MonitoringPolicyParser.formatDuration(this.window));
		}
		if (this.above != null) {
			out.put("above", this.above);
		}
		if (this.below != null) {
			out.put("below", this.below);
		}
		if (ERROR_RATE.equals(this.kind) || P99_LATENCY.equals(this.kind)) {
			out.put("min_requests", this.minRequests);
		}
		if (this.attribute != null) {
			out.put("attribute", this.attribute);
			out.put("metric", this.metric);
		}
		return out;
	}

}
