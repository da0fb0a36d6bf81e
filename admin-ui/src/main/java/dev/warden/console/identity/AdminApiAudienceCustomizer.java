package dev.warden.console.identity;

import java.util.ArrayList;
import java.util.List;

import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.server.authorization.token.JwtEncodingContext;
import org.springframework.security.oauth2.server.authorization.token.OAuth2TokenCustomizer;

/**
 * Makes the access tokens this authorization server issues (to the console and to
 * {@code warden-cli} alike) tokens for platform-api's admin API: the admin API's resource
 * identifier ({@code warden.console.identity.admin-api-audience}, the same value as
 * platform-api's {@code warden.security.audience}) is added to their {@code aud}, next to
 * the client id, and their JOSE header says {@code typ: at+jwt} (RFC 9068). ID tokens are
 * left as they are, audience the client only, so platform-api refuses them as admin
 * credentials.
 */
class AdminApiAudienceCustomizer implements OAuth2TokenCustomizer<JwtEncodingContext> {

	static final String ACCESS_TOKEN_TYPE = "at+jwt";

	private final String audience;

	AdminApiAudienceCustomizer(String audience) {
		this.audience = audience;
	}

	@Override
	public void customize(JwtEncodingContext context) {
		if (!OAuth2TokenType.ACCESS_TOKEN.equals(context.getTokenType())) {
			return;
		}
		context.getJwsHeader().type(ACCESS_TOKEN_TYPE);
		context.getClaims().claims((claims) -> {
			List<String> audiences = new ArrayList<>();
			if (claims.get("aud") instanceof Iterable<?> existing) {
				existing.forEach((value) -> audiences.add(String.valueOf(value)));
			}
			else if (claims.get("aud") != null) {
				audiences.add(String.valueOf(claims.get("aud")));
			}
			if (!audiences.contains(this.audience)) {
				audiences.add(this.audience);
			}
			claims.put("aud", audiences);
		});
	}

}
