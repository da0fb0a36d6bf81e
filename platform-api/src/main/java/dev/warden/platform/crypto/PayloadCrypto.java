package dev.warden.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;

/**
 * The encryption scheme of Warden, in one place and usable without Spring (system tests and offline tools use
 * it to decrypt a {@code request_log} payload).
 * <ul>
 * <li>Master key: a Tink keyset (AES256_GCM) in Tink's JSON keyset format, unencrypted: the file
 * {@code <data dir>/master-key.json} or the value of {@code WARDEN_MASTER_KEY} (the JSON itself or base64 of
 * it).</li>
 * <li>Tenant data key: an AES256_GCM Tink keyset per tenant, serialised with Tink's <em>binary</em> encrypted
 * keyset format ({@link TinkProtoKeysetFormat#serializeEncryptedKeyset}) under the master AEAD with associated
 * data {@link #tenantKeyAssociatedData(UUID)} = UTF-8 of the tenant id's canonical string; stored in
 * {@code tenants.data_key}.</li>
 * <li>Payloads: {@code request_log.request_payload} / {@code response_payload} = tenant AEAD ciphertext (Tink
 * output prefix included) with associated data {@link #payloadAssociatedData(String, Direction)} =
 * UTF-8 of {@code "warden-request-log:" + request_id + ":request"} (or {@code ":response"}), where
 * {@code request_id} is the {@code request_log.request_id} column.</li>
 * </ul>
 * Thread-safe: all methods are stateless; {@link Aead} instances returned are thread-safe.
 */
public final class PayloadCrypto {

	/** Which payload of a request-log row. */
	public enum Direction {

		REQUEST("request"), RESPONSE("response");

		private final String label;

		Direction(String label) {
			this.label = label;
		}

	}

	static {
		try {
			AeadConfig.register();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("Tink AEAD could not be registered", ex);
		}
	}

	private PayloadCrypto() {
	}

	/** Associated data binding a tenant's encrypted data key to that tenant. */
	public static byte[] tenantKeyAssociatedData(UUID tenantId) {
		return tenantId.toString().getBytes(StandardCharsets.UTF_8);
	}

	/** Associated data binding a request-log payload to its request id and direction. */
	public static byte[] payloadAssociatedData(String requestId, Direction direction) {
		return ("warden-request-log:" + requestId + ":" + direction.label).getBytes(StandardCharsets.UTF_8);
	}

	/** A new AES256_GCM keyset. */
	public static KeysetHandle newKeyset() {
		try {
			return KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("could not generate a keyset", ex);
		}
	}

	/**
	 * Parses the master keyset: Tink JSON keyset text, or base64 (standard or URL-safe) of it.
	 */
	public static Aead masterAead(String keysetJsonOrBase64) throws GeneralSecurityException {
		String text = keysetJsonOrBase64.strip();
		if (!text.startsWith("{")) {
			byte[] decoded = text.contains("-") || text.contains("_") ? Base64.getUrlDecoder().decode(text)
					: Base64.getMimeDecoder().decode(text);
			text = new String(decoded, StandardCharsets.UTF_8);
		}
		KeysetHandle handle = TinkJsonProtoKeysetFormat.parseKeyset(text, InsecureSecretKeyAccess.get());
		return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
	}

	/** Serialises a (master) keyset as Tink JSON. */
	public static String toJson(KeysetHandle handle) throws GeneralSecurityException {
		return TinkJsonProtoKeysetFormat.serializeKeyset(handle, InsecureSecretKeyAccess.get());
	}

	/** Encrypts a new tenant data keyset under the master AEAD (the {@code tenants.data_key} value). */
	public static byte[] encryptDataKey(KeysetHandle dataKey, Aead master, UUID tenantId)
			throws GeneralSecurityException {
		return TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, tenantKeyAssociatedData(tenantId));
	}

	/** Opens a {@code tenants.data_key} value into the tenant's AEAD. */
	public static Aead tenantAead(byte[] encryptedDataKey, Aead master, UUID tenantId)
			throws GeneralSecurityException {
		KeysetHandle handle = TinkProtoKeysetFormat.parseEncryptedKeyset(encryptedDataKey, master,
				tenantKeyAssociatedData(tenantId));
		return handle.getPrimitive(RegistryConfiguration.get(), Aead.class);
	}

	public static byte[] encryptPayload(Aead tenant, byte[] plaintext, String requestId, Direction direction)
			throws GeneralSecurityException {
		return tenant.encrypt(plaintext, payloadAssociatedData(requestId, direction));
	}

	public static byte[] decryptPayload(Aead tenant, byte[] ciphertext, String requestId, Direction direction)
			throws GeneralSecurityException {
		return tenant.decrypt(ciphertext, payloadAssociatedData(requestId, direction));
	}

	/**
	 * Convenience for tests and tools: decrypts one request-log payload from the master keyset text, the
	 * {@code tenants.data_key} column, the tenant id and the row's request id.
	 */
	public static byte[] decryptPayload(String masterKeysetJson, byte[] encryptedDataKey, UUID tenantId,
			String requestId, Direction direction, byte[] ciphertext) throws GeneralSecurityException {
		Aead tenant = tenantAead(encryptedDataKey, masterAead(masterKeysetJson), tenantId);
		return decryptPayload(tenant, ciphertext, requestId, direction);
	}

}
