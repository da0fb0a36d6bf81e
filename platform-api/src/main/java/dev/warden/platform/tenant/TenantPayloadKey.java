package dev.warden.platform.tenant;

import java.time.Instant;
import java.util.UUID;

import com.google.crypto.tink.Aead;

/**
 * A tenant's payload key as read from the database just now: either the AEAD, or the time
 * the keyset was destroyed (crypto-shredding), after which the tenant's payloads can
 * never be decrypted.
 */
public record TenantPayloadKey(UUID tenantId, Aead aead, Instant destroyedAt) {

	public boolean destroyed() {
		return this.aead == null;
	}

}
