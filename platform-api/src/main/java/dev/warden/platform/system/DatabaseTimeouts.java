package dev.warden.platform.system;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Executor;

import org.springframework.stereotype.Component;

/**
 * The bounds on waiting for the database that code outside the pool's defaults needs: the
 * longer socket timeout of the few statements that may legitimately run long before their
 * first answer ({@code warden.database.long-socket-timeout}), and the {@code Retry-After}
 * of a 503 answered because the database did not answer in time.
 */
@Component
public class DatabaseTimeouts {

	/** pgjdbc does not use the executor; the pool requires one. */
	private static final Executor DIRECT = Runnable::run;

	private final Duration longSocketTimeout;

	private final Duration retryAfter;

	DatabaseTimeouts(DatabaseProperties database) {
		this.longSocketTimeout = database.longSocketTimeout();
		this.retryAfter = database.retryAfter();
	}

	/**
	 * Gives this connection the long socket timeout until it goes back to the pool (the
	 * pool restores the default when it is returned).
	 */
	public void allowLongStatements(Connection connection) throws SQLException {
		connection.setNetworkTimeout(DIRECT, (int) Math.min(Integer.MAX_VALUE, this.longSocketTimeout.toMillis()));
	}

	/** The {@code Retry-After} value (whole seconds, at least 1). */
	public String retryAfterSeconds() {
		return Long.toString(Math.max(1, (this.retryAfter.toMillis() + 999) / 1000));
	}

}
