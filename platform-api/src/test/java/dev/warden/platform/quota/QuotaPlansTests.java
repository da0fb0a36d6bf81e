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
		QuotaPlans plans = new QuotaPlans(new WardenProperties(dir, dir.resolve("missing"), "", ""));
		assertThat(plans.names()).containsExactly("free", "standard", "enterprise");
		assertThat(plans.defaultPlan()).isEqualTo("free");
		assertThat(plans.find("free")).hasValue(new QuotaPlan("free", 5, 10, 65536, 10000, 100));
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
		QuotaPlans plans = new QuotaPlans(new WardenProperties(dir, dir, "", ""));
		assertThat(plans.find("tiny")).hasValue(new QuotaPlan("tiny", 1, 2, 100));
		assertThat(plans.find("free")).isEmpty();
	}

	@Test
	void monthlyAndRowLimitsAreReadAndDefaultToNone(@TempDir Path dir) throws Exception {
		Files.writeString(dir.resolve("quotas.yaml"), """
				default_plan: metered
				plans:
				  metered:
				    requests_per_second: 10
				    burst: 20
				    max_request_bytes: 100
				    requests_per_month: 50
				    max_rows_per_request: 7
				  open:
				    requests_per_second: 1
				    burst: 1
				    max_request_bytes: 100
				""");
		QuotaPlans plans = new QuotaPlans(new WardenProperties(dir, dir, "", ""));
		assertThat(plans.find("metered")).hasValue(new QuotaPlan("metered", 10, 20, 100, 50, 7));
		assertThat(plans.find("open").orElseThrow().hasMonthlyQuota()).isFalse();
		assertThat(plans.find("open").orElseThrow().maxRowsPerRequest()).isZero();
	}

	@Test
	void negativeMonthlyQuotaIsRejected() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> new QuotaPlan("bad", 1, 1, 1, -1, 0))
			.withMessageContaining("requests_per_month >= 0");
	}

	@Test
	void invalidFilesAreRefusedNamingTheProblem() {
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
			.isThrownBy(() -> QuotaPlans.parse("plans: [unclosed".getBytes()))
			.withMessageContaining("not valid YAML");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> QuotaPlans.parse("""
				plans:
				  a:
				    requests_per_second: 1
				    burst: 1
				    max_request_bytes: 10
				    requets_per_month: 5
				""".getBytes())).withMessageContaining("unknown field 'requets_per_month'");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> QuotaPlans.parse("""
				default_plan: a
				plans:
				  a:
				    requests_per_second: fast
				    burst: 1
				    max_request_bytes: 10
				""".getBytes())).withMessageContaining("requests_per_second must be an integer");
		org.assertj.core.api.Assertions.assertThatIllegalArgumentException().isThrownBy(() -> QuotaPlans.parse("""
				default_plan: b
				plans:
				  a:
				    requests_per_second: 1
				    burst: 1
				    max_request_bytes: 10
				""".getBytes())).withMessageContaining("default_plan 'b'");
	}

}
