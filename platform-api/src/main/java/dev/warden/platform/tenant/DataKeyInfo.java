package dev.warden.platform.tenant;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the admin API shows of a tenant's data keyset: key ids and states, never key
 * material.
 *
 * @param tenantId the tenant
 * @param kekId the key-encryption key that wraps the keyset ({@code local} or a KMS key
 * URI)
 * @param primaryKeyId the Tink key id new payloads are encrypted with
 * @param keyIds all key ids in the keyset (older ones decrypt older payloads)
 * @param rotatedAt the last rotation, or null
 */
record DataKeyInfo(UUID tenantId, String kekId, long primaryKeyId, List<Long> keyIds, Instant rotatedAt) {
}
