package dev.warden.worker.explain;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.worker.loader.LoadedServable;

/**
 * One explain request on one loaded version: what every explanation of it shares.
 */
record ExplanationCall(LoadedServable servable, ExplainableVersion version, ExplanationRequest request,
		ExplanationMethod method, ExplainProperties properties) {

	/** The fields every explanation starts with: method, model, version. */
	Map<String, Object> header() {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("method", method.id());
		json.put("model", servable.id().name());
		json.put("version", Long.toString(servable.id().version()));
		return json;
	}

	/** Rows of {@code width} input elements per TensorFlow call. */
	int rowsPerCall(int width) {
		return Math.max(1, properties.maxCallElements() / Math.max(1, width));
	}

}
