package dev.warden.platform.requestlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;

/**
 * The request log's own pool after the database went away while the pool read the default
 * transaction isolation from its very first connection (seen in CI: the database was
 * stopped just as the pool opened it). Hikari then keeps an unset level and, unless the
 * level is named in its configuration, refuses every later connection with PostgreSQL's
 * "Transaction isolation level -1 not supported": the log would stay unavailable until a
 * restart. Driven here by a data source whose first connection fails that read with a
 * connection error (SQL state 08003) and which refuses an unset level as PostgreSQL's
 * driver does.
 */
class RequestLogPoolRecoveryTests {

	/** Connections made; the first one loses its server while its isolation is read. */
	private final AtomicInteger connections = new AtomicInteger();

	private final AtomicInteger isolationRefusals = new AtomicInteger();

	private Connection connection() {
		int number = this.connections.incrementAndGet();
		int[] isolation = { Connection.TRANSACTION_READ_COMMITTED };
		boolean[] lost = { false };
		return (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Connection.class },
				(proxy, method, args) -> switch (method.getName()) {
					case "close", "isClosed", "isWrapperFor", "toString", "hashCode", "equals", "abort" ->
						switch (method.getName()) {
							case "isWrapperFor", "isClosed" -> false;
							case "toString" -> "connection " + number;
							case "hashCode" -> number;
							case "equals" -> proxy == args[0];
							default -> null;
						};
					case "isValid" -> !lost[0];
					default -> {
						if (lost[0]) {
							throw new SQLException("This connection has been closed.", "08003");
						}
						yield answer(method, args, number, isolation, lost);
					}
				});
	}

	private Object answer(Method method, Object[] args, int number, int[] isolation, boolean[] lost)
			throws SQLException {
		return switch (method.getName()) {
			case "getTransactionIsolation" -> {
				if (number == 1) {
					// the server went away while the pool read the level
					lost[0] = true;
					throw new SQLException("This connection has been closed.", "08003");
				}
				yield isolation[0];
			}
			case "setTransactionIsolation" -> {
				int level = (int) args[0];
				if (level < 0) {
					this.isolationRefusals.incrementAndGet();
					throw new SQLException("Transaction isolation level " + level + " not supported.");
				}
				isolation[0] = level;
				yield null;
			}
			case "getAutoCommit" -> true;
			case "createStatement" -> statement();
			default -> defaultValue(method.getReturnType());
		};
	}

	private Statement statement() {
		return (Statement) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] { Statement.class },
				(proxy, method, args) -> switch (method.getName()) {
					case "execute" -> false;
					case "isWrapperFor" -> false;
					case "hashCode" -> System.identityHashCode(proxy);
					case "equals" -> proxy == args[0];
					default -> defaultValue(method.getReturnType());
				});
	}

	private static Object defaultValue(Class<?> type) {
		if (type == boolean.class) {
			return false;
		}
		if (type == int.class) {
			return 0;
		}
		if (type == long.class) {
			return 0L;
		}
		return null;
	}

	private DataSource dataSource() {
		return new DataSource() {

			@Override
			public Connection getConnection() {
				return connection();
			}

			@Override
			public Connection getConnection(String username, String password) {
				return connection();
			}

			@Override
			public PrintWriter getLogWriter() {
				return null;
			}

			@Override
			public void setLogWriter(PrintWriter out) {
			}

			@Override
			public void setLoginTimeout(int seconds) {
			}

			@Override
			public int getLoginTimeout() {
				return 0;
			}

			@Override
			public Logger getParentLogger() {
				return Logger.getGlobal();
			}

			@Override
			public <T> T unwrap(Class<T> type) throws SQLException {
				throw new SQLException("not a wrapper");
			}

			@Override
			public boolean isWrapperFor(Class<?> type) {
				return false;
			}

		};
	}

	@Test
	void thePoolServesConnectionsAgainAfterItsFirstConnectionLostTheDatabase() throws Exception {
		HikariDataSource main = new HikariDataSource();
		main.setPoolName("warden");
		main.setDataSource(dataSource());
		try (HikariDataSource pool = RequestLogWriter.pool(main, LogDatabase.properties(1))) {
			// the pool keeps its first connection, which is dead: its first use fails and
			// the pool evicts it
			int working = 0;
			for (int attempt = 0; attempt < 6 && working < 3; attempt++) {
				try (Connection connection = pool.getConnection()) {
					assertThat(connection.getTransactionIsolation()).isEqualTo(Connection.TRANSACTION_READ_COMMITTED);
					working++;
				}
				catch (SQLException ex) {
					// the dead first connection (08003); the pool never answers otherwise
					// without the fix (every new connection refused, then a timeout)
					assertThat(ex.getSQLState()).as(ex.toString()).isEqualTo("08003");
				}
			}
			assertThat(working).isEqualTo(3);
			assertThat(this.connections.get()).isGreaterThan(1);
			assertThat(this.isolationRefusals.get()).isZero();
		}
	}

}
