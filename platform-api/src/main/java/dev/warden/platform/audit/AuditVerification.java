package dev.warden.platform.audit;

import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.springframework.stereotype.Service;

import dev.warden.platform.crypto.SigningKeys;

/**
 * Verifies the audit chain of this installation's database with its public signing key.
 * Thread-safe.
 */
@Service
class AuditVerification {

	private final DataSource dataSource;

	private final SigningKeys keys;

	AuditVerification(DataSource dataSource, SigningKeys keys) {
		this.dataSource = dataSource;
		this.keys = keys;
	}

	AuditChainVerifier.Result verify() {
		try (Connection connection = this.dataSource.getConnection()) {
			return new AuditChainVerifier(SigningKeys.verifier(this.keys.publicKeysetJson())).verify(connection);
		}
		catch (SQLException | GeneralSecurityException ex) {
			throw new IllegalStateException("the audit chain could not be read", ex);
		}
	}

}
