package dev.warden.platform.crypto;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import org.junit.jupiter.api.Test;

import dev.warden.platform.crypto.PayloadCrypto.Direction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

class PayloadCryptoTests {

	private final String masterJson = json();

	private static String json() {
		try {
			return PayloadCrypto.toJson(PayloadCrypto.newKeyset());
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void payloadRoundTripsThroughTheTenantKeyWrappedByTheMasterKey() throws Exception {
		UUID tenant = UUID.randomUUID();
		UUID record = UUID.randomUUID();
		Aead master = PayloadCrypto.masterAead(this.masterJson);
		byte[] dataKey = PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), master, tenant);
		Aead tenantAead = PayloadCrypto.tenantAead(dataKey, master, tenant);
		byte[] stored = PayloadCrypto.encryptPayload(tenantAead, "hello".getBytes(StandardCharsets.UTF_8), tenant,
				record, "r1", Direction.REQUEST);

		byte[] plain = PayloadCrypto.decryptPayload(this.masterJson, dataKey, tenant, record, "r1", Direction.REQUEST,
				stored);
		assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("hello");
	}

	@Test
	void dataKeyIsBoundToItsTenant() throws Exception {
		UUID tenant = UUID.randomUUID();
		Aead master = PayloadCrypto.masterAead(this.masterJson);
		byte[] dataKey = PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), master, tenant);

		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> PayloadCrypto.tenantAead(dataKey, master, UUID.randomUUID()));
	}

	@Test
	void masterKeyIsAcceptedAsJsonOrBase64() throws Exception {
		byte[] jsonBytes = this.masterJson.getBytes(StandardCharsets.UTF_8);
		Aead fromJson = PayloadCrypto.masterAead(this.masterJson);
		Aead fromBase64 = PayloadCrypto.masterAead(Base64.getEncoder().encodeToString(jsonBytes));
		Aead fromUrlBase64 = PayloadCrypto
			.masterAead(Base64.getUrlEncoder().withoutPadding().encodeToString(jsonBytes));
		byte[] ciphertext = fromJson.encrypt(new byte[] { 9 }, new byte[0]);
		assertThat(fromBase64.decrypt(ciphertext, new byte[0])).containsExactly(9);
		assertThat(fromUrlBase64.decrypt(ciphertext, new byte[0])).containsExactly(9);
	}

	@Test
	void format2PayloadIsBoundToItsTenantRecordRequestAndDirection() throws Exception {
		UUID tenant = UUID.randomUUID();
		UUID record = UUID.randomUUID();
		Aead tenantAead = PayloadCrypto.newKeyset()
			.getPrimitive(com.google.crypto.tink.RegistryConfiguration.get(), Aead.class);
		byte[] stored = PayloadCrypto.encryptPayload(tenantAead, "hello".getBytes(StandardCharsets.UTF_8), tenant,
				record, "r1", Direction.REQUEST);
		assertThat(stored[0]).isEqualTo(PayloadCrypto.FORMAT_2);
		assertThat(PayloadCrypto.decryptPayload(tenantAead, stored, tenant, record, "r1", Direction.REQUEST))
			.asString(StandardCharsets.UTF_8)
			.isEqualTo("hello");

		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(() -> PayloadCrypto
			.decryptPayload(tenantAead, stored, UUID.randomUUID(), record, "r1", Direction.REQUEST));
		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(() -> PayloadCrypto
			.decryptPayload(tenantAead, stored, tenant, UUID.randomUUID(), "r1", Direction.REQUEST));
		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(
				() -> PayloadCrypto.decryptPayload(tenantAead, stored, tenant, record, "r2", Direction.REQUEST));
		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(
				() -> PayloadCrypto.decryptPayload(tenantAead, stored, tenant, record, "r1", Direction.RESPONSE));
		// dropping the format byte does not downgrade it to format 1: the rest only opens
		// with the format-2 data
		byte[] stripped = java.util.Arrays.copyOfRange(stored, 1, stored.length);
		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(
				() -> PayloadCrypto.decryptPayload(tenantAead, stripped, tenant, record, "r1", Direction.REQUEST));
	}

	@Test
	void format1PayloadsWrittenBeforeStayReadable() throws Exception {
		UUID tenant = UUID.randomUUID();
		Aead tenantAead = PayloadCrypto.newKeyset()
			.getPrimitive(com.google.crypto.tink.RegistryConfiguration.get(), Aead.class);
		byte[] legacy = format1(tenantAead, new byte[] { 7, 8 }, "old-1", "response");
		assertThat(legacy[0]).isEqualTo((byte) 0x01);
		assertThat(PayloadCrypto.decryptPayload(tenantAead, legacy, tenant, UUID.randomUUID(), "old-1",
				Direction.RESPONSE))
			.containsExactly(7, 8);
		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(() -> PayloadCrypto
			.decryptPayload(tenantAead, legacy, tenant, UUID.randomUUID(), "old-2", Direction.RESPONSE));
		assertThatExceptionOfType(GeneralSecurityException.class).isThrownBy(() -> PayloadCrypto
			.decryptPayload(tenantAead, legacy, tenant, UUID.randomUUID(), "old-1", Direction.REQUEST));
	}

	/**
	 * A payload as the first builds wrote it (format 1), spelled out: the format is
	 * frozen, only read.
	 */
	static byte[] format1(Aead tenantAead, byte[] plaintext, String requestId, String direction)
			throws GeneralSecurityException {
		return tenantAead.encrypt(plaintext,
				("warden-request-log:" + requestId + ":" + direction).getBytes(StandardCharsets.UTF_8));
	}

	@Test
	void rotationAddsAPrimaryAndKeepsOlderPayloadsReadable() throws Exception {
		UUID tenant = UUID.randomUUID();
		UUID record = UUID.randomUUID();
		com.google.crypto.tink.KeysetHandle before = PayloadCrypto.newKeyset();
		Aead old = before.getPrimitive(com.google.crypto.tink.RegistryConfiguration.get(), Aead.class);
		byte[] oldPayload = PayloadCrypto.encryptPayload(old, new byte[] { 1 }, tenant, record, "r", Direction.REQUEST);

		com.google.crypto.tink.KeysetHandle after = PayloadCrypto.rotate(before);
		assertThat(after.size()).isEqualTo(2);
		assertThat(after.getPrimary().getId()).isNotEqualTo(before.getPrimary().getId());
		Aead rotated = after.getPrimitive(com.google.crypto.tink.RegistryConfiguration.get(), Aead.class);
		byte[] newPayload = PayloadCrypto.encryptPayload(rotated, new byte[] { 2 }, tenant, record, "r",
				Direction.REQUEST);

		assertThat(PayloadCrypto.decryptPayload(rotated, oldPayload, tenant, record, "r", Direction.REQUEST))
			.containsExactly(1);
		assertThat(PayloadCrypto.decryptPayload(rotated, newPayload, tenant, record, "r", Direction.REQUEST))
			.containsExactly(2);
		// the new payload carries the new primary's key id (Tink prefix after the format
		// byte) ...
		assertThat(java.nio.ByteBuffer.wrap(newPayload, 2, 4).getInt()).isEqualTo(after.getPrimary().getId());
		// ... which the keyset from before the rotation does not have
		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> PayloadCrypto.decryptPayload(old, newPayload, tenant, record, "r", Direction.REQUEST));
	}

}
