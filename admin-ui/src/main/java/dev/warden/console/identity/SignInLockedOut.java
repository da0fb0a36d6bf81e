package dev.warden.console.identity;

import java.time.Duration;

/**
 * A failed sign-in used up the failure budget of a user name or of a client address
 * ({@code warden.console.identity.sign-in-throttle}): from now on every sign-in with that
 * name, or from that address, is refused, even with the right password, for
 * {@code retryAfter}. Published once per lock-out, synchronously, right after the
 * {@link SignInFailed} that caused it; refused attempts publish nothing.
 *
 * @param lock what is locked out
 * @param username the name of the failed sign-in (the locked name when {@code lock} is
 * {@link Lock#USER})
 * @param clientAddress the client's address (the locked address when {@code lock} is
 * {@link Lock#CLIENT_ADDRESS})
 * @param userAgent the client's {@code User-Agent}, or null
 * @param retryAfter how long until the next attempt can be made
 */
public record SignInLockedOut(Lock lock, String username, String clientAddress, String userAgent, Duration retryAfter) {

	/** What a lock-out applies to. */
	public enum Lock {

		/** Every sign-in with the user name, from any address. */
		USER,

		/** Every sign-in from the client address (IPv6: its /64), with any name. */
		CLIENT_ADDRESS

	}

}
