package dev.warden.platform.requestlog;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.Http;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code warden.request-log.enabled=false} (benchmarks only): answers are released
 * without a record, and the gap is on record in the audit trail.
 */
class RequestLogDisabledIntegrationTests {

	@TempDir
	static Path dataDir;

	static WardenTestApp app;

	@BeforeAll
	static void start() {
		app = WardenTestApp.start(dataDir, Map.of("warden.request-log.enabled", "false"));
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.close();
		}
	}

	@Test
	void answersAreNotLoggedAndTheStartIsAudited() {
		Tenant tenant = app.bean(TenantManagement.class).create("log-off", "standard", "test");
		String key = app.bean(ApiKeyManagement.class).create(tenant.id(), "test", "test").rawKey();
		HttpResponse<String> response = Http.get(app.url("/v1/usage"), "Authorization", "Bearer " + key, "X-Request-Id",
				"log-off-1");
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(app.jdbc().sql("SELECT count(*) FROM request_log").query(Long.class).single()).isZero();
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'request_log.disabled' AND actor = 'system'")
			.query(Long.class)
			.single()).isEqualTo(1);
	}

}
