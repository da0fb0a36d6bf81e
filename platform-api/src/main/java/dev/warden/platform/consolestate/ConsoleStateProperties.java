package dev.warden.platform.consolestate;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the console's shared state ({@code warden.console-state.*},
 * docs/configuration.md).
 *
 * @param token the bearer token every console replica sends (WARDEN_CONSOLE_STATE_TOKEN);
 * empty: the API is off and every path under {@code /internal/platform/console/} answers
 * 404
 * @param signingKey rotation of the console's signing keys
 * @param purgeInterval how often expired sessions and authorizations are deleted
 */
@ConfigurationProperties("warden.console-state")
public record ConsoleStateProperties(@DefaultValue("") String token, @DefaultValue SigningKey signingKey,
		@DefaultValue("5m") Duration purgeInterval) {

	public ConsoleStateProperties {
		token = (token != null) ? token.strip() : "";
		if (purgeInterval == null || purgeInterval.compareTo(Duration.ofSeconds(1)) < 0) {
			throw new IllegalArgumentException("warden.console-state.purge-interval must be at least 1s");
		}
	}

	/** Whether the API is on (a token is configured). */
	public boolean enabled() {
		return !this.token.isEmpty();
	}

	/**
	 * Rotation of the signing keys.
	 *
	 * @param rotation how long a key signs before its successor takes over
	 * @param prePublish how long before it signs a new key is published; must be longer
	 * than any JWKS cache of a verifier
	 * @param retain how long a replaced key stays published; must be longer than any
	 * token signed by the console lives
	 */
	public record SigningKey(@DefaultValue("30d") Duration rotation, @DefaultValue("1h") Duration prePublish,
			@DefaultValue("1d") Duration retain) {

		public SigningKey {
			if (rotation == null || prePublish == null || retain == null) {
				throw new IllegalArgumentException("warden.console-state.signing-key.* must not be empty");
			}
			if (prePublish.isNegative() || retain.isNegative()) {
				throw new IllegalArgumentException(
						"warden.console-state.signing-key.pre-publish and .retain must not be negative");
			}
			if (rotation.compareTo(prePublish) <= 0) {
				throw new IllegalArgumentException(
						"warden.console-state.signing-key.rotation must be longer than .pre-publish");
			}
		}

	}

}
