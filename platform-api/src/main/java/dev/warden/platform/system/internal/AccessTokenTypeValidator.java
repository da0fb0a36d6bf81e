package dev.warden.platform.system.internal;

import java.util.List;
import java.util.Locale;

import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.security.oauth2.core.OAuth2ErrorCodes;
import org.springframework.security.oauth2.core.OAuth2TokenValidator;
import org.springframework.security.oauth2.core.OAuth2TokenValidatorResult;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtTypeValidator;

/**
 * Accepts only access tokens: an OpenID Connect ID token (or a refresh or logout token)
 * signed by the same issuer is refused even when its audience would match. There is no
 * one standard marker, so the rule combines what the common providers write:
 * <ol>
 * <li>a JOSE header {@code typ} of {@code at+jwt} (RFC 9068; the embedded issuer) marks
 * an access token, and so does a claim {@code typ} of {@code Bearer} (Keycloak, whose
 * access tokens carry {@code typ: JWT} in the header);</li>
 * <li>a claim {@code typ} with any other value is refused (Keycloak: {@code ID},
 * {@code Refresh}, {@code Logout});</li>
 * <li>a token without either marker (generic providers: Entra ID, Okta, Auth0) is refused
 * when it carries a claim that only ID tokens have (OpenID Connect Core 3.1.3.6,
 * 3.3.2.11): {@code nonce}, {@code at_hash}, {@code c_hash}, {@code s_hash}. The markers
 * win over this rule because older Keycloak releases copy the {@code nonce} into access
 * tokens.</li>
 * </ol>
 * Which header {@code typ} values may appear at all is checked by {@link #headerTypes()}.
 * The audience check ({@code warden.security.audience}) is what refuses the usual ID
 * token (whose {@code aud} is the client); this rule covers providers that put the API's
 * audience into ID tokens too. {@code azp} is not used: access tokens of Entra ID and
 * Keycloak carry it as well.
 */
public final class AccessTokenTypeValidator implements OAuth2TokenValidator<Jwt> {

	public static final String ACCESS_TOKEN_HEADER_TYPE = "at+jwt";

	private static final List<String> ID_TOKEN_CLAIMS = List.of("nonce", "at_hash", "c_hash", "s_hash");

	/**
	 * The JOSE header {@code typ} values an access token may have: none, {@code JWT},
	 * {@code at+jwt} or its media-type form {@code application/at+jwt}; anything else
	 * (e.g. {@code logout+jwt}, {@code dpop+jwt}) is refused.
	 */
	public static JwtTypeValidator headerTypes() {
		JwtTypeValidator types = new JwtTypeValidator("JWT", ACCESS_TOKEN_HEADER_TYPE,
				"application/" + ACCESS_TOKEN_HEADER_TYPE);
		types.setAllowEmpty(true);
		return types;
	}

	@Override
	public OAuth2TokenValidatorResult validate(Jwt token) {
		Object headerType = token.getHeaders().get("typ");
		Object claimType = token.getClaims().get("typ");
		if (claimType != null && !"bearer".equals(String.valueOf(claimType).toLowerCase(Locale.ROOT))) {
			return refused("a token of type '" + claimType + "' is not an access token");
		}
		boolean marked = claimType != null || (headerType != null
				&& String.valueOf(headerType).toLowerCase(Locale.ROOT).endsWith(ACCESS_TOKEN_HEADER_TYPE));
		if (!marked) {
			for (String claim : ID_TOKEN_CLAIMS) {
				if (token.hasClaim(claim)) {
					return refused("the token carries '" + claim + "', a claim of ID tokens; send an access token");
				}
			}
		}
		return OAuth2TokenValidatorResult.success();
	}

	private static OAuth2TokenValidatorResult refused(String description) {
		return OAuth2TokenValidatorResult.failure(new OAuth2Error(OAuth2ErrorCodes.INVALID_TOKEN, description,
				"https://datatracker.ietf.org/doc/html/rfc9068"));
	}

}
