package dev.warden.platform.quota;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.TokensInheritanceStrategy;
import org.junit.jupiter.api.Test;

import dev.warden.platform.system.ApiException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class QuotaOverrideTests {

	private static final QuotaPlan PLAN = new QuotaPlan("standard", 50, 100, 1_048_576, 1_000_000, 1000);

	@Test
	void stricterOverrideIsAccepted() {
		new QuotaOverride(5L, 10L, 1000L, 1024L, 10L).requireStricterThan(PLAN);
		new QuotaOverride(50L, 100L, 1_000_000L, 1_048_576L, 1000L).requireStricterThan(PLAN);
		QuotaOverride.NONE.requireStricterThan(PLAN);
	}

	@Test
	void looserFieldIsRejectedByName() {
		assertRejected(new QuotaOverride(51L, 100L, null, null, null), "quota.requests_per_second", "looser");
		assertRejected(new QuotaOverride(10L, 101L, null, null, null), "quota.burst", "looser");
		assertRejected(new QuotaOverride(null, null, 1_000_001L, null, null), "quota.requests_per_month", "looser");
		assertRejected(new QuotaOverride(null, null, null, 1_048_577L, null), "quota.max_request_bytes", "looser");
		assertRejected(new QuotaOverride(null, null, null, null, 1001L), "quota.max_rows_per_request", "looser");
	}

	@Test
	void invalidOverridesAreRejectedByName() {
		assertRejected(new QuotaOverride(0L, 1L, null, null, null), "quota.requests_per_second", "> 0");
		assertRejected(new QuotaOverride(null, null, -1L, null, null), "quota.requests_per_month", "> 0");
		assertRejected(new QuotaOverride(5L, null, null, null, null), "quota.burst", "together");
		assertRejected(new QuotaOverride(null, 5L, null, null, null), "quota.requests_per_second", "together");
		assertRejected(new QuotaOverride(5L, 4L, null, null, null), "quota.burst", ">= requests_per_second");
	}

	@Test
	void anyMonthlyOrRowOverrideIsStricterThanAPlanWithoutThatLimit() {
		QuotaPlan open = new QuotaPlan("open", 10, 20, 100);
		new QuotaOverride(null, null, 5_000_000L, null, 1_000_000L).requireStricterThan(open);
		assertThat(new QuotaOverride(null, null, 7L, null, 9L).keyMonthly(open)).isEqualTo(7);
		assertThat(new QuotaOverride(null, null, 7L, null, 9L).applyTo(open).maxRowsPerRequest()).isEqualTo(9);
	}

	@Test
	void enforcementTakesTheMinimumSoALoweredPlanStillWins() {
		QuotaOverride override = new QuotaOverride(20L, 40L, 500L, 4096L, 100L);
		QuotaPlan applied = override.applyTo(PLAN);
		assertThat(applied).isEqualTo(new QuotaPlan("standard", 20, 40, 4096, 1_000_000, 100));
		assertThat(override.keyMonthly(PLAN)).isEqualTo(500);

		QuotaPlan lowered = new QuotaPlan("standard", 5, 8, 1024, 300, 10);
		assertThat(override.applyTo(lowered)).isEqualTo(new QuotaPlan("standard", 5, 8, 1024, 300, 10));
		assertThat(override.keyMonthly(lowered)).isEqualTo(300);
		assertThat(QuotaOverride.NONE.applyTo(lowered)).isSameAs(lowered);
	}

	@Test
	void fieldsListOnlyWhatIsSet() {
		assertThat(new QuotaOverride(1L, 2L, null, null, 3L).fields()).containsExactly(
				org.assertj.core.api.Assertions.entry("requests_per_second", 1L),
				org.assertj.core.api.Assertions.entry("burst", 2L),
				org.assertj.core.api.Assertions.entry("max_rows_per_request", 3L));
		assertThat(QuotaOverride.NONE.isEmpty()).isTrue();
	}

	/**
	 * A rate bucket reconfigured with a lower burst keeps its tokens, capped by the new
	 * burst (AS_IS).
	 */
	@Test
	void loweredRateGrantsNoFreshBurst() {
		Bucket rate = Bucket.builder()
			.addLimit(QuotaManagement.rateConfiguration(new QuotaPlan("p", 1, 1000, 10)).getBandwidths()[0])
			.build();
		assertThat(rate.tryConsume(999)).isTrue();
		rate.replaceConfiguration(QuotaManagement.rateConfiguration(new QuotaPlan("p", 1, 3, 10)),
				TokensInheritanceStrategy.AS_IS);
		// RESET would hand out a full burst of 3 again
		assertThat(rate.getAvailableTokens()).isLessThan(3);
		assertThat(rate.tryConsume(4)).isFalse();
	}

	private static void assertRejected(QuotaOverride override, String field, String reason) {
		assertThatExceptionOfType(ApiException.class).isThrownBy(() -> override.requireStricterThan(PLAN))
			.satisfies((ex) -> {
				assertThat(ex.status().value()).isEqualTo(400);
				assertThat(ex.code()).isEqualTo("validation_failed");
				assertThat(ex.getMessage()).startsWith(field + ":").contains(reason);
			});
	}

}
