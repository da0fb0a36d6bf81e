package dev.warden.console.system;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The roles Warden knows (platform-api's {@code system.internal.WardenRoles} holds the
 * same list). A provider's token usually carries roles of its own as well (Keycloak:
 * {@code offline_access}, {@code uma_authorization}, {@code default-roles-<realm>}); only
 * these become the console user's roles, the others are ignored.
 */
final class WardenRoles {

	static final String ADMIN = "ADMIN";

	static final String COMPLIANCE = "COMPLIANCE";

	/** Every Warden role, as it must be written in the token (case-sensitive). */
	static final List<String> ALL = List.of(ADMIN, COMPLIANCE);

	private WardenRoles() {
	}

	/** The Warden roles among {@code names}, in the order of {@link #ALL}. */
	static List<String> of(Collection<String> names) {
		List<String> roles = new ArrayList<>();
		for (String role : ALL) {
			if (names.contains(role)) {
				roles.add(role);
			}
		}
		return roles;
	}

}
