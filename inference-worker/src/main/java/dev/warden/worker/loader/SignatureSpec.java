package dev.warden.worker.loader;

import java.util.Map;

/** One signature of a loaded SavedModel: inputs and outputs in declaration order. */
public record SignatureSpec(String key, String methodName, Map<String, TensorSpec> inputs,
		Map<String, TensorSpec> outputs) {

	public SignatureSpec {
		inputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(inputs));
		outputs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(outputs));
	}

}
