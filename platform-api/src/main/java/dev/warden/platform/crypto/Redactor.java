package dev.warden.platform.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

/**
 * Removes personal data from a request-log payload before it is encrypted: e-mail
 * addresses, phone numbers (candidates are runs of at least 7 digits with single
 * separators, optionally after {@code +} or {@code (}; Google's libphonenumber parses
 * each and keeps the valid ones for the configured region) and payment card numbers (13
 * to 19 digits, optionally grouped by single spaces or hyphens, that pass the Luhn
 * check). Each finding is replaced by a fixed marker ({@value #EMAIL}, {@value #PHONE},
 * {@value #CARD}), so a JSON string stays a JSON string. Card numbers are looked for
 * first, so their digits are not taken for a phone number.
 * <p>
 * Stateless and thread-safe; no Spring. Payloads that are not valid UTF-8 are returned
 * unchanged (count 0).
 */
public final class Redactor {

	public static final String EMAIL = "[REDACTED_EMAIL]";

	public static final String PHONE = "[REDACTED_PHONE]";

	public static final String CARD = "[REDACTED_CARD]";

	private static final Pattern EMAIL_PATTERN = Pattern.compile(
			"(?<![\\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}(?![\\w-])");

	/**
	 * 13 to 19 digits, single space or hyphen allowed between digits, not part of a
	 * longer number.
	 */
	private static final Pattern CARD_CANDIDATE = Pattern
		.compile("(?<![\\d.,])\\d(?:[ -]?\\d){12,18}(?![\\d]|[.,]\\d)");

	private static final String LOCAL_PART = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._%+-";

	private static final String DOMAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-";

	/**
	 * Where a phone number may be: an optional + or (, then digits with single
	 * separators, 7 digits or more.
	 */
	private static final Pattern PHONE_CANDIDATE = Pattern
		.compile("(?<![\\w.])[+(]?\\d(?:[ ()./-]{0,2}\\d){6,}\\)?(?![\\w])");

	private static final PhoneNumberUtil PHONES = PhoneNumberUtil.getInstance();

	private Redactor() {
	}

	/** The redacted text and how many values of each kind were replaced. */
	public record Result(String text, int emails, int phoneNumbers, int cardNumbers) {

		public int count() {
			return this.emails + this.phoneNumbers + this.cardNumbers;
		}

		public byte[] utf8() {
			return this.text.getBytes(StandardCharsets.UTF_8);
		}

	}

	/** Redacted payload bytes (UTF-8) and the number of replaced values. */
	public record Bytes(byte[] payload, int count) {
	}

	/**
	 * Redacts a UTF-8 payload. {@code null} stays {@code null}; bytes that are not valid
	 * UTF-8 are returned as they are with a count of 0.
	 */
	public static Bytes redact(byte[] payload, RedactionRules rules) {
		if (payload == null || payload.length == 0 || !rules.any()) {
			return new Bytes(payload, 0);
		}
		String text;
		try {
			text = StandardCharsets.UTF_8.newDecoder()
				.onMalformedInput(CodingErrorAction.REPORT)
				.onUnmappableCharacter(CodingErrorAction.REPORT)
				.decode(ByteBuffer.wrap(payload))
				.toString();
		}
		catch (CharacterCodingException binary) {
			return new Bytes(payload, 0);
		}
		Result result = redact(text, rules);
		return (result.count() == 0) ? new Bytes(payload, 0) : new Bytes(result.utf8(), result.count());
	}

	/** Redacts text according to {@code rules}. */
	public static Result redact(String text, RedactionRules rules) {
		String current = text;
		int cards = 0;
		int emails = 0;
		int phones = 0;
		if (rules.cardNumbers() && longestDigitRun(current, " -") >= 13) {
			StringBuilder out = new StringBuilder(current.length());
			Matcher matcher = CARD_CANDIDATE.matcher(current);
			int last = 0;
			while (matcher.find()) {
				if (luhn(matcher.group())) {
					out.append(current, last, matcher.start()).append(CARD);
					last = matcher.end();
					cards++;
				}
			}
			current = out.append(current, last, current.length()).toString();
		}
		if (rules.emails() && current.indexOf('@') >= 0) {
			StringBuilder out = new StringBuilder(current.length());
			int last = 0;
			for (int at = current.indexOf('@'); at >= 0; at = current.indexOf('@', at + 1)) {
				if (at < last) {
					continue;
				}
				// only the few characters around each '@' are matched against the e-mail
				// pattern
				int start = at;
				while (start > last && at - start < 64 && LOCAL_PART.indexOf(current.charAt(start - 1)) >= 0) {
					start--;
				}
				int end = at + 1;
				while (end < current.length() && end - at <= 255 && DOMAIN.indexOf(current.charAt(end)) >= 0) {
					end++;
				}
				Matcher matcher = EMAIL_PATTERN.matcher(current).region(start, end).useTransparentBounds(true);
				if (matcher.find()) {
					out.append(current, last, matcher.start()).append(EMAIL);
					last = matcher.end();
					emails++;
				}
			}
			current = out.append(current, last, current.length()).toString();
		}
		if (rules.phoneNumbers() && mayHoldPhoneNumber(current, rules.phoneRegion())) {
			// libphonenumber only looks at digit runs (with separators), not at the whole
			// text: far cheaper
			StringBuilder out = new StringBuilder(current.length());
			int last = 0;
			Matcher candidates = PHONE_CANDIDATE.matcher(current);
			while (candidates.find()) {
				if (validPhoneNumber(candidates.group(), rules.phoneRegion())) {
					out.append(current, last, candidates.start()).append(PHONE);
					last = candidates.end();
					phones++;
				}
			}
			current = out.append(current, last, current.length()).toString();
		}
		return new Result(current, emails, phones, cards);
	}

	/**
	 * libphonenumber's parse and validity check (the number's length and prefixes fit its
	 * region's plan).
	 */
	private static boolean validPhoneNumber(String candidate, String region) {
		try {
			return PHONES.isValidNumber(PHONES.parse(candidate, region));
		}
		catch (NumberParseException notANumber) {
			return false;
		}
	}

	/**
	 * Cheap pre-check before libphonenumber (which costs far more than one pass over the
	 * text): a number in international format needs a {@code +} before a digit; a
	 * national one a run of at least 7 digits.
	 */
	private static boolean mayHoldPhoneNumber(String text, String region) {
		if ("ZZ".equals(region)) {
			for (int i = text.indexOf('+'); i >= 0; i = text.indexOf('+', i + 1)) {
				if (i + 1 < text.length() && (Character.isDigit(text.charAt(i + 1))
						|| (i + 2 < text.length() && Character.isDigit(text.charAt(i + 2))))) {
					return true;
				}
			}
			return false;
		}
		return longestDigitRun(text, " ()-./") >= 7;
	}

	/**
	 * The most ASCII digits in one run where single characters of {@code separators} may
	 * stand between digits.
	 */
	static int longestDigitRun(String text, String separators) {
		int longest = 0;
		int run = 0;
		boolean afterSeparator = false;
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (c >= '0' && c <= '9') {
				run++;
				afterSeparator = false;
				longest = Math.max(longest, run);
			}
			else if (run > 0 && !afterSeparator && separators.indexOf(c) >= 0) {
				afterSeparator = true;
			}
			else {
				run = 0;
				afterSeparator = false;
			}
		}
		return longest;
	}

	/**
	 * The Luhn (mod 10) check over the digits of {@code candidate}; separators are
	 * skipped.
	 */
	static boolean luhn(CharSequence candidate) {
		int sum = 0;
		int digits = 0;
		for (int i = candidate.length() - 1; i >= 0; i--) {
			char c = candidate.charAt(i);
			if (c < '0' || c > '9') {
				continue;
			}
			int d = c - '0';
			if (digits % 2 == 1) {
				d *= 2;
				if (d > 9) {
					d -= 9;
				}
			}
			sum += d;
			digits++;
		}
		return digits >= 13 && digits <= 19 && sum % 10 == 0;
	}

}
