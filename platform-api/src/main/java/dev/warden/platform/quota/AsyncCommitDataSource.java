package dev.warden.platform.quota;

import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.logging.Logger;

import javax.sql.DataSource;

/**
 * Hands out the shared pool's connections, but every transaction the bucket proxy manager starts on one (by
 * {@code setAutoCommit(false)}) first runs {@code SET LOCAL synchronous_commit = off}. {@code SET LOCAL} ends with
 * the transaction, so the pooled connection goes back unchanged and other users (request log, audit) keep durable
 * commits. Thread-safe as the underlying data source.
 */
final class AsyncCommitDataSource implements DataSource {

	private final DataSource delegate;

	AsyncCommitDataSource(DataSource delegate) {
		this.delegate = delegate;
	}

	@Override
	public Connection getConnection() throws SQLException {
		return wrap(this.delegate.getConnection());
	}

	@Override
	public Connection getConnection(String username, String password) throws SQLException {
		return wrap(this.delegate.getConnection(username, password));
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

	@Override
	public PrintWriter getLogWriter() throws SQLException {
		return this.delegate.getLogWriter();
	}

	@Override
	public void setLogWriter(PrintWriter out) throws SQLException {
		this.delegate.setLogWriter(out);
	}

	@Override
	public void setLoginTimeout(int seconds) throws SQLException {
		this.delegate.setLoginTimeout(seconds);
	}

	@Override
	public int getLoginTimeout() throws SQLException {
		return this.delegate.getLoginTimeout();
	}

	@Override
	public Logger getParentLogger() throws SQLFeatureNotSupportedException {
		return this.delegate.getParentLogger();
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		return this.delegate.unwrap(iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) throws SQLException {
		return this.delegate.isWrapperFor(iface);
	}

}
