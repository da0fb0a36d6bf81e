package dev.warden.platform.quota;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * Counts the rows of a predict body with a streaming parse that stops as soon as the
 * count passes the limit: TF Serving REST ({@code :predict}) — the length of
 * {@code instances}, or of {@code inputs} when it is a list, or of the first column when
 * {@code inputs} is an object of columns; TF Serving REST {@code :classify} and
 * {@code :regress} — the length of {@code examples}; Open Inference Protocol v2
 * ({@code /infer}) — the first dimension of the first input's {@code shape}. Stateless
 * and thread-safe.
 */
public final class RowCounter {

	/**
	 * Returned when the body is not JSON of a known shape; the worker is left to answer
	 * it.
	 */
	public static final long UNKNOWN = -1;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private RowCounter() {
	}

	/**
	 * @param v2 {@code true} for an Open Inference Protocol infer body, {@code false} for
	 * TF Serving REST
	 * @param stopAfter counting stops once the count exceeds this (the result is then
	 * {@code stopAfter + 1})
	 * @return the row count, or {@link #UNKNOWN}
	 */
	public static long count(byte[] body, boolean v2, long stopAfter) {
		try (JsonParser parser = JSON.createParser(body)) {
			if (parser.nextToken() != JsonToken.START_OBJECT) {
				return UNKNOWN;
			}
			while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
				String name = parser.currentName();
				JsonToken value = parser.nextToken();
				if (!v2 && "examples".equals(name)) {
					return (value == JsonToken.START_ARRAY) ? countElements(parser, stopAfter) : UNKNOWN;
				}
				if (!v2 && ("instances".equals(name) || "inputs".equals(name))) {
					if (value == JsonToken.START_ARRAY) {
						return countElements(parser, stopAfter);
					}
					if ("inputs".equals(name) && value == JsonToken.START_OBJECT) {
						// columnar: the first column's length
						if (parser.nextToken() != JsonToken.PROPERTY_NAME) {
							return UNKNOWN;
						}
						return (parser.nextToken() == JsonToken.START_ARRAY) ? countElements(parser, stopAfter) : 1;
					}
					return UNKNOWN;
				}
				if (v2 && "inputs".equals(name)) {
					return (value == JsonToken.START_ARRAY) ? firstShapeDimension(parser) : UNKNOWN;
				}
				parser.skipChildren();
			}
			return UNKNOWN;
		}
		catch (JacksonException ex) {
			return UNKNOWN;
		}
	}

	private static long countElements(JsonParser parser, long stopAfter) {
		long count = 0;
		while (parser.nextToken() != JsonToken.END_ARRAY) {
			parser.skipChildren();
			count++;
			if (count > stopAfter) {
				return count;
			}
		}
		return count;
	}

	private static long firstShapeDimension(JsonParser parser) {
		if (parser.nextToken() != JsonToken.START_OBJECT) {
			return UNKNOWN;
		}
		while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
			String name = parser.currentName();
			JsonToken value = parser.nextToken();
			if ("shape".equals(name)) {
				return (value == JsonToken.START_ARRAY && parser.nextToken() == JsonToken.VALUE_NUMBER_INT)
						? parser.getLongValue() : UNKNOWN;
			}
			parser.skipChildren();
		}
		return UNKNOWN;
	}

}
