package dev.warden.platform.quota;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.system.WardenProperties;

import static org.assertj.core.api.Assertions.assertThat;

class QuotaPlansTests {

	@Test
	void packagedPlansAreUsedWhenThePoliciesDirectoryDoesNotExist(@TempDir Path dir) throws Exception {
		QuotaPlans plans = new QuotaPlans(new WardenProperties(dir, dir.resolve("missing")));
		assertThat(plans.names()).containsExactly("free", "standard", "enterprise");
		assertThat(plans.defaultPlan()).isEqualTo("free");
		assertThat(plans.find("free")).hasValue(new QuotaPlan("free", 5, 10, 65536));
	}

	@Test
	void plansAreReadFromThePoliciesDirectory(@TempDir Path dir) throws Exception {
		Files.writeString(dir.resolve("quotas.yaml"), """
				default_plan: tiny
				plans:
				  tiny:
				    requests_per_second: 1
				    burst: 2
				    max_request_bytes: 100
				""");
		QuotaPlans plans = new QuotaPlans(new WardenProperties(dir, dir));
		assertThat(plans.find("tiny")).hasValue(new QuotaPlan("tiny", 1, 2, 100));
		assertThat(plans.find("free")).isEmpty();
	}

	@Test
	void burstIsEnforcedPerKey(@TempDir Path dir) throws Exception {
		QuotaManagement quotas = new QuotaManagement(new QuotaPlans(new WardenProperties(dir, dir.resolve("none"))));
		java.util.UUID key = java.util.UUID.randomUUID();
		QuotaManagement.Decision last = null;
		for (int i = 0; i < 10; i++) {
			last = quotas.consume(key, "free");
		}
		assertThat(last.allowed()).isTrue();
		// refill is 5/s, so within the same instant the 11th..15th tokens cannot all be there: drain until refused
		QuotaManagement.Decision refused = quotas.consume(key, "free");
		for (int i = 0; i < 1000 && refused.allowed(); i++) {
			refused = quotas.consume(key, "free");
		}
		assertThat(refused.allowed()).isFalse();
		assertThat(refused.retryAfterSeconds()).isGreaterThanOrEqualTo(1);
		assertThat(quotas.consume(java.util.UUID.randomUUID(), "free").allowed()).isTrue();
	}

}
