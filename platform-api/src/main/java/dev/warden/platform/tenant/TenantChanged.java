package dev.warden.platform.tenant;

import java.util.UUID;

/**
 * Published synchronously inside the transaction that changes a tenant's name, plan or
 * status (suspension, reactivation), so that listeners can act on the change once it
 * commits (e.g. the in-memory index of API keys, which holds the tenant's status).
 */
public record TenantChanged(UUID tenantId) {
}
