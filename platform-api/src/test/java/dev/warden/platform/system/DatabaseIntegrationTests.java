package dev.warden.platform.system;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.WardenTestApp;
import dev.warden.platform.audit.AuditTrail;

import static org.assertj.core.api.Assertions.assertThat;

class DatabaseIntegrationTests {

	@Test
	void embeddedDatabaseKeepsDataAcrossRestartsWithDurableCommits(@TempDir Path dataDir) {
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of())) {
			JdbcClient jdbc = app.jdbc();
			assertThat(jdbc.sql("SHOW fsync").query(String.class).single()).isEqualTo("on");
			assertThat(jdbc.sql("SHOW synchronous_commit").query(String.class).single()).isEqualTo("on");
			app.bean(TransactionTemplate.class)
				.executeWithoutResult(
						(status) -> app.bean(AuditTrail.class).append("test", "restart.marker", "test", null, null));
		}
		assertThat(dataDir.resolve("postgres").resolve("PG_VERSION")).exists();
		try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of())) {
			assertThat(app.jdbc()
				.sql("SELECT count(*) FROM audit_events WHERE action = 'restart.marker'")
				.query(Long.class)
				.single()).isEqualTo(1L);
			assertThat(app.jdbc().sql("SHOW fsync").query(String.class).single()).isEqualTo("on");
		}
	}

	@Test
	void externalDatabaseIsUsedWhenAUrlIsGivenAndNoEmbeddedServerStarts(@TempDir Path dataDir,
			@TempDir Path externalDir) throws Exception {
		try (EmbeddedPostgres external = EmbeddedPostgres.builder().setDataDirectory(externalDir).start()) {
			String url = external.getJdbcUrl("postgres", "postgres");
			try (WardenTestApp app = WardenTestApp.start(dataDir, Map.of("warden.database.url", url,
					"warden.database.username", "postgres", "warden.database.password", ""))) {
				assertThat(app.jdbc().sql("SHOW port").query(String.class).single())
					.isEqualTo(Integer.toString(external.getPort()));
			}
			JdbcClient direct = JdbcClient.create(external.getPostgresDatabase());
			assertThat(direct
				.sql("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
						+ "('tenants', 'api_keys', 'models', 'model_versions', 'request_log', 'audit_events')")
				.query(Long.class)
				.single()).isEqualTo(6L);
		}
		assertThat(Files.exists(dataDir.resolve("postgres"))).isFalse();
	}

}
