package dev.warden.platform.system.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The roles Warden knows. A provider's token usually carries roles of its own as well
 * (Keycloak: {@code offline_access}, {@code uma_authorization},
 * {@code default-roles-<realm>}); only these are taken from the roles claim, the others
 * are ignored, so they neither reach the authorities nor the audit trail. A role added to
 * Warden is added here (and to the console's {@code WardenRoles}).
 */
public final class WardenRoles {

	public static final String ADMIN = "ADMIN";

	public static final String COMPLIANCE = "COMPLIANCE";

	/** Every Warden role, as it must be written in the token (case-sensitive). */
	public static final List<String> ALL = List.of(ADMIN, COMPLIANCE);

	private WardenRoles() {
	}

	/** The Warden roles among {@code names}, in the order of {@link #ALL}. */
	public static List<String> of(Collection<String> names) {
		List<String> roles = new ArrayList<>();
		for (String role : ALL) {
			if (names.contains(role)) {
				roles.add(role);
			}
		}
		return roles;
	}

}
