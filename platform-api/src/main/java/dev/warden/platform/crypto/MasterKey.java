package dev.warden.platform.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.WardenProperties;

/**
 * The master AEAD that wraps every tenant data key. Given by {@code warden.master-key} (WARDEN_MASTER_KEY, Tink
 * JSON keyset or base64 of it) in production; otherwise read from, or created on first start at,
 * {@code <data dir>/master-key.json} with POSIX mode 0600.
 */
@Component
public class MasterKey {

	private static final Logger log = LoggerFactory.getLogger(MasterKey.class);

	static final String FILE_NAME = "master-key.json";

	private final Aead aead;

	MasterKey(WardenProperties warden, @Value("${warden.master-key:}") String configured)
			throws IOException, GeneralSecurityException {
		if (configured != null && !configured.isBlank()) {
			this.aead = PayloadCrypto.masterAead(configured);
			log.info("Master key taken from configuration (WARDEN_MASTER_KEY)");
		}
		else {
			this.aead = PayloadCrypto.masterAead(readOrCreate(warden.dataDir().resolve(FILE_NAME)));
		}
	}

	/** The master AEAD; thread-safe. */
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
					+ "and encrypted request logs cannot be read. In production set WARDEN_MASTER_KEY instead.",
					file.toAbsolutePath());
			return json;
		}
		catch (FileAlreadyExistsException raced) {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
	}

}
