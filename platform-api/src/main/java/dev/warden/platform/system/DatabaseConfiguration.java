package dev.warden.platform.system;

import java.io.IOException;
import java.nio.file.Path;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.warden.platform.system.internal.EmbeddedDatabase;

/**
 * The one {@link DataSource}: an external PostgreSQL when {@code warden.database.url}
 * (WARDEN_DB_URL) is set, otherwise the locked-down embedded PostgreSQL of
 * {@link EmbeddedDatabase}, whose data directory survives restarts and which the
 * application reaches as its own non-superuser role with a password.
 */
@Configuration(proxyBeanMethods = false)
class DatabaseConfiguration {

	@Bean(destroyMethod = "close")
	EmbeddedPostgresServer embeddedPostgresServer(DatabaseProperties database, WardenProperties warden)
			throws IOException {
		if (database.external()) {
			return new EmbeddedPostgresServer(null);
		}
		Path dataDir = warden.dataDir().toAbsolutePath();
		return new EmbeddedPostgresServer(EmbeddedDatabase.start(dataDir, database.embeddedBinariesDir(dataDir)));
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
			config.setJdbcUrl(server.database().jdbcUrl());
			config.setUsername(server.database().username());
			config.setPassword(server.database().password());
		}
		config.addDataSourceProperty("reWriteBatchedInserts", "true");
		return new HikariDataSource(config);
	}

	/**
	 * Holder so that the data source bean depends on (and is closed before) the embedded
	 * server.
	 */
	record EmbeddedPostgresServer(EmbeddedDatabase database) implements AutoCloseable {

		@Override
		public void close() {
			if (this.database != null) {
				this.database.close();
			}
		}

	}

}
