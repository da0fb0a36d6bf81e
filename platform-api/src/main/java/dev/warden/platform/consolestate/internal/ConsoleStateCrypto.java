package dev.warden.platform.consolestate.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;

import org.springframework.stereotype.Component;

import dev.warden.platform.crypto.KeyEncryptionKeyProvider;
import dev.warden.platform.crypto.KeyEncryptionKeys;

/**
 * Encrypts the console's state with the master AEAD (the current key-encryption key,
 * Tink), with associated data that binds each value to its purpose and row:
 * {@code warden-console-signing-key:<kid>}, {@code warden-console-session:<sid>},
 * {@code warden-console-authorization:<id>}. A value is decrypted with the key-encryption
 * key named by its row's {@code kek_id}. Thread-safe.
 */
@Component
public class ConsoleStateCrypto {

	static final String SIGNING_KEY = "warden-console-signing-key:";

	static final String SESSION = "warden-console-session:";

	static final String AUTHORIZATION = "warden-console-authorization:";

	private final KeyEncryptionKeys keks;

	ConsoleStateCrypto(KeyEncryptionKeys keks) {
		this.keks = keks;
	}

	/** A value encrypted for storage, and the id of the key that encrypted it. */
	record Sealed(byte[] ciphertext, String kekId) {
	}

	Sealed encrypt(byte[] plaintext, String purpose, String rowId) {
		KeyEncryptionKeyProvider kek = this.keks.current();
		try {
			return new Sealed(kek.aead().encrypt(plaintext, associatedData(purpose, rowId)), kek.id());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("console state could not be encrypted", ex);
		}
	}

	byte[] decrypt(byte[] ciphertext, String kekId, String purpose, String rowId) {
		try {
			return this.keks.unwrapping(kekId).decrypt(ciphertext, associatedData(purpose, rowId));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("console state of " + purpose + rowId + " could not be decrypted", ex);
		}
	}

	static byte[] associatedData(String purpose, String rowId) {
		return (purpose + rowId).getBytes(StandardCharsets.UTF_8);
	}

}
