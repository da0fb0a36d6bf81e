package dev.warden.platform.requestlog;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * The filters of {@code GET /api/admin/request-log}, checked and turned into a
 * {@code WHERE} clause with bind parameters only. Only the conditions asked for are
 * written, so that the planner sees plain comparisons: a time range prunes the monthly
 * partitions and uses {@code (occurred_at DESC)}, a tenant uses
 * {@code (tenant_id, occurred_at DESC)}.
 *
 * @param tenantId the tenant, or null
 * @param apiKeyId the API key, or null
 * @param model the model name as logged, or null
 * @param version the model version as logged ({@code model_version}), or null
 * @param statusMin the lowest status, or null
 * @param statusMax the highest status, or null
 * @param from the first instant (inclusive), or null
 * @param to the end of the range (exclusive), or null
 */
record RequestLogSearch(UUID tenantId, UUID apiKeyId, String model, String version, Integer statusMin,
		Integer statusMax, Instant from, Instant to) {

	private static final Pattern STATUS = Pattern.compile("[1-5][0-9][0-9]");

	private static final Pattern STATUS_CLASS = Pattern.compile("[1-5]xx", Pattern.CASE_INSENSITIVE);

	/**
	 * The filters of one call; an empty value is no filter.
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter
	 */
	static RequestLogSearch of(UUID tenantId, UUID apiKeyId, String model, String version, String status, String from,
			String to) {
		Integer statusMin = null;
		Integer statusMax = null;
		String statusText = blankToNull(status);
		if (statusText != null) {
			if (STATUS.matcher(statusText).matches()) {
				statusMin = Integer.valueOf(statusText);
				statusMax = statusMin;
			}
			else if (STATUS_CLASS.matcher(statusText).matches()) {
				statusMin = (statusText.charAt(0) - '0') * 100;
				statusMax = statusMin + 99;
			}
			else {
				throw ApiException.badRequest("invalid_parameter",
						"status: must be an HTTP status from 100 to 599 (e.g. 404) or a class such as 2xx, 4xx or 5xx");
			}
		}
		Instant start = instant("from", from);
		Instant end = instant("to", to);
		if (start != null && end != null && !start.isBefore(end)) {
			throw ApiException.badRequest("invalid_parameter",
					"from: " + start + " is not before to: " + end + "; the range is [from, to)");
		}
		return new RequestLogSearch(tenantId, apiKeyId, blankToNull(model), blankToNull(version), statusMin, statusMax,
				start, end);
	}

	/** The conditions, joined with {@code AND} ({@code TRUE} when there are none). */
	String where() {
		List<String> conditions = new ArrayList<>();
		if (this.tenantId != null) {
			conditions.add("tenant_id = :tenantId");
		}
		if (this.apiKeyId != null) {
			conditions.add("api_key_id = :apiKeyId");
		}
		if (this.model != null) {
			conditions.add("model = :model");
		}
		if (this.version != null) {
			conditions.add("model_version = :version");
		}
		if (this.statusMin != null) {
			conditions.add("status BETWEEN :statusMin AND :statusMax");
		}
		if (this.from != null) {
			conditions.add("occurred_at >= :from");
		}
		if (this.to != null) {
			conditions.add("occurred_at < :to");
		}
		return conditions.isEmpty() ? "TRUE" : String.join(" AND ", conditions);
	}

	/** The values of the conditions of {@link #where()}, by parameter name. */
	Map<String, Object> parameters() {
		Map<String, Object> parameters = new LinkedHashMap<>();
		if (this.tenantId != null) {
			parameters.put("tenantId", this.tenantId);
		}
		if (this.apiKeyId != null) {
			parameters.put("apiKeyId", this.apiKeyId);
		}
		if (this.model != null) {
			parameters.put("model", this.model);
		}
		if (this.version != null) {
			parameters.put("version", this.version);
		}
		if (this.statusMin != null) {
			parameters.put("statusMin", this.statusMin);
			parameters.put("statusMax", this.statusMax);
		}
		if (this.from != null) {
			parameters.put("from", Timestamp.from(this.from));
		}
		if (this.to != null) {
			parameters.put("to", Timestamp.from(this.to));
		}
		return parameters;
	}

	private static Instant instant(String name, String value) {
		return InputRules.instantParameter(name, blankToNull(value));
	}

	private static String blankToNull(String value) {
		return (value == null || value.isEmpty()) ? null : value;
	}

}
