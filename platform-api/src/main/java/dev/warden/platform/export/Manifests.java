package dev.warden.platform.export;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The canonical form of an export manifest, shared by the server (which signs it) and
 * {@link VerifyExport} (which checks it). The signed bytes are the manifest without its
 * {@code signature} field, as UTF-8 JSON with the keys of every object sorted, no
 * whitespace, and only strings, integers, booleans, null and objects as values.
 */
final class Manifests {

	/** The field holding the base64 signature; not part of the signed bytes. */
	static final String SIGNATURE = "signature";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final JsonMapper STRICT_JSON = JsonMapper.builder()
		.enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
		.build();

	private Manifests() {
	}

	/**
	 * The bytes that are signed: {@code manifest} minus {@link #SIGNATURE}, canonical.
	 */
	static byte[] signedBytes(Map<String, ?> manifest) {
		Map<String, Object> unsigned = new LinkedHashMap<>(manifest);
		unsigned.remove(SIGNATURE);
		return canonical(unsigned).getBytes(StandardCharsets.UTF_8);
	}

	/** The canonical JSON text of {@code value}. */
	static String canonical(Map<String, ?> value) {
		return JSON.writeValueAsString(sorted(value));
	}

	/** Plain JSON text of {@code value}. */
	static String json(Object value) {
		return JSON.writeValueAsString(value);
	}

	/**
	 * Reads one JSON object, refusing duplicate keys (a reader of the manifest must never
	 * see another value than the verifier checked).
	 * @throws IllegalArgumentException if {@code json} is not exactly one JSON object;
	 * the message names the problem but quotes no content
	 */
	@SuppressWarnings("unchecked")
	static Map<String, Object> parse(String json) {
		JsonNode tree;
		try {
			tree = STRICT_JSON.readTree(json);
		}
		catch (JacksonException ex) {
			throw new IllegalArgumentException(
					"not JSON (" + ex.getOriginalMessage().strip().lines().findFirst().orElse("") + ")");
		}
		if (tree == null || !tree.isObject()) {
			throw new IllegalArgumentException("not a JSON object");
		}
		return STRICT_JSON.treeToValue(tree, Map.class);
	}

	private static Object sorted(Object value) {
		if (value instanceof Map<?, ?> map) {
			Map<String, Object> sorted = new TreeMap<>();
			map.forEach((key, nested) -> sorted.put((String) key, sorted(nested)));
			return sorted;
		}
		if (value == null || value instanceof String || value instanceof Boolean || value instanceof Long
				|| value instanceof Integer) {
			return (value instanceof Integer number) ? Long.valueOf(number) : value;
		}
		throw new IllegalArgumentException("a manifest holds strings, integers, booleans, null and objects only, not "
				+ value.getClass().getSimpleName());
	}

}
