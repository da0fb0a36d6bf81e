package dev.warden.platform.tenant;

import java.util.UUID;

/**
 * Thrown when the data key of a tenant is asked for after the tenant was deleted and its
 * keyset destroyed.
 */
public class DataKeyDestroyedException extends IllegalStateException {

	private final UUID tenantId;

	public DataKeyDestroyedException(UUID tenantId) {
		super("the data key of tenant " + tenantId + " was destroyed when the tenant was deleted");
		this.tenantId = tenantId;
	}

	public UUID tenantId() {
		return this.tenantId;
	}

}
