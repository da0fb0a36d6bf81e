package dev.warden.platform.crypto;

import com.google.crypto.tink.Aead;

import org.springframework.stereotype.Component;

/**
 * The AEAD that wraps tenant data keys: the active {@link KeyEncryptionKeyProvider}'s AEAD. Kept for code that
 * wraps other secrets under the same key; new code should depend on {@link KeyEncryptionKeyProvider}.
 */
@Component
public class MasterKey {

	private final KeyEncryptionKeyProvider kek;

	MasterKey(KeyEncryptionKeyProvider kek) {
		this.kek = kek;
	}

	/** The key-encryption AEAD; thread-safe. */
	public Aead aead() {
		return this.kek.aead();
	}

}
