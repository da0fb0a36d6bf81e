package dev.warden.platform.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;

import static org.assertj.core.api.Assertions.assertThat;

class DemoBootstrapIntegrationTests {

	@Test
	void demoTenantAndKeyAreCreatedOnceAuditedAndKeptInAnOwnerOnlyFile(@TempDir Path dataDir) throws Exception {
		String raw;
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of("warden.demo.enabled", "true"))) {
			Path keyFile = dataDir.resolve("demo-api-key");
			raw = Files.readString(keyFile).strip();
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile))).isEqualTo("rw-------");
			assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve("master-key.json"))))
				.isEqualTo("rw-------");
			assertThat(app.bean(ApiKeyManagement.class).verify(raw)).hasValueSatisfying((key) -> {
				assertThat(key.tenantName()).isEqualTo("demo");
				assertThat(key.plan()).isEqualTo("free");
			});
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM audit_events WHERE actor = 'system' AND action IN ('tenant.created', "
						+ "'api_key.created')")
				.query(Long.class)
				.single()).isEqualTo(2L);
		}
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of("warden.demo.enabled", "true"))) {
			assertThat(Files.readString(dataDir.resolve("demo-api-key")).strip()).isEqualTo(raw);
			assertThat(app.bean(ApiKeyManagement.class).verify(raw)).isPresent();
			assertThat(app.jdbc().sql("SELECT count(*) FROM tenants WHERE name = 'demo'").query(Long.class).single())
				.isEqualTo(1L);
		}
	}

	@Test
	void withoutTheDemoFlagNothingIsCreated(@TempDir Path dataDir) {
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of())) {
			assertThat(app.jdbc().sql("SELECT count(*) FROM tenants").query(Long.class).single()).isZero();
			assertThat(dataDir.resolve("demo-api-key")).doesNotExist();
		}
	}

}
