package dev.warden.console.system;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

/**
 * The claim-path rule for roles and user names. platform-api's {@code ClaimPathTests}
 * pins the same examples: the two applications share no code, so these tests are what
 * keeps their rule one (docs/console.md).
 */
class ClaimPathTests {

	/**
	 * Claims as Keycloak writes them into an access token, with a plain and a namespaced
	 * claim.
	 */
	static final Map<String, Object> CLAIMS = Map.of("sub", "8f1c2a44-0d1e-4a55-9c1e-6f3b2d9a7e10",
			"preferred_username", "alice", "roles", List.of("ADMIN"), "realm_access",
			Map.of("roles", List.of("offline_access", "ADMIN", "uma_authorization", "default-roles-warden")),
			"resource_access",
			Map.of("warden-console", Map.of("roles", List.of("COMPLIANCE")), "account",
					Map.of("roles", List.of("manage-account"))),
			"https://warden.example.com/roles", List.of("COMPLIANCE"), "scope", "openid profile,email", "groups",
			List.of("ADMIN", 7, Map.of("x", 1)), "count", 3);

	@Test
	void plainClaimIsRead() {
		assertThat(ClaimPath.of("roles").strings(CLAIMS)).containsExactly("ADMIN");
		assertThat(ClaimPath.of("preferred_username").string(CLAIMS)).isEqualTo("alice");
	}

	@Test
	void dottedPathFollowsNestedObjects() {
		assertThat(ClaimPath.of("realm_access.roles").strings(CLAIMS)).containsExactly("offline_access", "ADMIN",
				"uma_authorization", "default-roles-warden");
		assertThat(ClaimPath.of("resource_access.warden-console.roles").strings(CLAIMS)).containsExactly("COMPLIANCE");
	}

	@Test
	void claimNamedByTheWholePathWinsOverNesting() {
		assertThat(ClaimPath.of("https://warden.example.com/roles").strings(CLAIMS)).containsExactly("COMPLIANCE");
	}

	@Test
	void stringIsSplitIntoWordsAndOtherValuesAreSkipped() {
		assertThat(ClaimPath.of("scope").strings(CLAIMS)).containsExactly("openid", "profile", "email");
		assertThat(ClaimPath.of("groups").strings(CLAIMS)).containsExactly("ADMIN");
		assertThat(ClaimPath.of("count").strings(CLAIMS)).isEmpty();
		assertThat(ClaimPath.of("count").string(CLAIMS)).isNull();
	}

	@Test
	void missingOrNonObjectSegmentGivesNothing() {
		assertThat(ClaimPath.of("realm_access.groups").strings(CLAIMS)).isEmpty();
		assertThat(ClaimPath.of("resource_access.warden-cli.roles").strings(CLAIMS)).isEmpty();
		assertThat(ClaimPath.of("preferred_username.first").strings(CLAIMS)).isEmpty();
		assertThat(ClaimPath.of("name").string(CLAIMS)).isNull();
	}

	@Test
	void emptyPathOrSegmentIsRefused() {
		assertThatIllegalArgumentException().isThrownBy(() -> ClaimPath.of(" "));
		assertThatIllegalArgumentException().isThrownBy(() -> ClaimPath.of("realm_access..roles"));
		assertThatIllegalArgumentException().isThrownBy(() -> ClaimPath.of("roles."));
	}

	@Test
	void onlyWardenRolesAreTaken() {
		assertThat(WardenRoles.of(ClaimPath.of("realm_access.roles").strings(CLAIMS))).containsExactly("ADMIN");
		assertThat(WardenRoles.of(List.of("admin", "Compliance", "COMPLIANCE", "ADMIN"))).containsExactly("ADMIN",
				"COMPLIANCE");
	}

}
