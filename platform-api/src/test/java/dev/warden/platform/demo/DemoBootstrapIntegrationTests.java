package dev.warden.platform.demo;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.ApiKeyManagement;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(OutputCaptureExtension.class)
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

	/**
	 * Finding 8: whatever the process prints (console log, standard output and error)
	 * ends up in log files, so the raw key must never be among it, neither when it is
	 * created nor on a later start; the log names it by prefix.
	 */
	@Test
	void theRawKeyNeverReachesTheProcessOutput(@TempDir Path dataDir, CapturedOutput output) throws Exception {
		String raw;
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of("warden.demo.enabled", "true"))) {
			raw = Files.readString(dataDir.resolve("demo-api-key")).strip();
		}
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of("warden.demo.enabled", "true"))) {
			assertThat(app.bean(ApiKeyManagement.class).verify(raw)).isPresent();
		}
		String prefix = raw.substring(0, raw.lastIndexOf('_'));
		String secret = raw.substring(raw.lastIndexOf('_') + 1);

		assertThat(prefix).startsWith("wdn_");
		assertThat(secret).hasSizeGreaterThanOrEqualTo(32);
		assertThat(output.getAll()).doesNotContain(secret);
		// and the capture does see the application's log: the creation is logged, by the
		// key's prefix
		assertThat(output.getAll()).contains("Created demo tenant 'demo' and its API key " + prefix + "…",
				"Demo tenant 'demo' exists");
	}

	@Test
	void withoutTheDemoFlagNothingIsCreated(@TempDir Path dataDir) {
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of())) {
			assertThat(app.jdbc().sql("SELECT count(*) FROM tenants").query(Long.class).single()).isZero();
			assertThat(dataDir.resolve("demo-api-key")).doesNotExist();
		}
	}

}
