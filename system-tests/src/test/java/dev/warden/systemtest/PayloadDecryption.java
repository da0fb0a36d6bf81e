package dev.warden.systemtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;

/**
 * Decrypts a request-log payload independently of the gateway's code, from what an
 * operator holds: the master keyset of the default install and the tenant's wrapped data
 * key (docs/security.md).
 */
final class PayloadDecryption {

	private final Aead master;

	private PayloadDecryption(Aead master) {
		this.master = master;
	}

	static PayloadDecryption fromDataDir(Path dataDir) throws Exception {
		AeadConfig.register();
		var keyset = TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(dataDir.resolve("master-key.json")),
				InsecureSecretKeyAccess.get());
		return new PayloadDecryption(keyset.getPrimitive(RegistryConfiguration.get(), Aead.class));
	}

	/**
	 * {@code direction} is {@code request} or {@code response}. A format-2 value (first
	 * byte 0x02) is bound by its associated data to the tenant, the row id, the request
	 * id and the direction; a format-1 value (older rows) to the request id and direction
	 * only.
	 */
	String decrypt(byte[] wrappedTenantKey, String tenantId, String recordId, String requestId, String direction,
			byte[] stored) throws GeneralSecurityException {
		var tenantKey = TinkProtoKeysetFormat.parseEncryptedKeyset(wrappedTenantKey, master,
				tenantId.getBytes(StandardCharsets.UTF_8));
		var aead = tenantKey.getPrimitive(RegistryConfiguration.get(), Aead.class);
		if (stored[0] == 0x02) {
			var associatedData = ("warden-request-log/2:" + tenantId + ":" + recordId + ":" + requestId + ":"
					+ direction)
				.getBytes(StandardCharsets.UTF_8);
			return new String(aead.decrypt(Arrays.copyOfRange(stored, 1, stored.length), associatedData),
					StandardCharsets.UTF_8);
		}
		var associatedData = ("warden-request-log:" + requestId + ":" + direction).getBytes(StandardCharsets.UTF_8);
		return new String(aead.decrypt(stored, associatedData), StandardCharsets.UTF_8);
	}

}
