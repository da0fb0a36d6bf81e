package dev.warden.console.tenants;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.warden.console.adminapi.AdminApiException;

/**
 * Places platform-api's refusal of a form next to the field it names. platform-api names
 * the field at the start of its message ({@code name: must not be blank},
 * {@code field 'expires_at': …}, {@code quota.burst: …}); a 409 for a duplicate name
 * concerns the name. A refusal that names no field of the form is shown above it.
 */
final class FieldErrors {

	/** Where an error that concerns no single field goes. */
	static final String FORM = "form";

	private static final Pattern NAMED = Pattern
		.compile("^(?:field\\s+)?'?([a-z_]+(?:\\.[a-z_]+)?)(?:\\[\\d+])?'?\\s*:");

	private FieldErrors() {
	}

	/**
	 * The error of the refusal by field: the field it names when that is one of
	 * {@code fields} (a {@code quota.*} name counts as the field of the same name), else
	 * {@link #FORM}. The text is the console's message with platform-api's words.
	 */
	static Map<String, String> of(AdminApiException ex, List<String> fields) {
		Map<String, String> errors = new LinkedHashMap<>();
		String field = fieldOf(ex, fields);
		errors.put((field != null) ? field : FORM, ex.getMessage());
		return errors;
	}

	private static String fieldOf(AdminApiException ex, List<String> fields) {
		String message = ex.platformMessage();
		if (message != null) {
			Matcher named = NAMED.matcher(message.trim());
			String field = named.find() ? named.group(1) : null;
			if (field != null && field.startsWith("quota.")) {
				field = field.substring("quota.".length());
			}
			if (field != null && fields.contains(field)) {
				return field;
			}
		}
		if (ex.status() == 409 && "conflict".equals(ex.code()) && fields.contains("name")) {
			return "name";
		}
		return null;
	}

}
