package dev.warden.platform.system;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.flyway.autoconfigure.FlywayConfigurationCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.datasource.DelegatingDataSource;

import dev.warden.platform.system.internal.EmbeddedDatabase;

/**
 * The one {@link DataSource}: an external PostgreSQL when {@code warden.database.url}
 * (WARDEN_DB_URL) is set, otherwise the locked-down embedded PostgreSQL of
 * {@link EmbeddedDatabase}, whose data directory survives restarts and which the
 * application reaches as its own non-superuser role with a password. An external server
 * is reached with the TLS settings of {@link DatabaseTls} ({@code verify-full} by default
 * when its host is not a loopback address); the embedded one listens on 127.0.0.1 only
 * and is reached without TLS.
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
		Path dataDir = warden.dataDir().toAbsolutePath();
		return new EmbeddedPostgresServer(EmbeddedDatabase.start(dataDir, database.embeddedBinariesDir(dataDir)));
	}

	@Bean(destroyMethod = "close")
	HikariDataSource dataSource(DatabaseProperties database, EmbeddedPostgresServer server) {
		if (database.external()) {
			return external(database);
		}
		HikariConfig config = poolConfig(database);
		config.setJdbcUrl(server.database().jdbcUrl());
		config.setUsername(server.database().username());
		config.setPassword(server.database().password());
		return new HikariDataSource(config);
	}

	/**
	 * Migrations may run for long before they answer (a table rebuilt and copied): their
	 * connections get {@code warden.database.long-socket-timeout} instead of the pool's
	 * socket timeout (the pool restores it when the connection is returned).
	 */
	@Bean
	FlywayConfigurationCustomizer longStatementMigrations(DatabaseTimeouts timeouts) {
		return (configuration) -> {
			DataSource target = configuration.getDataSource();
			if (target != null) {
				configuration.dataSource(new DelegatingDataSource(target) {

					@Override
					public Connection getConnection() throws SQLException {
						Connection connection = super.getConnection();
						timeouts.allowLongStatements(connection);
						return connection;
					}

				});
			}
		};
	}

	/**
	 * The pool of an external server: its TLS settings resolved ({@link DatabaseTls}) and
	 * logged, then one connection opened with them before the pool is made, so that a
	 * server that cannot be reached or verified stops the start with one clear message
	 * ({@link DatabaseConnectionException}) rather than the pool's stack trace.
	 */
	static HikariDataSource external(DatabaseProperties database) {
		DatabaseTls.Resolution tls;
		HikariConfig config;
		try {
			tls = DatabaseTls.resolve(database.url(), database.tls());
			config = externalConfig(database, tls);
		}
		catch (IllegalArgumentException ex) {
			// an unknown ssl-mode, a client key the driver cannot read, not a PostgreSQL
			// URL
			throw new DatabaseConnectionException(ex);
		}
		probe(config, tls);
		return new HikariDataSource(config);
	}

	/**
	 * The pool configuration for an external server. Its data source properties carry the
	 * TLS settings; every other connection to the database starts from this pool (the
	 * request-log pool copies its configuration, the key listener its URL, credentials
	 * and data source properties, Flyway and Bucket4j use the pool itself).
	 */
	static HikariConfig externalConfig(DatabaseProperties database) {
		return externalConfig(database, DatabaseTls.resolve(database.url(), database.tls()));
	}

	private static HikariConfig externalConfig(DatabaseProperties database, DatabaseTls.Resolution tls) {
		log.info("{}", tls.describe());
		tls.conflicts().forEach((conflict) -> log.warn("{}", conflict));
		HikariConfig config = poolConfig(database);
		config.setJdbcUrl(database.url());
		if (!database.username().isBlank()) {
			config.setUsername(database.username());
		}
		if (!database.password().isBlank()) {
			config.setPassword(database.password());
		}
		tls.connectionProperties().forEach((name, value) -> config.addDataSourceProperty((String) name, value));
		return config;
	}

	/**
	 * The pool's settings, the bounds on a database that stops answering included: every
	 * connection of the pool (and the request-log pool and key listener, which copy its
	 * data source properties) has a socket timeout, so a statement on a frozen server
	 * fails after {@code socket-timeout} with a connection error and Hikari discards the
	 * connection instead of giving it back; opening a connection is bounded by
	 * {@code connect-timeout}; a pooled connection idle for more than 500 ms is checked
	 * within {@code validation-timeout} before it is handed out. A value in the JDBC URL
	 * wins over these.
	 */
	static HikariConfig poolConfig(DatabaseProperties database) {
		HikariConfig config = new HikariConfig();
		config.setPoolName("warden");
		config.setMaximumPoolSize(database.poolSize());
		config.setConnectionTimeout(database.connectionTimeout().toMillis());
		config.setValidationTimeout(Math.max(250,
				Math.min(database.validationTimeout().toMillis(), database.connectionTimeout().toMillis())));
		// named, not detected from the first connection: if the database goes away while
		// Hikari reads it, the pool keeps an unset level and refuses every later
		// connection ("Transaction isolation level -1 not supported") until a restart.
		// PostgreSQL's default.
		config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
		config.addDataSourceProperty("reWriteBatchedInserts", "true");
		config.addDataSourceProperty("socketTimeout", DatabaseProperties.driverSeconds(database.socketTimeout()));
		config.addDataSourceProperty("connectTimeout", DatabaseProperties.driverSeconds(database.connectTimeout()));
		config.addDataSourceProperty("loginTimeout", DatabaseProperties.driverSeconds(database.connectTimeout()));
		return config;
	}

	private static void probe(HikariConfig config, DatabaseTls.Resolution tls) {
		Properties properties = new Properties();
		properties.putAll(config.getDataSourceProperties());
		if (config.getUsername() != null) {
			properties.setProperty("user", config.getUsername());
		}
		if (config.getPassword() != null) {
			properties.setProperty("password", config.getPassword());
		}
		// a server that accepts the TCP connection but never answers must not hang the
		// start (a loginTimeout in the URL wins)
		properties.putIfAbsent("loginTimeout", "30");
		try (Connection ignored = DriverManager.getConnection(config.getJdbcUrl(), properties)) {
			// reachable, verified and authenticated
		}
		catch (SQLException ex) {
			throw new DatabaseConnectionException(config.getJdbcUrl(), config.getUsername(), tls, ex);
		}
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
