package dev.warden.worker.explain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.SignatureSpec;

/**
 * What a model-agnostic method explains: an output of the serving signature, and the
 * output's values for the instances (one call), which tell its width and the predicted
 * classes.
 */
record OutputTarget(String output, Outputs.Values atInstances, Integer requestedClass, Integer modelClass,
		List<String> classNames) {

	int classIndex(int instance) {
		int perRow = atInstances.perRow();
		if (perRow == 1) {
			return 0;
		}
		if (requestedClass != null) {
			return requestedClass;
		}
		if (modelClass != null) {
			return modelClass;
		}
		int best = 0;
		for (int c = 1; c < perRow; c++) {
			if (atInstances.flat()[instance * perRow + c] > atInstances.flat()[instance * perRow + best]) {
				best = c;
			}
		}
		return best;
	}

	Map<String, Object> json(int instance) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("output", output);
		if (atInstances.perRow() > 1) {
			int c = classIndex(instance);
			json.put("class", c);
			if (classNames != null && c < classNames.size()) {
				json.put("class_name", classNames.get(c));
			}
			json.put("class_from",
					requestedClass != null ? "request" : modelClass != null ? "model default" : "prediction");
		}
		return json;
	}

	static OutputTarget resolve(ExplanationCall call, Map<String, InputColumn> instances) {
		ExplanationRequest r = call.request();
		SignatureSpec serving = call.version().serving();
		ExplainContract contract = call.version().contract();
		String output = r.output();
		if ("probability".equals(r.target())) {
			if (contract == null) {
				throw new ExplanationException("parameters.target: this version declares no probability output; "
						+ "name the output to explain with parameters.output");
			}
			if (output != null && !output.equals(contract.probabilityOutput())) {
				throw new ExplanationException("parameters.output: '" + output + "' is not the probability output '"
						+ contract.probabilityOutput() + "' that parameters.target names");
			}
		}
		else if (r.target() != null && !"logit".equals(r.target())) {
			throw new ExplanationException(
					"parameters.target: unknown target '" + r.target() + "' (probability or logit)");
		}
		if (output == null) {
			if (contract != null) {
				output = contract.probabilityOutput();
			}
			else {
				List<String> numeric = serving.outputs()
					.values()
					.stream()
					.filter(o -> o.dtype().equals("DT_FLOAT") || o.dtype().equals("DT_DOUBLE"))
					.map(o -> o.name())
					.toList();
				if (numeric.size() != 1) {
					throw new ExplanationException("parameters.output: name the output to explain (float outputs of "
							+ serving.key() + ": " + numeric + ")");
				}
				output = numeric.get(0);
			}
		}
		if (!serving.outputs().containsKey(output)) {
			throw new ExplanationException("parameters.output: unknown output '" + output + "' (the outputs of "
					+ serving.key() + " are " + new java.util.TreeSet<>(serving.outputs().keySet()) + ")");
		}
		String name = output;
		Outputs.Values values = call.servable().call(serving.key(), instances, result -> Outputs.read(result, name));
		int perRow = values.perRow();
		Integer requested = r.targetClass();
		if (requested != null && (requested < 0 || requested >= perRow)) {
			throw new ExplanationException("parameters.class: " + requested + " is out of range for output '" + output
					+ "', which has " + perRow + (perRow == 1 ? " value" : " values") + " per row");
		}
		boolean probabilities = contract != null && output.equals(contract.probabilityOutput());
		return new OutputTarget(output, values, requested, probabilities ? contract.defaultClass() : null,
				probabilities ? contract.classes() : null);
	}

}
