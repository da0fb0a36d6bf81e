package dev.warden.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
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
 * The encryption scheme of Warden, in one place and usable without Spring (system tests
 * and offline tools use it to decrypt a {@code request_log} payload).
 * <ul>
 * <li>Key-encryption key (KEK): a {@link KeyEncryptionKeyProvider}: the local Tink keyset
 * (AES256_GCM, Tink's JSON keyset format, unencrypted: {@code <data dir>/master-key.json}
 * or {@code WARDEN_MASTER_KEY}), or a KMS key.</li>
 * <li>Tenant data key: an AES256_GCM Tink keyset per tenant (one primary key plus the
 * keys it replaced after a rotation), serialised with Tink's <em>binary</em> encrypted
 * keyset format ({@link TinkProtoKeysetFormat#serializeEncryptedKeyset}) under the KEK
 * with associated data {@link #tenantKeyAssociatedData(UUID)} = UTF-8 of the tenant id's
 * canonical string; stored in {@code tenants.data_key}.</li>
 * <li>Payloads, format 2 (current): {@code request_log.request_payload} /
 * {@code response_payload} = the byte {@link #FORMAT_2} followed by the tenant AEAD
 * ciphertext (Tink output prefix included) with associated data
 * {@link #payloadAssociatedData(UUID, UUID, String, Direction)} = UTF-8 of
 * {@code "warden-request-log/2:" + tenant_id + ":" + id + ":" + request_id + ":request"}
 * (or {@code ":response"}), binding the ciphertext to its tenant, its row
 * ({@code request_log.id}) and request.</li>
 * <li>Payloads, format 1: the tenant AEAD ciphertext alone (its first byte is Tink's
 * prefix byte {@code 0x01}) with associated data
 * {@code "warden-request-log:" + request_id + ":request"}, bound to the tenant only
 * through the tenant's key. Never written any more, but read: the first builds (until
 * 2026-11-29) wrote it, and such rows stay in {@code request_log} for as long as the
 * retention policy keeps them.</li>
 * <li>Outcome feedback ({@code feedback_outcomes.outcome} and {@code .attributes}): the
 * tenant AEAD ciphertext with associated data
 * {@link #feedbackAssociatedData(UUID, String, String, FeedbackPart)} = UTF-8 of
 * {@code "warden-feedback/1:" + tenant_id + ":" + model + ":" + request_id + ":outcome"}
 * (or {@code ":attributes"}), binding it to its tenant, model, request and part.</li>
 * </ul>
 * Removing the format byte from a format-2 value cannot downgrade it: the rest only
 * decrypts with the format-2 associated data. Thread-safe: all methods are stateless;
 * {@link Aead} instances returned are thread-safe.
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

	/** Which part of a {@code feedback_outcomes} row. */
	public enum FeedbackPart {

		/** The predicted classes and the labels. */
		OUTCOME("outcome"),
		/** The sensitive attributes. */
		ATTRIBUTES("attributes");

		private final String label;

		FeedbackPart(String label) {
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

	/**
	 * First byte of a format-2 payload (a format-1 payload starts with Tink's prefix byte
	 * 0x01).
	 */
	public static final byte FORMAT_2 = 0x02;

	private static final byte TINK_PREFIX = 0x01;

	private PayloadCrypto() {
	}

	/** Associated data binding a tenant's encrypted data key to that tenant. */
	public static byte[] tenantKeyAssociatedData(UUID tenantId) {
		return tenantId.toString().getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Associated data of a format-2 payload: binds it to its tenant, its
	 * {@code request_log.id}, its request id and direction.
	 */
	public static byte[] payloadAssociatedData(UUID tenantId, UUID recordId, String requestId, Direction direction) {
		return ("warden-request-log/2:" + tenantId + ":" + recordId + ":" + requestId + ":" + direction.label)
			.getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * Associated data of a format-1 payload (request id and direction only); read, never
	 * written.
	 */
	private static byte[] format1AssociatedData(String requestId, Direction direction) {
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
	 * Parses the master keyset: Tink JSON keyset text, or base64 (standard or URL-safe)
	 * of it.
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

	/**
	 * Encrypts a new tenant data keyset under the master AEAD (the
	 * {@code tenants.data_key} value).
	 */
	public static byte[] encryptDataKey(KeysetHandle dataKey, Aead master, UUID tenantId)
			throws GeneralSecurityException {
		return TinkProtoKeysetFormat.serializeEncryptedKeyset(dataKey, master, tenantKeyAssociatedData(tenantId));
	}

	/** Opens a {@code tenants.data_key} value into the tenant's keyset. */
	public static KeysetHandle tenantKeyset(byte[] encryptedDataKey, Aead master, UUID tenantId)
			throws GeneralSecurityException {
		return TinkProtoKeysetFormat.parseEncryptedKeyset(encryptedDataKey, master, tenantKeyAssociatedData(tenantId));
	}

	/** Opens a {@code tenants.data_key} value into the tenant's AEAD. */
	public static Aead tenantAead(byte[] encryptedDataKey, Aead master, UUID tenantId) throws GeneralSecurityException {
		return tenantKeyset(encryptedDataKey, master, tenantId).getPrimitive(RegistryConfiguration.get(), Aead.class);
	}

	/**
	 * The keyset with a new AES256_GCM key added as primary: new payloads are encrypted
	 * with it, payloads encrypted with the earlier keys stay readable (Tink picks the key
	 * by the ciphertext's key-id prefix).
	 */
	public static KeysetHandle rotate(KeysetHandle keyset) throws GeneralSecurityException {
		return KeysetHandle.newBuilder(keyset)
			.addEntry(KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
				.withRandomId()
				.makePrimary())
			.build();
	}

	/** Encrypts a payload in format 2 (bound to tenant, row, request and direction). */
	public static byte[] encryptPayload(Aead tenant, byte[] plaintext, UUID tenantId, UUID recordId, String requestId,
			Direction direction) throws GeneralSecurityException {
		byte[] ciphertext = tenant.encrypt(plaintext, payloadAssociatedData(tenantId, recordId, requestId, direction));
		byte[] stored = new byte[ciphertext.length + 1];
		stored[0] = FORMAT_2;
		System.arraycopy(ciphertext, 0, stored, 1, ciphertext.length);
		return stored;
	}

	/**
	 * Associated data of a part of a {@code feedback_outcomes} row: binds it to its
	 * tenant, model, request id and part.
	 */
	public static byte[] feedbackAssociatedData(UUID tenantId, String model, String requestId, FeedbackPart part) {
		return ("warden-feedback/1:" + tenantId + ":" + model + ":" + requestId + ":" + part.label)
			.getBytes(StandardCharsets.UTF_8);
	}

	/** Encrypts a part of a {@code feedback_outcomes} row under the tenant's AEAD. */
	public static byte[] encryptFeedback(Aead tenant, byte[] plaintext, UUID tenantId, String model, String requestId,
			FeedbackPart part) throws GeneralSecurityException {
		return tenant.encrypt(plaintext, feedbackAssociatedData(tenantId, model, requestId, part));
	}

	/**
	 * Decrypts a part of a {@code feedback_outcomes} row.
	 * @throws GeneralSecurityException when it was not encrypted for this tenant, model,
	 * request and part (moved, altered or written under another key)
	 */
	public static byte[] decryptFeedback(Aead tenant, byte[] stored, UUID tenantId, String model, String requestId,
			FeedbackPart part) throws GeneralSecurityException {
		return tenant.decrypt(stored, feedbackAssociatedData(tenantId, model, requestId, part));
	}

	/**
	 * Decrypts a stored payload of either format.
	 * @throws GeneralSecurityException when the value was not encrypted for this tenant,
	 * row, request and direction (moved, altered or written under another key)
	 */
	public static byte[] decryptPayload(Aead tenant, byte[] stored, UUID tenantId, UUID recordId, String requestId,
			Direction direction) throws GeneralSecurityException {
		if (stored == null || stored.length < 2) {
			throw new GeneralSecurityException("payload too short");
		}
		if (stored[0] == FORMAT_2) {
			byte[] ciphertext = Arrays.copyOfRange(stored, 1, stored.length);
			return tenant.decrypt(ciphertext, payloadAssociatedData(tenantId, recordId, requestId, direction));
		}
		if (stored[0] == TINK_PREFIX) {
			return tenant.decrypt(stored, format1AssociatedData(requestId, direction));
		}
		throw new GeneralSecurityException("unknown payload format " + stored[0]);
	}

	/**
	 * Convenience for tests and tools: decrypts one request-log payload of either format
	 * from the local master keyset text, the {@code tenants.data_key} column and the
	 * row's {@code tenant_id}, {@code id} and {@code request_id}.
	 */
	public static byte[] decryptPayload(String masterKeysetJson, byte[] encryptedDataKey, UUID tenantId, UUID recordId,
			String requestId, Direction direction, byte[] stored) throws GeneralSecurityException {
		Aead tenant = tenantAead(encryptedDataKey, masterAead(masterKeysetJson), tenantId);
		return decryptPayload(tenant, stored, tenantId, recordId, requestId, direction);
	}

}
