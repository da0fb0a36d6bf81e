package dev.warden.platform.monitoring;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code alerts} section of {@code monitoring.yaml}.
 *
 * @param evaluateEvery how often the rules are evaluated (at least 10 s)
 * @param rules the rules, names unique
 */
record AlertPolicy(Duration evaluateEvery, List<AlertRule> rules) {

	static final Duration DEFAULT_EVALUATE_EVERY = Duration.ofMinutes(1);

	static final Duration MIN_EVALUATE_EVERY = Duration.ofSeconds(10);

	static final AlertPolicy NONE = new AlertPolicy(DEFAULT_EVALUATE_EVERY, List.of());

	AlertPolicy {
		rules = List.copyOf(rules);
	}

	Map<String, Object> describe() {
		Map<String, Object> out = new LinkedHashMap<>();
		long seconds = this.evaluateEvery.toSeconds();
		out.put("evaluate_every",
				(seconds % 60 == 0) ? MonitoringPolicyParser.formatDuration(this.evaluateEvery) : seconds + "s");
		out.put("rules", this.rules.stream().map(AlertRule::describe).toList());
		return out;
	}

}
