package dev.warden.platform.tenant;

import java.time.Instant;
import java.util.UUID;

/** A tenant as shown by the admin API (its data key never leaves the tenant module). */
public record Tenant(UUID id, String name, String plan, String status, Instant createdAt) {

	public boolean active() {
		return "active".equals(this.status);
	}

}
