package dev.warden.platform.crypto;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;

/**
 * Removes personal data from a request-log payload before it is encrypted: e-mail addresses, phone numbers
 * (found by Google's libphonenumber, {@link PhoneNumberUtil#findNumbers} with leniency {@code VALID}) and payment
 * card numbers (13 to 19 digits, optionally grouped by single spaces or hyphens, that pass the Luhn check). Each
 * finding is replaced by a fixed marker ({@value #EMAIL}, {@value #PHONE}, {@value #CARD}), so a JSON string stays
 * a JSON string. Card numbers are looked for first, so their digits are not taken for a phone number.
 * <p>
 * Stateless and thread-safe; no Spring. Payloads that are not valid UTF-8 are returned unchanged (count 0).
 */
public final class Redactor {

	public static final String EMAIL = "[REDACTED_EMAIL]";

	public static final String PHONE = "[REDACTED_PHONE]";

	public static final String CARD = "[REDACTED_CARD]";

	private static final Pattern EMAIL_PATTERN = Pattern.compile(
			"(?<![\\w.%+-])[A-Za-z0-9](?:[A-Za-z0-9._%+-]{0,63})@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\\.)+[A-Za-z]{2,24}(?![\\w-])");

	/** 13 to 19 digits, single space or hyphen allowed between digits, not part of a longer number. */
	private static final Pattern CARD_CANDIDATE = Pattern.compile("(?<![\\d.,])\\d(?:[ -]?\\d){12,18}(?![\\d]|[.,]\\d)");

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
	 * Redacts a UTF-8 payload. {@code null} stays {@code null}; bytes that are not valid UTF-8 are returned as they
	 * are with a count of 0.
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
		if (rules.cardNumbers()) {
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
		if (rules.emails()) {
			Matcher matcher = EMAIL_PATTERN.matcher(current);
			StringBuilder out = new StringBuilder(current.length());
			while (matcher.find()) {
				matcher.appendReplacement(out, Matcher.quoteReplacement(EMAIL));
				emails++;
			}
			matcher.appendTail(out);
			current = out.toString();
		}
		if (rules.phoneNumbers()) {
			List<PhoneNumberMatch> found = new ArrayList<>();
			PHONES.findNumbers(current, rules.phoneRegion(), PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)
				.forEach(found::add);
			found.sort(Comparator.comparingInt(PhoneNumberMatch::start));
			StringBuilder out = new StringBuilder(current.length());
			int last = 0;
			for (PhoneNumberMatch match : found) {
				if (match.start() < last) {
					continue;
				}
				out.append(current, last, match.start()).append(PHONE);
				last = match.end();
				phones++;
			}
			current = out.append(current, last, current.length()).toString();
		}
		return new Result(current, emails, phones, cards);
	}

	/** The Luhn (mod 10) check over the digits of {@code candidate}; separators are skipped. */
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
