package dev.warden.platform.requestlog;

import java.io.InputStream;

import org.junit.jupiter.api.Test;
import tools.jackson.dataformat.yaml.YAMLMapper;

import org.springframework.core.io.ClassPathResource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/** The {@code retention} section of {@code policies/logging.yaml}. */
class RetentionPolicyTests {

	@Test
	void packagedPolicyKeepsThirteenMonthsOfBoth() throws Exception {
		try (InputStream in = new ClassPathResource("policies/logging.yaml").getInputStream()) {
			RetentionPolicy policy = new RetentionPolicy(new YAMLMapper().readTree(in));
			assertThat(policy.requestLogMonths()).isEqualTo(13);
			assertThat(policy.usageDailyMonths()).isEqualTo(13);
		}
	}

	@Test
	void usageRetentionMayDiffer() {
		RetentionPolicy policy = RetentionPolicy.parse("retention: { request_log_months: 6, usage_daily_months: 25 }");
		assertThat(policy.requestLogMonths()).isEqualTo(6);
		assertThat(policy.usageDailyMonths()).isEqualTo(25);
	}

	@Test
	void withoutRetentionEverythingIsKept() {
		RetentionPolicy policy = RetentionPolicy.parse("redaction: { default: { emails: true } }");
		assertThat(policy.requestLogMonths()).isNull();
		assertThat(policy.usageDailyMonths()).isNull();
	}

	@Test
	void invalidValuesNameTheField() {
		assertThatIllegalStateException()
			.isThrownBy(() -> RetentionPolicy.parse("retention: { request_log_months: 0 }"))
			.withMessageContaining("retention.request_log_months");
		assertThatIllegalStateException()
			.isThrownBy(() -> RetentionPolicy.parse("retention: { request_log_months: '13 months' }"))
			.withMessageContaining("retention.request_log_months");
		assertThatIllegalStateException()
			.isThrownBy(() -> RetentionPolicy.parse("retention: { request_log_months: 3, usage_daily_months: 1.5 }"))
			.withMessageContaining("retention.usage_daily_months");
		assertThatIllegalStateException().isThrownBy(() -> RetentionPolicy.parse("retention: { request_log_days: 30 }"))
			.withMessageContaining("retention.request_log_days is unknown");
		assertThatIllegalStateException().isThrownBy(() -> RetentionPolicy.parse("retention: 13"))
			.withMessageContaining("retention must be a mapping");
	}

}
