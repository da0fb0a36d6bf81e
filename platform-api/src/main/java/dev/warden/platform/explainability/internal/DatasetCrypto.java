package dev.warden.platform.explainability.internal;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;

import dev.warden.platform.crypto.PayloadCrypto;

/**
 * Encryption of reference datasets at rest, the scheme of the request-log payloads
 * ({@link PayloadCrypto}) with a platform-owned key per dataset: an AES256_GCM Tink
 * keyset created with the dataset, stored in {@code reference_datasets.data_key} in
 * Tink's binary encrypted-keyset format under the key-encryption key, with associated
 * data {@code "warden-reference-dataset-key/1:" + dataset id}. Each chunk is the keyset's
 * AEAD ciphertext of {@link RowChunks} bytes with associated data
 * {@code "warden-reference-dataset/1:" + dataset id + ":" + chunk number}, so a chunk
 * cannot be moved to another dataset or position. Deleting the keyset makes every chunk
 * unreadable (crypto-shredding). Stateless and thread-safe.
 */
public final class DatasetCrypto {

	static {
		try {
			AeadConfig.register();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Tink AEAD could not be registered", ex);
		}
	}

	private DatasetCrypto() {
	}

	/** A new keyset for dataset {@code datasetId}, wrapped by {@code kek}. */
	public static byte[] newWrappedKey(Aead kek, UUID datasetId) {
		KeysetHandle keyset = PayloadCrypto.newKeyset();
		try {
			return TinkProtoKeysetFormat.serializeEncryptedKeyset(keyset, kek, keyAssociatedData(datasetId));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("could not wrap the reference dataset's key", ex);
		}
	}

	/** The dataset's AEAD from its wrapped keyset. */
	public static Aead open(byte[] wrappedKey, Aead kek, UUID datasetId) throws GeneralSecurityException {
		return TinkProtoKeysetFormat.parseEncryptedKeyset(wrappedKey, kek, keyAssociatedData(datasetId))
			.getPrimitive(RegistryConfiguration.get(), Aead.class);
	}

	public static byte[] encryptChunk(Aead dataset, byte[] plaintext, UUID datasetId, int chunkNo) {
		try {
			return dataset.encrypt(plaintext, chunkAssociatedData(datasetId, chunkNo));
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("could not encrypt a reference-data chunk", ex);
		}
	}

	public static byte[] decryptChunk(Aead dataset, byte[] ciphertext, UUID datasetId, int chunkNo)
			throws GeneralSecurityException {
		return dataset.decrypt(ciphertext, chunkAssociatedData(datasetId, chunkNo));
	}

	static byte[] keyAssociatedData(UUID datasetId) {
		return ("warden-reference-dataset-key/1:" + datasetId).getBytes(StandardCharsets.UTF_8);
	}

	static byte[] chunkAssociatedData(UUID datasetId, int chunkNo) {
		return ("warden-reference-dataset/1:" + datasetId + ":" + chunkNo).getBytes(StandardCharsets.UTF_8);
	}

}
