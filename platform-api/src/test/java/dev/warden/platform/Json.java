package dev.warden.platform;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Reads the JSON answers of the admin API and the data plane in tests, with Jackson. */
public final class Json {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private Json() {
	}

	public static JsonNode read(String json) {
		return MAPPER.readTree(json);
	}

	/**
	 * The value of a top-level field as text (a string, or a number or boolean written
	 * out).
	 * @throws AssertionError when the body has no such field, or it is {@code null}, an
	 * object or an array
	 */
	public static String field(String json, String name) {
		JsonNode value = read(json).path(name);
		if (!value.isValueNode() || value.isNull()) {
			throw new AssertionError("no " + name + " in " + json);
		}
		return value.asString();
	}

}
