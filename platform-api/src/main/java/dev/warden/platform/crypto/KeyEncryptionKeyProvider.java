package dev.warden.platform.crypto;

import com.google.crypto.tink.Aead;

/**
 * The key-encryption key (KEK) that wraps every tenant's data keyset. Exactly one
 * provider is active, chosen by {@code warden.crypto.kek-uri}
 * ({@code internal.KeyEncryptionKeyConfiguration}): the local key file of a default
 * install ({@code internal.LocalKeyEncryptionKey}) or a key in an external KMS
 * ({@code internal.AwsKmsKeyEncryptionKey}).
 * <p>
 * The KEK only ever encrypts tenant keysets (a few hundred bytes, once per tenant
 * creation, rotation or cache refresh), never payloads, so a KMS round trip per call is
 * affordable. Implementations are thread-safe.
 */
public interface KeyEncryptionKeyProvider {

	/**
	 * Identifies the KEK in {@code tenants.kek_id}: {@code local} for the local key,
	 * otherwise the KMS key URI (never a secret).
	 */
	String id();

	/** The KEK as an AEAD; associated data binds each wrapped keyset to its tenant. */
	Aead aead();

}
