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
	}

	@Test
	void aModelEntryIsTheDefaultWithItsKeysReplaced() {
		MonitoringPolicy policy = parse("""
				drift:
				  default: {psi: 0.3, min_samples: 50, window: 30m}
				  models:
				    income: {js: 0.05, categorical_features: [occupation], window: 1d}
				alerts:
				  - anything: here is reserved
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
		assertThatIllegalArgumentException().isThrownBy(() -> parse("drift: [")).withMessageContaining("YAML");
	}

}
