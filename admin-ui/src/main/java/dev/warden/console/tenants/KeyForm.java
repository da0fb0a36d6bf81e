package dev.warden.console.tenants;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.springframework.util.MultiValueMap;

/**
 * The form that issues an API key, as typed: name, model scope (model names separated by
 * commas or spaces; empty = every model granted to the tenant), operations (check boxes;
 * what is not checked is not allowed), expiry (a UTC day: the key expires at its start;
 * empty = never) and the quota override. The console turns it into the key API's body
 * without judging it, so platform-api's words name what is wrong; only an expiry that is
 * not a date is refused by the console, since there is nothing to send for it.
 *
 * @param name the key's name
 * @param models the model scope as typed
 * @param operations the checked operations
 * @param expires the expiry day as typed
 * @param quota the quota override fields as typed
 */
record KeyForm(String name, String models, List<String> operations, String expires, QuotaForm quota) {

	static final List<String> OPERATIONS = List.of("predict", "explain", "metadata", "feedback");

	/** The form's fields platform-api can name in a refusal. */
	static final List<String> FIELDS = List.of("name", "models", "operations", "expires_at", "requests_per_second",
			"burst", "requests_per_month", "max_request_bytes", "max_rows_per_request");

	static KeyForm blank() {
		return new KeyForm("", "", OPERATIONS, "", QuotaForm.blank());
	}

	static KeyForm submitted(MultiValueMap<String, String> form) {
		List<String> operations = new ArrayList<>();
		for (String operation : form.getOrDefault("operations", List.of())) {
			if (operation != null && !operation.isBlank() && !operations.contains(operation.trim())) {
				operations.add(operation.trim());
			}
		}
		return new KeyForm(first(form, "name"), first(form, "models"), operations, first(form, "expires"),
				QuotaForm.submitted(form));
	}

	public boolean checked(String operation) {
		return this.operations.contains(operation);
	}

	/**
	 * The key API's body.
	 * @throws IllegalArgumentException naming {@code expires_at} when the expiry is not a
	 * date like 2027-01-01
	 */
	Map<String, Object> request() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", this.name.trim());
		List<String> models = Arrays.stream(this.models.split("[,\\s]+")).filter((m) -> !m.isBlank()).toList();
		if (!models.isEmpty()) {
			body.put("models", models);
		}
		body.put("operations", this.operations);
		if (!this.expires.isBlank()) {
			try {
				body.put("expires_at", LocalDate.parse(this.expires.trim()) + "T00:00:00Z");
			}
			catch (DateTimeParseException ex) {
				throw new IllegalArgumentException(
						"expires_at: '" + this.expires.trim() + "' is not a date like 2027-01-01.");
			}
		}
		Map<String, Object> quota = this.quota.request();
		if (!quota.isEmpty()) {
			body.put("quota", quota);
		}
		return body;
	}

	static String first(MultiValueMap<String, String> form, String name) {
		String value = form.getFirst(name);
		return (value != null) ? value : "";
	}

	/**
	 * A key's quota override as typed: each field empty (no override of the plan's value)
	 * or a number; a value that is not a whole number is sent as typed, so platform-api
	 * names the field.
	 *
	 * @param requestsPerSecond rate per second
	 * @param burst burst
	 * @param requestsPerMonth the key's own monthly quota
	 * @param maxRequestBytes largest request body
	 * @param maxRowsPerRequest most rows per request
	 */
	record QuotaForm(String requestsPerSecond, String burst, String requestsPerMonth, String maxRequestBytes,
			String maxRowsPerRequest) {

		static QuotaForm blank() {
			return new QuotaForm("", "", "", "", "");
		}

		/** The override's fields, in the order the forms show them. */
		static final List<String> FIELDS = List.of("requests_per_second", "burst", "requests_per_month",
				"max_request_bytes", "max_rows_per_request");

		/** The field's value as typed. */
		public String value(String field) {
			return switch (field) {
				case "requests_per_second" -> this.requestsPerSecond;
				case "burst" -> this.burst;
				case "requests_per_month" -> this.requestsPerMonth;
				case "max_request_bytes" -> this.maxRequestBytes;
				case "max_rows_per_request" -> this.maxRowsPerRequest;
				default -> throw new IllegalArgumentException("no quota field " + field);
			};
		}

		static QuotaForm submitted(MultiValueMap<String, String> form) {
			return new QuotaForm(first(form, "requests_per_second"), first(form, "burst"),
					first(form, "requests_per_month"), first(form, "max_request_bytes"),
					first(form, "max_rows_per_request"));
		}

		/** The override's fields that are set, as the key API takes them. */
		Map<String, Object> request() {
			Map<String, Object> quota = new LinkedHashMap<>();
			put(quota, "requests_per_second", this.requestsPerSecond);
			put(quota, "burst", this.burst);
			put(quota, "requests_per_month", this.requestsPerMonth);
			put(quota, "max_request_bytes", this.maxRequestBytes);
			put(quota, "max_rows_per_request", this.maxRowsPerRequest);
			return quota;
		}

		private static void put(Map<String, Object> quota, String field, String typed) {
			String value = (typed != null) ? typed.trim() : "";
			if (value.isEmpty()) {
				return;
			}
			try {
				quota.put(field, Long.parseLong(value));
			}
			catch (NumberFormatException ex) {
				quota.put(field, value);
			}
		}

	}

}
