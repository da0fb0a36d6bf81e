package dev.warden.platform.monitoring;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * {@code monitoring.yaml}: the shipped file, defaults and per-model entries, and every
 * kind of mistake refused with a message naming where.
 */
class MonitoringPolicyParserTests {

	private static MonitoringPolicy parse(String yaml) {
		return MonitoringPolicyParser.parse(yaml.getBytes(StandardCharsets.UTF_8), "file");
	}

	@Test
	void theShippedPolicyIsValidAndHoldsTheBuiltInDefaults() throws Exception {
		byte[] shipped = Files.readAllBytes(Path.of("..", "policies", "monitoring.yaml"));
		MonitoringPolicy policy = MonitoringPolicyParser.parse(shipped, "file");
		assertThat(policy.defaults()).isEqualTo(DriftSettings.DEFAULTS);
		assertThat(policy.drift("spam").textFeatures()).containsExactly("text");
		assertThat(policy.drift("income")).isEqualTo(DriftSettings.DEFAULTS);
		assertThat(policy.alerts().evaluateEvery()).isEqualTo(Duration.ofMinutes(1));
		assertThat(policy.alerts().rules()).extracting(AlertRule::name)
			.contains("income-error-rate", "income-drift", "spam-drift");
	}

	@Test
	void aModelEntryIsTheDefaultWithItsKeysReplaced() {
		MonitoringPolicy policy = parse("""
				drift:
				  default: {psi: 0.3, min_samples: 50, window: 30m}
				  models:
				    income: {js: 0.05, categorical_features: [occupation], window: 1d}
				""");
		DriftSettings income = policy.drift("income");
		assertThat(income.psi()).isEqualTo(0.3);
		assertThat(income.js()).isEqualTo(0.05);
		assertThat(income.minSamples()).isEqualTo(50);
		assertThat(income.window()).isEqualTo(Duration.ofDays(1));
		assertThat(income.categoricalFeatures()).isEqualTo(List.of("occupation"));
		assertThat(policy.drift("other").window()).isEqualTo(Duration.ofMinutes(30));
		assertThat(policy.describe().toString()).contains("window=30m").contains("window=1d");
	}

	@Test
	void mistakesAreRefusedNamingWhere() {
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: {default: {psi: 0}}"))
			.withMessageContaining("drift.default.psi");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: {default: {js: 1.5}}"))
			.withMessageContaining("drift.default.js");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: {default: {min_samples: 0}}"))
			.withMessageContaining("min_samples");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: {default: {window: 90s}}"))
			.withMessageContaining("window");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: {default: {bins: 1}}"))
			.withMessageContaining("bins");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: {models: {spam: {treshold: 1}}}"))
			.withMessageContaining("drift.models.spam")
			.withMessageContaining("treshold");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift:\n  default: {k: 2}\n  default: {k: 3}\n"))
			.withMessageContaining("YAML");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> parse("drift: {default: {text_features: [a], categorical_features: [a]}}"))
			.withMessageContaining("both");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("monitors: {}")).withMessageContaining("monitors");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("alerts: 3")).withMessageContaining("alerts");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("alerts: [{name: a}]"))
			.withMessageContaining("alerts: must be a mapping");
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: [")).withMessageContaining("YAML");
	}

	@Test
	void alertRulesAreReadWithTheirDefaults() {
		MonitoringPolicy policy = parse("""
				alerts:
				  evaluate_every: 30s
				  rules:
				    - {name: income-errors, model: income, kind: error_rate, above: 0.05}
				    - {name: all-p99, model: "*", kind: p99_latency, window: 10m, above: 250, min_requests: 20}
				    - {name: income-drift, model: income, kind: drift}
				    - {name: income-accuracy, model: income, kind: accuracy_drop, below: 0.8}
				    - {name: income-fairness, model: income, kind: fairness, attribute: sex,
				       metric: demographic_parity_difference, above: 0.1, window: 12h}
				""");
		AlertPolicy alerts = policy.alerts();
		assertThat(alerts.evaluateEvery()).isEqualTo(Duration.ofSeconds(30));
		assertThat(alerts.rules()).hasSize(5);
		AlertRule errors = alerts.rules().get(0);
		assertThat(errors.window()).isEqualTo(Duration.ofMinutes(5));
		assertThat(errors.minRequests()).isEqualTo(AlertRule.DEFAULT_MIN_REQUESTS);
		assertThat(errors.fires(0.06)).isTrue();
		assertThat(errors.fires(0.05)).isFalse();
		assertThat(alerts.rules().get(1).covers("spam")).isTrue();
		assertThat(alerts.rules().get(1).minRequests()).isEqualTo(20);
		assertThat(alerts.rules().get(2).window()).isNull();
		assertThat(alerts.rules().get(2).comparison()).isEqualTo("verdict");
		AlertRule accuracy = alerts.rules().get(3);
		assertThat(accuracy.window()).isEqualTo(Duration.ofDays(1));
		assertThat(accuracy.fires(0.79)).isTrue();
		assertThat(accuracy.fires(0.8)).isFalse();
		assertThat(alerts.rules().get(4).metric()).isEqualTo("demographic_parity_difference");
		assertThat(alerts.rules().get(4).window()).isEqualTo(Duration.ofHours(12));
		assertThat(policy.describe().toString()).contains("evaluate_every=30s").contains("name=income-fairness");
		assertThat(parse("drift: {}").alerts()).isEqualTo(AlertPolicy.NONE);
	}

	@Test
	void badAlertRulesAreRefusedNamingWhere() {
		String[][] cases = { { "alerts: {evaluate_every: 5s}", "alerts.evaluate_every" },
				{ "alerts: {every: 1m}", "unknown key 'every'" }, { "alerts: {rules: {a: 1}}", "alerts.rules" },
				{ "alerts: {rules: [{model: m, kind: drift}]}", "alerts.rules[0].name" },
				{ "alerts: {rules: [{name: Bad_Name, model: m, kind: drift}]}", "alerts.rules[0].name" },
				{ "alerts: {rules: [{name: a, model: 'bad model', kind: drift}]}", "(a).model" },
				{ "alerts: {rules: [{name: a, model: m, kind: latency}]}", "(a).kind" },
				{ "alerts: {rules: [{name: a, model: m, kind: error_rate}]}", "(a).above: is required" },
				{ "alerts: {rules: [{name: a, model: m, kind: error_rate, above: 1.5}]}", "(a).above" },
				{ "alerts: {rules: [{name: a, model: m, kind: error_rate, above: 0.1, below: 0.2}]}",
						"(a).below: a error_rate rule does not read it" },
				{ "alerts: {rules: [{name: a, model: m, kind: drift, above: 0.1}]}", "(a).above" },
				{ "alerts: {rules: [{name: a, model: m, kind: drift, colour: red}]}", "unknown key 'colour'" },
				{ "alerts: {rules: [{name: a, model: m, kind: p99_latency, above: 10, min_requests: 0}]}",
						"(a).min_requests" },
				{ "alerts: {rules: [{name: a, model: m, kind: p99_latency, above: 10, window: 5s}]}", "(a).window" },
				{ "alerts: {rules: [{name: a, model: m, kind: accuracy_drop, below: 0.8, window: 30m}]}",
						"(a).window" },
				{ "alerts: {rules: [{name: a, model: m, kind: fairness, attribute: sex, metric: gap, above: 1}]}",
						"(a).metric" },
				{ "alerts: {rules: [{name: a, model: m, kind: fairness, metric: demographic_parity_ratio, "
						+ "below: 0.8}]}", "(a).attribute" },
				{ "alerts: {rules: [{name: a, model: m, kind: fairness, attribute: sex, "
						+ "metric: demographic_parity_ratio}]}", "exactly one of above and below" },
				{ "alerts: {rules: [{name: a, model: m, kind: drift}, {name: a, model: n, kind: drift}]}",
						"alerts.rules[1].name: 'a' is the name of an earlier rule" } };
		for (String[] c : cases) {
			assertThatIllegalArgumentException().as(c[0]).isThrownBy(() -> parse(c[0])).withMessageContaining(c[1]);
		}
	}

}
