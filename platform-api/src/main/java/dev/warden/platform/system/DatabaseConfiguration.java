package dev.warden.platform.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The one {@link DataSource}: an external PostgreSQL when {@code warden.database.url} (WARDEN_DB_URL) is set,
 * otherwise an embedded PostgreSQL whose data directory survives restarts. The embedded server is started with
 * {@code fsync} and {@code synchronous_commit} on, because zonky's defaults turn both off and a request log or
 * audit trail must not lose committed rows.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	private static final Logger log = LoggerFactory.getLogger(DatabaseConfiguration.class);

	@Bean(destroyMethod = "close")
	EmbeddedPostgresServer embeddedPostgresServer(DatabaseProperties database, WardenProperties warden)
			throws IOException {
		if (database.external()) {
			return new EmbeddedPostgresServer(null);
		}
		Path dir = warden.dataDir().resolve("postgres").toAbsolutePath();
		Files.createDirectories(dir);
		EmbeddedPostgres postgres = EmbeddedPostgres.builder()
			.setDataDirectory(dir)
			.setCleanDataDirectory(false)
			// Spring closes the server after the connection pool (see the holder below); the library's own JVM
			// shutdown hook would stop it concurrently, while in-flight requests still write their log rows
			.setRegisterShutdownHook(false)
			.setPGStartupWait(Duration.ofSeconds(60))
			.setServerConfig("fsync", "on")
			.setServerConfig("synchronous_commit", "on")
			.setServerConfig("full_page_writes", "on")
			.start();
		log.info("Embedded PostgreSQL started on port {} with data directory {}", postgres.getPort(), dir);
		return new EmbeddedPostgresServer(postgres);
	}

	@Bean(destroyMethod = "close")
	HikariDataSource dataSource(DatabaseProperties database, EmbeddedPostgresServer server) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("warden");
		config.setMaximumPoolSize(database.poolSize());
		config.setConnectionTimeout(database.connectionTimeout().toMillis());
		if (database.external()) {
			config.setJdbcUrl(database.url());
			if (!database.username().isBlank()) {
				config.setUsername(database.username());
			}
			if (!database.password().isBlank()) {
				config.setPassword(database.password());
			}
		}
		else {
			config.setJdbcUrl(server.postgres().getJdbcUrl("postgres", "postgres"));
		}
		config.addDataSourceProperty("reWriteBatchedInserts", "true");
		return new HikariDataSource(config);
	}

	/** Holder so that the data source bean depends on (and is closed before) the embedded server. */
	record EmbeddedPostgresServer(EmbeddedPostgres postgres) implements AutoCloseable {

		@Override
		public void close() throws IOException {
			if (this.postgres != null) {
				this.postgres.close();
			}
		}

	}

}
