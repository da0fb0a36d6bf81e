package dev.warden.platform.tenant;

import java.util.UUID;

/**
 * Published synchronously inside the transaction that deletes a tenant, so that listeners
 * (e.g. the API keys, which are revoked) change their data in the same transaction: the
 * deletion commits or rolls back as a whole.
 */
public record TenantDeleted(UUID tenantId, String actor) {
}
