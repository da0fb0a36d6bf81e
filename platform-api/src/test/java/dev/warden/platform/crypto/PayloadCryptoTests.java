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
		Aead master = PayloadCrypto.masterAead(this.masterJson);
		byte[] dataKey = PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), master, tenant);
		Aead tenantAead = PayloadCrypto.tenantAead(dataKey, master, tenant);
		byte[] ciphertext = PayloadCrypto.encryptPayload(tenantAead, "hello".getBytes(StandardCharsets.UTF_8), "r1",
				Direction.REQUEST);

		byte[] plain = PayloadCrypto.decryptPayload(this.masterJson, dataKey, tenant, "r1", Direction.REQUEST,
				ciphertext);
		assertThat(new String(plain, StandardCharsets.UTF_8)).isEqualTo("hello");
	}

	@Test
	void payloadIsBoundToItsRequestIdDirectionAndTenant() throws Exception {
		UUID tenant = UUID.randomUUID();
		Aead master = PayloadCrypto.masterAead(this.masterJson);
		byte[] dataKey = PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(), master, tenant);
		Aead tenantAead = PayloadCrypto.tenantAead(dataKey, master, tenant);
		byte[] ciphertext = PayloadCrypto.encryptPayload(tenantAead, new byte[] { 1, 2, 3 }, "r1", Direction.REQUEST);

		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> PayloadCrypto.decryptPayload(tenantAead, ciphertext, "r2", Direction.REQUEST));
		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> PayloadCrypto.decryptPayload(tenantAead, ciphertext, "r1", Direction.RESPONSE));
		assertThatExceptionOfType(GeneralSecurityException.class)
			.isThrownBy(() -> PayloadCrypto.tenantAead(dataKey, master, UUID.randomUUID()));
	}

	@Test
	void masterKeyIsAcceptedAsJsonOrBase64() throws Exception {
		byte[] jsonBytes = this.masterJson.getBytes(StandardCharsets.UTF_8);
		Aead fromJson = PayloadCrypto.masterAead(this.masterJson);
		Aead fromBase64 = PayloadCrypto.masterAead(Base64.getEncoder().encodeToString(jsonBytes));
		Aead fromUrlBase64 = PayloadCrypto.masterAead(Base64.getUrlEncoder().withoutPadding().encodeToString(jsonBytes));
		byte[] ciphertext = fromJson.encrypt(new byte[] { 9 }, new byte[0]);
		assertThat(fromBase64.decrypt(ciphertext, new byte[0])).containsExactly(9);
		assertThat(fromUrlBase64.decrypt(ciphertext, new byte[0])).containsExactly(9);
	}

}
