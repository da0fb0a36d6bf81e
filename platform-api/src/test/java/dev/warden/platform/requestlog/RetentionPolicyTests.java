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
			assertThat(policy.servingMinutesMonths()).isEqualTo(13);
			assertThat(policy.feedbackMonths()).isEqualTo(13);
		}
	}

	@Test
	void usageRetentionMayDiffer() {
		RetentionPolicy policy = RetentionPolicy.parse("retention: { request_log_months: 6, usage_daily_months: 25 }");
		assertThat(policy.requestLogMonths()).isEqualTo(6);
		assertThat(policy.usageDailyMonths()).isEqualTo(25);
		assertThat(policy.servingMinutesMonths()).as("absent: as the request log").isEqualTo(6);
	}

	@Test
	void servingHealthRetentionMayDifferAndAloneIsARetention() {
		RetentionPolicy policy = RetentionPolicy
			.parse("retention: { request_log_months: 13, serving_minutes_months: 2 }");
		assertThat(policy.servingMinutesMonths()).isEqualTo(2);
		assertThat(policy.usageDailyMonths()).isEqualTo(13);
		RetentionPolicy alone = RetentionPolicy.parse("retention: { serving_minutes_months: 3 }");
		assertThat(alone.requestLogMonths()).isNull();
		assertThat(alone.usageDailyMonths()).isNull();
		assertThat(alone.servingMinutesMonths()).isEqualTo(3);
		assertThat(alone.configured()).isTrue();
	}

	@Test
	void feedbackRetentionMayDifferAndAloneIsARetention() {
		RetentionPolicy policy = RetentionPolicy.parse("retention: { request_log_months: 13, feedback_months: 24 }");
		assertThat(policy.feedbackMonths()).isEqualTo(24);
		assertThat(policy.servingMinutesMonths()).isEqualTo(13);
		assertThat(RetentionPolicy.parse("retention: { request_log_months: 5 }").feedbackMonths())
			.as("absent: as the request log")
			.isEqualTo(5);
		RetentionPolicy alone = RetentionPolicy.parse("retention: { feedback_months: 3 }");
		assertThat(alone.requestLogMonths()).isNull();
		assertThat(alone.feedbackMonths()).isEqualTo(3);
		assertThat(alone.configured()).isTrue();
		assertThatIllegalStateException().isThrownBy(() -> RetentionPolicy.parse("retention: { feedback_months: 0 }"))
			.withMessageContaining("retention.feedback_months");
	}

	@Test
	void withoutRetentionEverythingIsKept() {
		RetentionPolicy policy = RetentionPolicy.parse("redaction: { default: { emails: true } }");
		assertThat(policy.requestLogMonths()).isNull();
		assertThat(policy.usageDailyMonths()).isNull();
		assertThat(policy.servingMinutesMonths()).isNull();
		assertThat(policy.feedbackMonths()).isNull();
		assertThat(policy.configured()).isFalse();
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
		assertThatIllegalStateException()
			.isThrownBy(() -> RetentionPolicy.parse("retention: { request_log_months: 3, serving_minutes_months: 0 }"))
			.withMessageContaining("retention.serving_minutes_months");
		assertThatIllegalStateException().isThrownBy(() -> RetentionPolicy.parse("retention: 13"))
			.withMessageContaining("retention must be a mapping");
	}

}
