package dev.warden.platform.system;

import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a failed connection to the external PostgreSQL at start-up as one line (and its
 * cause) instead of a stack trace. Registered in {@code META-INF/spring.factories}.
 */
class DatabaseConnectionFailureAnalyzer extends AbstractFailureAnalyzer<DatabaseConnectionException> {

	@Override
	protected FailureAnalysis analyze(Throwable rootFailure, DatabaseConnectionException cause) {
		String root = cause.rootCause();
		return new FailureAnalysis(cause.getMessage() + (root.isEmpty() ? "" : "\nCause: " + root), cause.action(),
				cause);
	}

}
