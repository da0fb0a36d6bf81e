package dev.warden.platform.crypto;

/**
 * What to redact from one tenant's request-log payloads ({@code policies/logging.yaml},
 * section {@code redaction}).
 *
 * @param emails redact e-mail addresses
 * @param phoneNumbers redact phone numbers
 * @param cardNumbers redact payment card numbers (13 to 19 digits passing the Luhn check)
 * @param phoneRegion ISO 3166 region for phone numbers written without a country code
 * (e.g. {@code US}, {@code DE}); {@code ZZ} = only numbers in international format
 * ({@code +...}) are recognised
 */
public record RedactionRules(boolean emails, boolean phoneNumbers, boolean cardNumbers, String phoneRegion) {

	/** Redacts nothing. */
	public static final RedactionRules NONE = new RedactionRules(false, false, false, "ZZ");

	public boolean any() {
		return this.emails || this.phoneNumbers || this.cardNumbers;
	}

}
