package dev.warden.platform.crypto;

import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;

import org.springframework.stereotype.Component;

import dev.warden.platform.crypto.internal.LocalKeyEncryptionKey;
import dev.warden.platform.system.WardenProperties;

/**
 * The key-encryption keys a replica can use: the {@linkplain #current() current} one
 * wraps every keyset written from now on; a keyset is unwrapped with the KEK named by its
 * {@code tenants.kek_id}. That is the current KEK, or, while moving from the local key to
 * a KMS key, the local key if it is still configured (the key file exists or
 * {@code WARDEN_MASTER_KEY} is set), so that a re-wrap can move every keyset over.
 * Thread-safe.
 */
@Component
public class KeyEncryptionKeys {

	private final KeyEncryptionKeyProvider current;

	private final WardenProperties warden;

	private volatile KeyEncryptionKeyProvider previousLocal;

	KeyEncryptionKeys(KeyEncryptionKeyProvider current, WardenProperties warden) {
		this.current = current;
		this.warden = warden;
	}

	/** The KEK that wraps new and rotated keysets. */
	public KeyEncryptionKeyProvider current() {
		return this.current;
	}

	/**
	 * The KEK that wrapped a keyset whose {@code kek_id} is {@code id}.
	 * @throws GeneralSecurityException when that KEK is not configured on this replica
	 */
	public Aead unwrapping(String id) throws GeneralSecurityException {
		if (this.current.id().equals(id)) {
			return this.current.aead();
		}
		if (LocalKeyEncryptionKey.ID.equals(id)) {
			return local().aead();
		}
		throw new GeneralSecurityException("the keyset is wrapped by the key-encryption key '" + id
				+ "', which is not the configured one (" + this.current.id() + ")");
	}

	private KeyEncryptionKeyProvider local() throws GeneralSecurityException {
		KeyEncryptionKeyProvider local = this.previousLocal;
		if (local != null) {
			return local;
		}
		if (!this.warden.hasMasterKey()
				&& !Files.exists(this.warden.dataDir().resolve(LocalKeyEncryptionKey.FILE_NAME))) {
			throw new GeneralSecurityException("the keyset is wrapped by the local key, but neither WARDEN_MASTER_KEY "
					+ "nor the key file " + LocalKeyEncryptionKey.FILE_NAME + " in the data directory is available");
		}
		try {
			local = LocalKeyEncryptionKey.load(this.warden.dataDir(), this.warden.masterKey());
		}
		catch (IOException ex) {
			throw new GeneralSecurityException("the local key cannot be read: " + ex.getMessage(), ex);
		}
		this.previousLocal = local;
		return local;
	}

}
