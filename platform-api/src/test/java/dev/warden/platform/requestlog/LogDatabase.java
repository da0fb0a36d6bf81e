package dev.warden.platform.requestlog;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.flywaydb.core.Flyway;

import dev.warden.platform.RestartablePostgres;
import dev.warden.platform.requestlog.internal.LogRecord;

/**
 * A migrated embedded PostgreSQL (fsync on) with an application-like pool and a
 * request-log pool made the way {@link RequestLogWriter} makes its own, for tests and the
 * benchmark that drive the writers without Spring.
 */
final class LogDatabase implements AutoCloseable {

	final RestartablePostgres postgres;

	final HikariDataSource main;

	final HikariDataSource logPool;

	LogDatabase(Path dir, int poolSize, int writerThreads) {
		this.postgres = new RestartablePostgres(dir);
		HikariConfig config = new HikariConfig();
		config.setPoolName("warden");
		config.setJdbcUrl(this.postgres.jdbcUrl());
		config.setUsername("postgres");
		config.setMaximumPoolSize(poolSize);
		config.setConnectionTimeout(3000);
		config.addDataSourceProperty("reWriteBatchedInserts", "true");
		this.main = new HikariDataSource(config);
		Flyway.configure().dataSource(this.main).locations("classpath:db/migration").load().migrate();
		this.logPool = RequestLogWriter.pool(this.main, properties(writerThreads));
	}

	static RequestLogProperties properties(int writerThreads) {
		return new RequestLogProperties(true, false, 10_000, 1000, writerThreads, Duration.ZERO, 4, 1000,
				Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(10));
	}

	static LogRecord record(String requestId, UUID tenantId, byte[] request, byte[] response) {
		return record(UUID.randomUUID(), requestId, tenantId, request, response);
	}

	static LogRecord record(UUID id, String requestId, UUID tenantId, byte[] request, byte[] response) {
		return new LogRecord(id, requestId, Instant.now().truncatedTo(ChronoUnit.MICROS), tenantId, null, "income", "1",
				"POST", "/v1/models/income:predict", 200, 1234, (request != null) ? request.length : 0,
				(response != null) ? response.length : 0, null, request, response, 0);
	}

	@Override
	public void close() {
		this.logPool.close();
		this.main.close();
		this.postgres.close();
	}

}
