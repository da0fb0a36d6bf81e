package dev.warden.platform.system.internal;

import java.net.URI;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Function;

import com.nimbusds.jwt.JWTParser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * The admin API's token decoder, configured from the provider's discovery document on the
 * first token rather than at start-up, so that platform-api starts before the console
 * whose embedded authorization server issues the tokens (and while an external provider
 * is briefly away).
 * <ul>
 * <li>A token that is not even a JWT is refused (401) without asking the provider.</li>
 * <li>With a configured JWK set URL ({@code warden.security.jwk-set-uri}) discovery is
 * skipped; otherwise {@code <issuer>/.well-known/openid-configuration} must name the
 * issuer and give a {@code jwks_uri} ({@link IssuerDiscovery}). The result is kept for
 * the life of the process.</li>
 * <li>While the provider cannot be reached, or answers something that is not usable
 * (discovery or the JWK set), {@link #decode} throws
 * {@link IdentityProviderUnavailableException}, which the admin chain answers with 503
 * and Warden's JSON error, never 500. After such a failure the provider is asked again
 * (discovery first) at most every {@code retryInterval}; the calls in between are refused
 * at once, so a flood of tokens cannot turn into a flood of requests to the
 * provider.</li>
 * <li>A token the provider's keys do not verify, or that fails a check, is refused with
 * {@link BadJwtException} (401).</li>
 * </ul>
 * Thread-safe.
 */
public final class DiscoveringJwtDecoder implements JwtDecoder {

	private static final Logger log = LoggerFactory.getLogger(DiscoveringJwtDecoder.class);

	private final String issuer;

	private final URI configuredJwkSetUri;

	private final IssuerDiscovery discovery;

	private final Function<URI, JwtDecoder> decoders;

	private final Duration retryInterval;

	private final Clock clock;

	private volatile JwtDecoder delegate;

	private Instant failedAt;

	private String failure;

	/**
	 * @param issuer the configured issuer
	 * @param configuredJwkSetUri the JWK set URL if configured, else {@code null}
	 * (discovery)
	 * @param decoders builds the decoder (with its validators) for a JWK set URL
	 */
	public DiscoveringJwtDecoder(String issuer, URI configuredJwkSetUri, IssuerDiscovery discovery,
			Function<URI, JwtDecoder> decoders, Duration retryInterval, Clock clock) {
		this.issuer = issuer;
		this.configuredJwkSetUri = configuredJwkSetUri;
		this.discovery = discovery;
		this.decoders = decoders;
		this.retryInterval = retryInterval;
		this.clock = clock;
	}

	@Override
	public Jwt decode(String token) throws JwtException {
		try {
			JWTParser.parse(token);
		}
		catch (ParseException ex) {
			throw new BadJwtException("not a JWT: " + ex.getMessage(), ex);
		}
		JwtDecoder decoder = delegate();
		try {
			return decoder.decode(token);
		}
		catch (BadJwtException ex) {
			throw ex;
		}
		catch (RuntimeException ex) {
			// the JWK set could not be fetched or read (Nimbus/Spring say so with a plain
			// JwtException, a RestClientException or an IllegalStateException)
			String message = "the signing keys of " + this.issuer + " could not be read: " + ex.getMessage();
			forget(decoder, message);
			throw new IdentityProviderUnavailableException(message, ex);
		}
	}

	/**
	 * The keys could not be read with what discovery found: discover again, no sooner
	 * than the retry interval (the provider may have moved its keys). A configured JWK
	 * set URL is simply tried again then.
	 */
	private synchronized void forget(JwtDecoder decoder, String message) {
		if (this.delegate == decoder) {
			this.delegate = null;
			this.failedAt = this.clock.instant();
			this.failure = message;
			log.warn("Admin API calls are refused with 503 until the identity provider can be used "
					+ "(next attempt in {} at the earliest): {}", this.retryInterval, message);
		}
	}

	private JwtDecoder delegate() {
		JwtDecoder decoder = this.delegate;
		if (decoder != null) {
			return decoder;
		}
		synchronized (this) {
			if (this.delegate != null) {
				return this.delegate;
			}
			Instant now = this.clock.instant();
			if (this.failedAt != null && now.isBefore(this.failedAt.plus(this.retryInterval))) {
				throw new IdentityProviderUnavailableException(this.failure, null);
			}
			try {
				URI jwkSetUri = (this.configuredJwkSetUri != null) ? this.configuredJwkSetUri
						: this.discovery.jwkSetUri(this.issuer);
				this.delegate = this.decoders.apply(jwkSetUri);
				this.failedAt = null;
				log.info("Admin API tokens of {} are verified with the keys at {}{}", this.issuer, jwkSetUri,
						(this.configuredJwkSetUri != null) ? " (configured)" : " (from the discovery document)");
				return this.delegate;
			}
			catch (IssuerDiscovery.DiscoveryException ex) {
				this.failedAt = now;
				this.failure = "the identity provider's discovery document could not be used: " + ex.getMessage();
				log.warn("Admin API calls are refused with 503 until the identity provider can be used "
						+ "(next attempt in {} at the earliest): {}", this.retryInterval, this.failure);
				throw new IdentityProviderUnavailableException(this.failure, ex);
			}
		}
	}

	/**
	 * The identity provider could not be used to check a token: not the caller's fault,
	 * answered with 503.
	 */
	public static final class IdentityProviderUnavailableException extends JwtException {

		IdentityProviderUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

}
