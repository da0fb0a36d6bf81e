package dev.warden.platform.audit;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.stereotype.Service;

import dev.warden.platform.crypto.SigningKeys;
import dev.warden.platform.system.DatabaseTimeouts;

/**
 * Verifies the audit chain of this installation's database with its public signing key.
 * Thread-safe.
 */
@Service
class AuditVerification {

	private final DataSource dataSource;

	private final SigningKeys keys;

	private final DatabaseTimeouts timeouts;

	AuditVerification(DataSource dataSource, SigningKeys keys, DatabaseTimeouts timeouts) {
		this.dataSource = dataSource;
		this.timeouts = timeouts;
		this.keys = keys;
	}

	AuditChainVerifier.Result verify() {
		try (Connection connection = this.dataSource.getConnection()) {
			// one statement reads the whole chain: warden.database.long-socket-timeout
			this.timeouts.allowLongStatements(connection);
			return new AuditChainVerifier(SigningKeys.verifier(this.keys.publicKeysetJson())).verify(connection);
		}
		catch (SQLException | GeneralSecurityException ex) {
			throw new IllegalStateException("the audit chain could not be read", ex);
		}
	}

}
