package dev.warden.systemtest;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.TinkProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;

/**
 * Decrypts a request-log payload independently of the gateway's code, from what an operator holds: the
 * master keyset of the default install and the tenant's wrapped data key (docs/security.md).
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

	/** {@code direction} is {@code request} or {@code response}: the associated data binds both it and the request id. */
	String decrypt(byte[] wrappedTenantKey, String tenantId, String requestId, String direction, byte[] ciphertext)
			throws GeneralSecurityException {
		var tenantKey = TinkProtoKeysetFormat.parseEncryptedKeyset(wrappedTenantKey, master, tenantId.getBytes(StandardCharsets.UTF_8));
		var aead = tenantKey.getPrimitive(RegistryConfiguration.get(), Aead.class);
		var associatedData = ("warden-request-log:" + requestId + ":" + direction).getBytes(StandardCharsets.UTF_8);
		return new String(aead.decrypt(ciphertext, associatedData), StandardCharsets.UTF_8);
	}
}
