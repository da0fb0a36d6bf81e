package dev.warden.platform.system;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells an error that means "the database did not answer" (connection refused, lost or
 * timed out, no pooled connection in time, server shutting down or out of resources,
 * statement cancelled by a timeout) from one where the database answered and refused (a
 * constraint, bad SQL). The first is answered 503 with {@code Retry-After}: the request
 * may succeed once the database is back; the second is a bug or bad input.
 */
public final class DatabaseUnavailable {

	private DatabaseUnavailable() {
	}

	/** Whether the error, or one of its causes, says the database could not be used. */
	public static boolean is(Throwable error) {
		int depth = 0;
		for (Throwable t = error; t != null && depth < 32; t = (t.getCause() != t) ? t.getCause() : null, depth++) {
			if (t instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
					&& is(rollback.getApplicationException())) {
				// the statement failed for want of an answer, then the rollback on the
				// connection the pool had already discarded
				return true;
			}
			if (t instanceof DataAccessResourceFailureException || t instanceof TransientDataAccessException
					|| t instanceof CannotCreateTransactionException) {
				return true;
			}
			if (t instanceof SQLTransientException || t instanceof SQLRecoverableException
					|| t instanceof SQLNonTransientConnectionException) {
				return true;
			}
			if (t instanceof SQLException sql) {
				SQLException next = sql.getNextException();
				if (unavailableState(sql.getSQLState()) || (next != null && unavailableState(next.getSQLState()))) {
					return true;
				}
			}
		}
		return false;
	}

	/**
	 * Connection exceptions (08), insufficient resources (53), operator intervention (57:
	 * server shutting down, statement cancelled by a timeout).
	 */
	private static boolean unavailableState(String state) {
		return state != null && (state.startsWith("08") || state.startsWith("53") || state.startsWith("57"));
	}

}
