package dev.warden.platform.crypto.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.warden.platform.crypto.KeyEncryptionKeyProvider;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.SecretFiles;

/**
 * The key-encryption key of a default install: a Tink AES256_GCM keyset in Tink's JSON
 * format, given by {@code warden.master-key} ({@code WARDEN_MASTER_KEY}, the JSON or
 * base64 of it), otherwise read from, or created on first start at,
 * {@code <data dir>/master-key.json} with POSIX mode 0600.
 */
public final class LocalKeyEncryptionKey implements KeyEncryptionKeyProvider {

	/** The {@link #id()} of the local key, stored in {@code tenants.kek_id}. */
	public static final String ID = "local";

	public static final String FILE_NAME = "master-key.json";

	private static final Logger log = LoggerFactory.getLogger(LocalKeyEncryptionKey.class);

	private final Aead aead;

	private LocalKeyEncryptionKey(Aead aead) {
		this.aead = aead;
	}

	/**
	 * The configured keyset when {@code configured} is not blank, else the keyset file in
	 * {@code dataDir} (created with mode 0600 if it does not exist).
	 */
	public static LocalKeyEncryptionKey load(Path dataDir, String configured)
			throws IOException, GeneralSecurityException {
		if (configured != null && !configured.isBlank()) {
			log.info("Key-encryption key taken from configuration (WARDEN_MASTER_KEY)");
			return new LocalKeyEncryptionKey(PayloadCrypto.masterAead(configured));
		}
		return new LocalKeyEncryptionKey(PayloadCrypto.masterAead(readOrCreate(dataDir.resolve(FILE_NAME))));
	}

	@Override
	public String id() {
		return ID;
	}

	@Override
	public Aead aead() {
		return this.aead;
	}

	private static String readOrCreate(Path file) throws IOException, GeneralSecurityException {
		if (Files.exists(file)) {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		String json = PayloadCrypto.toJson(PayloadCrypto.newKeyset());
		try {
			SecretFiles.createOwnerOnly(file, json);
			log.warn("Created a new master key at {} (mode 0600). Back it up: without it, tenant data keys "
					+ "and encrypted request logs cannot be read. In production set WARDEN_MASTER_KEY or a KMS key "
					+ "(warden.crypto.kek-uri) instead.", file.toAbsolutePath());
			return json;
		}
		catch (FileAlreadyExistsException raced) {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
	}

}
