package dev.warden.platform.quota.internal;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.springframework.jdbc.datasource.DelegatingDataSource;

/**
 * Hands out the shared pool's connections, but every transaction the bucket proxy manager
 * starts on one (by {@code setAutoCommit(false)}) first runs
 * {@code SET LOCAL synchronous_commit = off}. {@code SET LOCAL} ends with the
 * transaction, so the pooled connection goes back unchanged and other users (request log,
 * audit) keep durable commits. Thread-safe as the underlying data source.
 */
public final class AsyncCommitDataSource extends DelegatingDataSource {

	public AsyncCommitDataSource(DataSource delegate) {
		super(delegate);
	}

	@Override
	public Connection getConnection() throws SQLException {
		return wrap(obtainTargetDataSource().getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return wrap(obtainTargetDataSource().getConnection(username, password));
	}

	private static Connection wrap(Connection connection) {
		return (Connection) Proxy.newProxyInstance(AsyncCommitDataSource.class.getClassLoader(),
				new Class<?>[] { Connection.class }, (proxy, method, args) -> {
					Object result;
					try {
						result = method.invoke(connection, args);
					}
					catch (InvocationTargetException ex) {
						throw ex.getCause();
					}
					if (method.getName().equals("setAutoCommit") && Boolean.FALSE.equals(args[0])) {
						try (Statement statement = connection.createStatement()) {
							statement.execute("SET LOCAL synchronous_commit = off");
						}
					}
					return result;
				});
	}

}
