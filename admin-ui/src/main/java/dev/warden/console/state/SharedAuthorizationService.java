package dev.warden.console.state;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.security.oauth2.core.OAuth2AccessToken;
import org.springframework.security.oauth2.core.OAuth2RefreshToken;
import org.springframework.security.oauth2.core.OAuth2Token;
import org.springframework.security.oauth2.core.endpoint.OAuth2ParameterNames;
import org.springframework.security.oauth2.core.oidc.OidcIdToken;
import org.springframework.security.oauth2.core.oidc.endpoint.OidcParameterNames;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationCode;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;
import org.springframework.security.oauth2.core.OAuth2DeviceCode;
import org.springframework.security.oauth2.core.OAuth2UserCode;
import org.springframework.util.Assert;

/**
 * The embedded authorization server's authorizations (authorization codes, access,
 * refresh and ID tokens), kept by platform-api so that any replica can redeem a code or
 * refresh a token another one issued, and a restart forgets none. An authorization is
 * stored Java-serialized (it is {@link java.io.Serializable}) with the SHA-256 of every
 * token value it holds, by which it is found again; the token type asked for is checked
 * here, after loading. An entry that cannot be read back (another version's classes) is
 * treated as absent, with one WARN.
 */
final class SharedAuthorizationService implements OAuth2AuthorizationService {

	private static final Log logger = LogFactory.getLog(SharedAuthorizationService.class);

	/** How long an authorization without any token is kept. */
	private static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);

	private static final OAuth2TokenType STATE = new OAuth2TokenType(OAuth2ParameterNames.STATE);

	private static final OAuth2TokenType AUTHORIZATION_CODE = new OAuth2TokenType(OAuth2ParameterNames.CODE);

	private static final OAuth2TokenType ID_TOKEN = new OAuth2TokenType(OidcParameterNames.ID_TOKEN);

	private static final OAuth2TokenType DEVICE_CODE = new OAuth2TokenType(OAuth2ParameterNames.DEVICE_CODE);

	private static final OAuth2TokenType USER_CODE = new OAuth2TokenType(OAuth2ParameterNames.USER_CODE);

	private final ConsoleStateClient client;

	private final Clock clock;

	private final AtomicBoolean warned = new AtomicBoolean();

	SharedAuthorizationService(ConsoleStateClient client, Clock clock) {
		this.client = client;
		this.clock = clock;
	}

	@Override
	public void save(OAuth2Authorization authorization) {
		Assert.notNull(authorization, "authorization cannot be null");
		byte[] data;
		try {
			data = JavaSerialization.serialize(authorization);
		}
		catch (IOException ex) {
			throw new IllegalStateException("authorization " + authorization.getId() + " cannot be serialized", ex);
		}
		this.client.putAuthorization(authorization.getId(), authorization.getRegisteredClientId(),
				authorization.getPrincipalName(), tokenHashes(authorization), expiresAt(authorization), data);
	}

	@Override
	public void remove(OAuth2Authorization authorization) {
		Assert.notNull(authorization, "authorization cannot be null");
		this.client.deleteAuthorization(authorization.getId());
	}

	@Override
	public OAuth2Authorization findById(String id) {
		Assert.hasText(id, "id cannot be empty");
		if (!ConsoleStateClient.isValidId(id)) {
			return null;
		}
		return this.client.authorization(id).map(this::read).orElse(null);
	}

	@Override
	public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
		Assert.hasText(token, "token cannot be empty");
		Optional<OAuth2Authorization> found = this.client.authorizationByTokenHash(Hashes.sha256Hex(token))
			.map(this::read);
		return found.filter((authorization) -> holds(authorization, token, tokenType)).orElse(null);
	}

	private OAuth2Authorization read(byte[] data) {
		try {
			return (OAuth2Authorization) JavaSerialization.deserialize(data);
		}
		catch (IOException | ClassNotFoundException | ClassCastException | IllegalStateException ex) {
			if (this.warned.compareAndSet(false, true)) {
				logger.warn("An authorization stored in platform-api could not be read (" + ex
						+ "); treated as absent (further ones are not logged)");
			}
			return null;
		}
	}

	/** The token hashes of every token value the authorization holds. */
	static List<String> tokenHashes(OAuth2Authorization authorization) {
		List<String> hashes = new ArrayList<>();
		String state = authorization.getAttribute(OAuth2ParameterNames.STATE);
		if (state != null) {
			hashes.add(Hashes.sha256Hex(state));
		}
		for (Class<? extends OAuth2Token> type : List.of(OAuth2AuthorizationCode.class, OAuth2AccessToken.class,
				OAuth2RefreshToken.class, OidcIdToken.class, OAuth2DeviceCode.class, OAuth2UserCode.class)) {
			OAuth2Authorization.Token<? extends OAuth2Token> token = authorization.getToken(type);
			if (token != null && token.getToken().getTokenValue() != null) {
				String hash = Hashes.sha256Hex(token.getToken().getTokenValue());
				if (!hashes.contains(hash)) {
					hashes.add(hash);
				}
			}
		}
		return hashes;
	}

	/**
	 * Kept until its last token expires (a refresh token outlives the access token), not
	 * longer.
	 */
	private Instant expiresAt(OAuth2Authorization authorization) {
		Instant latest = null;
		for (Class<? extends OAuth2Token> type : List.of(OAuth2AuthorizationCode.class, OAuth2AccessToken.class,
				OAuth2RefreshToken.class, OidcIdToken.class, OAuth2DeviceCode.class, OAuth2UserCode.class)) {
			OAuth2Authorization.Token<? extends OAuth2Token> token = authorization.getToken(type);
			if (token != null) {
				Instant expires = token.getToken().getExpiresAt();
				if (expires == null) {
					return this.clock.instant().plus(Duration.ofDays(365));
				}
				if (latest == null || expires.isAfter(latest)) {
					latest = expires;
				}
			}
		}
		// no token yet (an authorization request in progress): kept for a while
		return (latest != null) ? latest : this.clock.instant().plus(DEFAULT_LIFETIME);
	}

	private static boolean holds(OAuth2Authorization authorization, String token, OAuth2TokenType tokenType) {
		if (tokenType == null) {
			return token.equals(authorization.getAttribute(OAuth2ParameterNames.STATE))
					|| matches(authorization.getToken(OAuth2AuthorizationCode.class), token)
					|| matches(authorization.getToken(OAuth2AccessToken.class), token)
					|| matches(authorization.getToken(OidcIdToken.class), token)
					|| matches(authorization.getToken(OAuth2RefreshToken.class), token)
					|| matches(authorization.getToken(OAuth2DeviceCode.class), token)
					|| matches(authorization.getToken(OAuth2UserCode.class), token);
		}
		if (STATE.equals(tokenType)) {
			return token.equals(authorization.getAttribute(OAuth2ParameterNames.STATE));
		}
		if (AUTHORIZATION_CODE.equals(tokenType)) {
			return matches(authorization.getToken(OAuth2AuthorizationCode.class), token);
		}
		if (OAuth2TokenType.ACCESS_TOKEN.equals(tokenType)) {
			return matches(authorization.getToken(OAuth2AccessToken.class), token);
		}
		if (ID_TOKEN.equals(tokenType)) {
			return matches(authorization.getToken(OidcIdToken.class), token);
		}
		if (OAuth2TokenType.REFRESH_TOKEN.equals(tokenType)) {
			return matches(authorization.getToken(OAuth2RefreshToken.class), token);
		}
		if (DEVICE_CODE.equals(tokenType)) {
			return matches(authorization.getToken(OAuth2DeviceCode.class), token);
		}
		if (USER_CODE.equals(tokenType)) {
			return matches(authorization.getToken(OAuth2UserCode.class), token);
		}
		return false;
	}

	private static boolean matches(OAuth2Authorization.Token<? extends OAuth2Token> held, String token) {
		return held != null && token.equals(held.getToken().getTokenValue());
	}

}
