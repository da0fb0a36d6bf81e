package dev.warden.platform.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.SignatureConfig;

import org.springframework.stereotype.Component;

import dev.warden.platform.system.WardenProperties;

/**
 * The installation's Ed25519 signing key (Tink keyset), read from, or created on first start at,
 * {@code <data dir>/signing-key.json} with POSIX mode 0600. Anyone holding the public keyset
 * ({@link #publicKeysetJson()}) can verify what this installation signs, offline. Thread-safe.
 */
@Component
public class SigningKeys {

	static final String FILE_NAME = "signing-key.json";

	private final PublicKeySign signer;

	private final String publicKeysetJson;

	private final String keyId;

	SigningKeys(WardenProperties warden) throws IOException, GeneralSecurityException {
		SignatureConfig.register();
		KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(readOrCreate(warden.dataDir().resolve(FILE_NAME)),
				InsecureSecretKeyAccess.get());
		this.signer = handle.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
		this.publicKeysetJson = TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(handle.getPublicKeysetHandle());
		this.keyId = Integer.toUnsignedString(handle.getPrimary().getId());
	}

	/** Signs {@code data} with the primary key; the signature carries Tink's key-id prefix. */
	public byte[] sign(byte[] data) {
		try {
			return this.signer.sign(data);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("signing failed", ex);
		}
	}

	/** The public keyset in Tink's JSON keyset format (no secret material). */
	public String publicKeysetJson() {
		return this.publicKeysetJson;
	}

	/** The id of the primary (signing) key, as an unsigned decimal. */
	public String keyId() {
		return this.keyId;
	}

	private static String readOrCreate(Path file) throws IOException, GeneralSecurityException {
		if (Files.exists(file)) {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		String json = TinkJsonProtoKeysetFormat.serializeKeyset(KeysetHandle.generateNew(KeyTemplates.get("ED25519")),
				InsecureSecretKeyAccess.get());
		try {
			SecretFiles.createOwnerOnly(file, json);
			return json;
		}
		catch (FileAlreadyExistsException raced) {
			return Files.readString(file, StandardCharsets.UTF_8);
		}
	}

}
