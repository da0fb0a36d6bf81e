package dev.warden.platform.apikey;

/**
 * The outcome of checking a presented API key. {@code key} is set for
 * {@link Outcome#VALID} and {@link Outcome#TENANT_SUSPENDED} (the key itself is good, so
 * its tenant may be named to the caller).
 */
public record KeyVerification(Outcome outcome, VerifiedKey key) {

	static final KeyVerification INVALID = new KeyVerification(Outcome.INVALID, null);

	public enum Outcome {

		/** Good key of an active tenant. */
		VALID,
		/**
		 * Malformed, unknown, wrong secret, revoked, expired, or the tenant is deleted:
		 * 401.
		 */
		INVALID,
		/** Good key, but its tenant is suspended: 403. */
		TENANT_SUSPENDED

	}

}
