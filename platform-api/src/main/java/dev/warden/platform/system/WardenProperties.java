package dev.warden.platform.system;

import java.nio.file.Path;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Installation-wide settings ({@code warden.*}), see {@code docs/configuration.md}.
 *
 * @param dataDir directory holding the embedded PostgreSQL data, the master key and the
 * demo API key
 * @param policiesDir directory holding the governance policy files (falls back to the
 * copy packaged in the jar)
 * @param masterKey the local key-encryption key as a Tink JSON keyset (or base64 of it);
 * empty = the key file {@code <data dir>/master-key.json}, created on first start
 * @param signingKey the audit signing key as a Tink Ed25519 keyset in JSON (or base64 of
 * it); empty = the key file {@code <data dir>/signing-key.json}, created on first start
 */
@ConfigurationProperties("warden")
public record WardenProperties(@DefaultValue("data") Path dataDir, @DefaultValue("policies") Path policiesDir,
		@DefaultValue("") String masterKey, @DefaultValue("") String signingKey) {

	/**
	 * Whether a master key is configured ({@code WARDEN_MASTER_KEY}) rather than kept in
	 * the data directory.
	 */
	public boolean hasMasterKey() {
		return this.masterKey != null && !this.masterKey.isBlank();
	}

	/**
	 * Whether a signing key is configured ({@code WARDEN_SIGNING_KEY}) rather than kept
	 * in the data directory.
	 */
	public boolean hasSigningKey() {
		return this.signingKey != null && !this.signingKey.isBlank();
	}

	/**
	 * Never shows the keys (a record's default {@code toString} would, e.g. in a failure
	 * analysis).
	 */
	@Override
	public String toString() {
		return "WardenProperties[dataDir=" + this.dataDir + ", policiesDir=" + this.policiesDir + ", masterKey="
				+ (hasMasterKey() ? "(set)" : "(empty)") + ", signingKey=" + (hasSigningKey() ? "(set)" : "(empty)")
				+ "]";
	}

}
