package dev.warden.console.identity;

import java.time.Duration;

import org.springframework.security.core.AuthenticationException;

/**
 * A sign-in refused because the user name's or the client address's failure budget is
 * spent.
 */
final class SignInThrottledException extends AuthenticationException {

	private final Duration retryAfter;

	SignInThrottledException(Duration retryAfter, Throwable cause) {
		super("too many failed sign-ins; try again in " + retryAfter.toSeconds() + " s", cause);
		this.retryAfter = retryAfter;
	}

	/** How long until the next attempt can be made. */
	Duration retryAfter() {
		return this.retryAfter;
	}

}
