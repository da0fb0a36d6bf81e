package dev.warden.platform.system;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which errors mean "the database did not answer" (503 with {@code Retry-After}) and
 * which mean it answered and refused (not a 503).
 */
class DatabaseUnavailableTests {

	private static PSQLException socketTimeout() {
		return new PSQLException("An I/O error occurred while sending to the backend.", PSQLState.CONNECTION_FAILURE,
				new SocketTimeoutException("Read timed out"));
	}

	@Test
	void aStatementWithoutAnAnswerIsUnavailableHoweverItIsWrapped() {
		assertThat(DatabaseUnavailable.is(socketTimeout())).isTrue();
		// Bucket4j and other libraries wrap the driver's exception in their own
		assertThat(DatabaseUnavailable.is(new IllegalStateException("bucket", socketTimeout()))).isTrue();
		assertThat(DatabaseUnavailable.is(new CannotGetJdbcConnectionException("pool",
				new SQLTransientConnectionException("warden - Connection is not available, request timed out"))))
			.isTrue();
		assertThat(DatabaseUnavailable.is(new CannotCreateTransactionException("begin"))).isTrue();
	}

	@Test
	void aFailedRollbackOnTheDiscardedConnectionCountsByTheErrorThatCausedIt() {
		TransactionSystemException rollback = new TransactionSystemException("JDBC rollback failed",
				new SQLException("Connection is closed"));
		assertThat(DatabaseUnavailable.is(rollback)).isFalse();
		rollback.initApplicationException(new RuntimeException("statement", socketTimeout()));
		assertThat(DatabaseUnavailable.is(rollback)).isTrue();
	}

	@Test
	void anAnswerThatRefusesIsNotUnavailable() {
		assertThat(DatabaseUnavailable.is(new DataIntegrityViolationException("duplicate",
				new PSQLException("duplicate key value", PSQLState.UNIQUE_VIOLATION))))
			.isFalse();
		assertThat(DatabaseUnavailable.is(new PSQLException("syntax error", PSQLState.SYNTAX_ERROR))).isFalse();
		assertThat(DatabaseUnavailable.is(new IllegalArgumentException("bad input"))).isFalse();
	}

}
