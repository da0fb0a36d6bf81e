package dev.warden.platform.crypto;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Base64;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.PredefinedSignatureParameters;
import com.google.crypto.tink.signature.SignatureConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.warden.platform.system.WardenProperties;

/**
 * The installation's signing key: an Ed25519 Tink keyset
 * ({@link PredefinedSignatureParameters#ED25519}, Tink output prefix, so a signature
 * names the key that made it). Signs audit digests (and signed exports).
 * <p>
 * Where the private keyset comes from, in this order:
 * <ol>
 * <li>{@code warden.signing-key} (WARDEN_SIGNING_KEY): a Tink JSON keyset in clear, or
 * base64 of it, from a secret store;</li>
 * <li>{@code <data dir>/signing-key.json}: the keyset in Tink's JSON <em>encrypted</em>
 * keyset format, encrypted with the key-encryption key's AEAD
 * ({@link KeyEncryptionKeyProvider}, the master key) and associated data
 * {@link #FILE_ASSOCIATED_DATA}; created with mode 0600 on first start.</li>
 * </ol>
 * The public keyset (Tink JSON, no secret) is written to
 * {@code <data dir>/signing-public-key.json} on every start for offline verification. The
 * private key is never logged or exposed.
 * <p>
 * Thread-safe: {@link PublicKeySign} instances are thread-safe.
 */
@Component
public class SigningKeys {

	private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);

	static final String FILE_NAME = "signing-key.json";

	static final String PUBLIC_FILE_NAME = "signing-public-key.json";

	/** Associated data of the encrypted keyset file: binds it to its purpose. */
	static final byte[] FILE_ASSOCIATED_DATA = "warden-signing-key".getBytes(StandardCharsets.UTF_8);

	static {
		try {
			SignatureConfig.register();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Tink signatures could not be registered", ex);
		}
	}

	private final PublicKeySign signer;

	private final String publicKeysetJson;

	private final String keyId;

	SigningKeys(WardenProperties warden, KeyEncryptionKeyProvider kek) throws IOException, GeneralSecurityException {
		KeysetHandle handle;
		if (warden.hasSigningKey()) {
			handle = TinkJsonProtoKeysetFormat.parseKeyset(decodeJson(warden.signingKey()),
					InsecureSecretKeyAccess.get());
			log.info("Signing key taken from configuration (WARDEN_SIGNING_KEY)");
		}
		else {
			handle = readOrCreate(warden.dataDir().resolve(FILE_NAME), kek.aead());
		}
		this.signer = handle.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class);
		this.publicKeysetJson = TinkJsonProtoKeysetFormat.serializeKeysetWithoutSecret(handle.getPublicKeysetHandle());
		this.keyId = Integer.toUnsignedString(handle.getKeysetInfo().getPrimaryKeyId());
		writePublicKeyset(warden.dataDir().resolve(PUBLIC_FILE_NAME), this.publicKeysetJson);
	}

	/**
	 * Signs {@code data} with the primary key (Ed25519, with Tink's 5-byte key prefix).
	 */
	public byte[] sign(byte[] data) {
		try {
			return this.signer.sign(data);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("signing failed", ex);
		}
	}

	/**
	 * The public keyset in Tink's JSON keyset format (no secret): what verifiers need.
	 */
	public String publicKeysetJson() {
		return this.publicKeysetJson;
	}

	/** The primary key's Tink key id, as an unsigned decimal string. */
	public String keyId() {
		return this.keyId;
	}

	/**
	 * A verifier for signatures made by {@link #sign}, from a public keyset in Tink JSON
	 * (for offline tools; no Spring needed).
	 */
	public static PublicKeyVerify verifier(String publicKeysetJson) throws GeneralSecurityException {
		KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeysetWithoutSecret(publicKeysetJson);
		return handle.getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
	}

	private static KeysetHandle readOrCreate(Path file, Aead kek) throws IOException, GeneralSecurityException {
		if (Files.exists(file)) {
			KeysetHandle handle = TinkJsonProtoKeysetFormat
				.parseEncryptedKeyset(Files.readString(file, StandardCharsets.UTF_8), kek, FILE_ASSOCIATED_DATA);
			// re-encrypted under the master key's current primary at every start, so that
			// a rotation of the local
			// master key (add, promote, restart, re-wrap, delete the old key) carries the
			// signing key along
			rewrite(file, TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, kek, FILE_ASSOCIATED_DATA));
			return handle;
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		KeysetHandle handle = KeysetHandle.generateNew(PredefinedSignatureParameters.ED25519);
		String encrypted = TinkJsonProtoKeysetFormat.serializeEncryptedKeyset(handle, kek, FILE_ASSOCIATED_DATA);
		try {
			SecretFiles.createOwnerOnly(file, encrypted);
			log.warn(
					"Created a new audit signing key at {} (mode 0600, encrypted with the master key). Back it up "
							+ "with the master key; in production set WARDEN_SIGNING_KEY instead.",
					file.toAbsolutePath());
			return handle;
		}
		catch (FileAlreadyExistsException raced) {
			return TinkJsonProtoKeysetFormat.parseEncryptedKeyset(Files.readString(file, StandardCharsets.UTF_8), kek,
					FILE_ASSOCIATED_DATA);
		}
	}

	/**
	 * Replaces the encrypted keyset file atomically; the new file is owner-only (0600)
	 * from its creation.
	 */
	private static void rewrite(Path file, String encrypted) throws IOException {
		Path directory = file.toAbsolutePath().getParent();
		Path temporary = FileSystems.getDefault().supportedFileAttributeViews().contains("posix")
				? Files.createTempFile(directory, ".signing-key", ".tmp",
						PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
				: Files.createTempFile(directory, ".signing-key", ".tmp");
		try {
			Files.writeString(temporary, encrypted, StandardCharsets.UTF_8);
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		finally {
			Files.deleteIfExists(temporary);
		}
	}

	private static void writePublicKeyset(Path file, String json) throws IOException {
		if (Files.exists(file) && Files.readString(file, StandardCharsets.UTF_8).equals(json)) {
			return;
		}
		Files.createDirectories(file.toAbsolutePath().getParent());
		Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".signing-public-key", ".tmp");
		Files.writeString(temporary, json, StandardCharsets.UTF_8);
		if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
			Files.setPosixFilePermissions(temporary, PosixFilePermissions.fromString("rw-r--r--"));
		}
		Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
	}

	private static String decodeJson(String jsonOrBase64) {
		String text = jsonOrBase64.strip();
		if (text.startsWith("{")) {
			return text;
		}
		byte[] decoded = (text.contains("-") || text.contains("_")) ? Base64.getUrlDecoder().decode(text)
				: Base64.getMimeDecoder().decode(text);
		return new String(decoded, StandardCharsets.UTF_8);
	}

}
