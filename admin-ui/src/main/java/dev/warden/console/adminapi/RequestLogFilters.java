package dev.warden.console.adminapi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The filters of a request-log page, as the admin API names them; an empty or null value
 * is no filter. The values are passed as typed: platform-api checks them and answers 400
 * {@code invalid_parameter} naming the parameter.
 *
 * @param tenantId {@code tenant_id}: a tenant id
 * @param apiKeyId {@code api_key_id}: an API key id
 * @param model {@code model}: a model name
 * @param version {@code version}: a model version as logged
 * @param status {@code status}: an HTTP status (404) or a class (4xx)
 * @param from {@code from}: an ISO-8601 instant, inclusive
 * @param to {@code to}: an ISO-8601 instant, exclusive
 */
public record RequestLogFilters(String tenantId, String apiKeyId, String model, String version, String status,
		String from, String to) {

	/** No filter: every record. */
	public static final RequestLogFilters NONE = new RequestLogFilters(null, null, null, null, null, null, null);

	/** The filters that are set, by admin API parameter name, in a fixed order. */
	public Map<String, String> parameters() {
		Map<String, String> parameters = new LinkedHashMap<>();
		put(parameters, "tenant_id", this.tenantId);
		put(parameters, "api_key_id", this.apiKeyId);
		put(parameters, "model", this.model);
		put(parameters, "version", this.version);
		put(parameters, "status", this.status);
		put(parameters, "from", this.from);
		put(parameters, "to", this.to);
		return parameters;
	}

	private static void put(Map<String, String> parameters, String name, String value) {
		if (value != null && !value.isEmpty()) {
			parameters.put(name, value);
		}
	}

}
