package dev.warden.platform.system;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * What the admin API accepts as text and as a timestamp, whatever the field: the one rule
 * that every JSON string of a request body ({@link JsonConfiguration}), every query
 * parameter and every path variable ({@link AdminInputInterceptor}) and every timestamp
 * is held to, so that a value the database or the log cannot hold is refused with 400
 * where it enters, never turned into a 500 (PostgreSQL refuses NUL in text and timestamps
 * outside its range) or silently altered (the JDBC driver writes a lone surrogate as
 * {@code ?}).
 */
public final class InputRules {

	/** Earliest timestamp accepted anywhere in the admin API. */
	public static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");

	/**
	 * Latest timestamp accepted anywhere in the admin API (PostgreSQL holds up to year
	 * 294276).
	 */
	public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

	/** Longest query parameter value or path variable, in characters. */
	public static final int MAX_PARAMETER_LENGTH = 1000;

	private InputRules() {
	}

	/**
	 * Why the text is refused, or {@code null} if it is acceptable: it contains a control
	 * character (Unicode category Cc: U+0000–U+001F, U+007F–U+009F; tab, line feed and
	 * carriage return only where {@code lineBreaks} allows them) or a UTF-16 surrogate
	 * that is not part of a pair.
	 */
	public static String textProblem(String text, boolean lineBreaks) {
		for (int i = 0; i < text.length(); i++) {
			char c = text.charAt(i);
			if (Character.isISOControl(c) && !(lineBreaks && (c == '\t' || c == '\n' || c == '\r'))) {
				return "must not contain control characters (found " + codePoint(c) + ")";
			}
			if (Character.isHighSurrogate(c)) {
				if (i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
					i++;
					continue;
				}
				return "must not contain an unpaired UTF-16 surrogate (found " + codePoint(c) + ")";
			}
			if (Character.isLowSurrogate(c)) {
				return "must not contain an unpaired UTF-16 surrogate (found " + codePoint(c) + ")";
			}
		}
		return null;
	}

	/**
	 * Why the timestamp is refused, or {@code null} if it lies within [{@link #EARLIEST},
	 * {@link #LATEST}].
	 */
	public static String timestampProblem(Instant instant) {
		if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
			return "must lie between " + EARLIEST + " and " + LATEST;
		}
		return null;
	}

	/**
	 * The instant a query parameter gives, held to {@link #timestampProblem}; null for
	 * null.
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter
	 */
	public static Instant instantParameter(String name, String value) {
		if (value == null) {
			return null;
		}
		Instant instant;
		try {
			instant = Instant.parse(value);
		}
		catch (DateTimeParseException ex) {
			throw ApiException.badRequest("invalid_parameter",
					name + ": is not an instant like 2026-12-06T10:00:00Z (ISO-8601, UTC or with an offset)");
		}
		String problem = timestampProblem(instant);
		if (problem != null) {
			throw ApiException.badRequest("invalid_parameter", name + ": " + problem);
		}
		return instant;
	}

	private static String codePoint(char c) {
		return String.format("U+%04X", (int) c);
	}

}
