package dev.warden.platform.requestlog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A changed {@code logging.yaml} is on record: each start with a policy different from
 * the last recorded one appends {@code request_log.policy_applied} with both hashes; a
 * start with the same policy appends nothing.
 */
class LoggingPolicyAuditIntegrationTests {

	@TempDir
	Path dataDir;

	@TempDir
	Path policiesDir;

	private static final String POLICY = """
			redaction:
			  default:
			    emails: true
			retention:
			  request_log_months: %d
			""";

	private List<Map<String, Object>> events(WardenTestApp app) {
		return app.jdbc()
			.sql("SELECT actor, details->>'sha256' AS sha256, details->>'previous_sha256' AS previous, "
					+ "details->>'request_log_months' AS months FROM audit_events WHERE action = :action ORDER BY seq")
			.param("action", LoggingPolicyAudit.ACTION)
			.query()
			.listOfRows();
	}

	private WardenTestApp start() {
		return WardenTestApp.start(this.dataDir, Map.of("warden.policies-dir", this.policiesDir.toString()));
	}

	@Test
	void eachChangeOfThePolicyIsAuditedOnce() throws Exception {
		try (var quotas = new org.springframework.core.io.ClassPathResource("policies/quotas.yaml").getInputStream()) {
			Files.write(this.policiesDir.resolve("quotas.yaml"), quotas.readAllBytes());
		}
		Files.writeString(this.policiesDir.resolve("logging.yaml"), POLICY.formatted(13));
		String first;
		try (WardenTestApp app = start()) {
			List<Map<String, Object>> events = events(app);
			assertThat(events).hasSize(1);
			assertThat(events.get(0)).containsEntry("actor", "system").containsEntry("months", "13");
			assertThat(events.get(0).get("previous")).isNull();
			first = (String) events.get(0).get("sha256");
		}
		try (WardenTestApp app = start()) {
			assertThat(events(app)).as("unchanged policy: nothing new").hasSize(1);
		}
		Files.writeString(this.policiesDir.resolve("logging.yaml"), POLICY.formatted(6));
		try (WardenTestApp app = start()) {
			List<Map<String, Object>> events = events(app);
			assertThat(events).hasSize(2);
			assertThat(events.get(1)).containsEntry("previous", first).containsEntry("months", "6");
			assertThat(events.get(1).get("sha256")).isNotEqualTo(first);
		}
	}

}
