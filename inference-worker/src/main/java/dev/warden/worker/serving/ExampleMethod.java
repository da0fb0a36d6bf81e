package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.system.ApiException;

/**
 * TF Serving's two example-based methods, {@code :classify} and {@code :regress}: which
 * signatures can answer them and how their outputs become the REST answer.
 *
 * <p>
 * A signature can answer when it has TF Serving's shape for the method: exactly one
 * input, named {@code inputs}, of DT_STRING (the batch of serialized
 * {@code tf.Example}s), and for classify the outputs {@code classes} and/or
 * {@code scores} (nothing else), for regress the one output {@code outputs}. Its method
 * name is normally {@code tensorflow/serving/classify} or {@code /regress}; as TF Serving
 * does by default (its {@code --enable_signature_method_name_check} is off), a signature
 * of that shape answers whatever its method name, because TensorFlow 2's exporter marks
 * every signature {@code tensorflow/serving/predict}.
 */
enum ExampleMethod {

	CLASSIFY("classify", "tensorflow/serving/classify", "classification"),
	REGRESS("regress", "tensorflow/serving/regress", "regression");

	static final String INPUT = "inputs";

	private final String verb;

	private final String methodName;

	private final String noun;

	ExampleMethod(String verb, String methodName, String noun) {
		this.verb = verb;
		this.methodName = methodName;
		this.noun = noun;
	}

	String verb() {
		return verb;
	}

	/**
	 * The signature to run: {@code name}, or {@code serving_default} when no name is
	 * given.
	 * @throws ApiException 400 naming what is missing: no such signature, or one that
	 * cannot answer this method (with the signatures of the model that can)
	 */
	SignatureSpec signature(LoadedServable servable, String model, String name) {
		boolean named = name != null && !name.isEmpty();
		String key = named ? name : PredictRequestParser.DEFAULT_SIGNATURE;
		Set<String> capable = capable(servable);
		String available = capable.isEmpty() ? "model " + model + " has no " + noun + " signature"
				: noun + " signatures of model " + model + ": " + capable;
		SignatureSpec signature = servable.signatures().get(key);
		if (signature == null) {
			String unusable = servable.unusableSignatures().get(key);
			throw ApiException
				.invalidArgument((unusable != null ? "signature '" + key + "' cannot be served: " + unusable
						: named ? "unknown signature_name '" + key + "'"
								: "no signature_name given and model " + model + " has no serving_default signature")
						+ " (" + available + ")");
		}
		String problem = problem(signature);
		if (problem != null) {
			throw ApiException.invalidArgument("signature '" + key + "' cannot " + verb + ": " + problem + "; a " + noun
					+ " signature (method_name " + methodName + ") takes one DT_STRING input 'inputs' of "
					+ "serialized tf.Example and outputs " + expectedOutputs() + " ("
					+ (capable.isEmpty() ? available : available + ": pass one as signature_name") + ")");
		}
		return signature;
	}

	/** Why {@code signature} cannot answer this method, or {@code null} when it can. */
	String problem(SignatureSpec signature) {
		Map<String, TensorSpec> inputs = signature.inputs();
		String describe = "it is "
				+ (signature.methodName().isEmpty() ? "a signature without method_name" : signature.methodName())
				+ " with inputs " + inputs.keySet() + " and outputs " + signature.outputs().keySet();
		if (inputs.size() != 1 || !inputs.containsKey(INPUT)) {
			return describe;
		}
		TensorSpec input = inputs.get(INPUT);
		if (!"DT_STRING".equals(input.dtype())) {
			return "its input 'inputs' is " + input.dtype() + ", not serialized tf.Example (use :predict)";
		}
		Set<String> outputs = signature.outputs().keySet();
		boolean fits = switch (this) {
			case CLASSIFY -> !outputs.isEmpty() && Set.of("classes", "scores").containsAll(outputs);
			case REGRESS -> outputs.equals(Set.of("outputs"));
		};
		return fits ? null : describe;
	}

	private String expectedOutputs() {
		return this == CLASSIFY ? "'classes' and/or 'scores'" : "one output 'outputs'";
	}

	/**
	 * TF Serving's {@code results}: for classify, per example a list of
	 * {@code [label, score]} pairs (label {@code ""} when the model has no
	 * {@code classes} output, score 0 when it has no {@code scores}); for regress, one
	 * number per example.
	 * @throws ApiException 400 when the model's outputs do not have the shapes TF Serving
	 * requires
	 */
	List<Object> results(Map<String, OutputColumn> outputs, int examples) {
		return this == CLASSIFY ? classifications(outputs, examples) : regressions(outputs, examples);
	}

	private static List<Object> classifications(Map<String, OutputColumn> outputs, int examples) {
		OutputColumn classes = outputs.get("classes");
		OutputColumn scores = outputs.get("scores");
		int perExample = -1;
		for (OutputColumn column : new OutputColumn[] { classes, scores }) {
			if (column == null) {
				continue;
			}
			if (column.shape().length != 2) {
				throw modelOutput("'" + column.name() + "' has shape " + shapeText(column.shape())
						+ "; classification needs [batch_size, num_classes]");
			}
			if (column.shape()[0] != examples) {
				throw modelOutput(
						"'" + column.name() + "' has " + column.shape()[0] + " rows for " + examples + " examples");
			}
			if (perExample >= 0 && perExample != column.shape()[1]) {
				throw modelOutput("'classes' and 'scores' disagree on the number of classes");
			}
			perExample = (int) column.shape()[1];
		}
		List<Object> results = new ArrayList<>(examples);
		for (int e = 0; e < examples; e++) {
			List<Object> pairs = new ArrayList<>(perExample);
			for (int c = 0; c < perExample; c++) {
				Object label = classes == null ? "" : ((List<?>) classes.rows().get(e)).get(c);
				Object score = scores == null ? 0f : ((List<?>) scores.rows().get(e)).get(c);
				if (!(label instanceof String) || !(score instanceof Float)) {
					throw modelOutput("'classes' must be DT_STRING and 'scores' DT_FLOAT");
				}
				pairs.add(List.of(label, score));
			}
			results.add(pairs);
		}
		return results;
	}

	private static List<Object> regressions(Map<String, OutputColumn> outputs, int examples) {
		OutputColumn column = outputs.get("outputs");
		long[] shape = column.shape();
		if (!(shape.length == 1 || (shape.length == 2 && shape[1] == 1))) {
			throw modelOutput(
					"'outputs' has shape " + shapeText(shape) + "; regression needs [batch_size] or [batch_size, 1]");
		}
		if (shape[0] != examples) {
			throw modelOutput("'outputs' has " + shape[0] + " rows for " + examples + " examples");
		}
		List<Object> results = new ArrayList<>(examples);
		for (Object row : column.rows()) {
			Object value = row instanceof List<?> list ? list.get(0) : row;
			if (!(value instanceof Float)) {
				throw modelOutput("'outputs' must be DT_FLOAT");
			}
			results.add(value);
		}
		return results;
	}

	private static ApiException modelOutput(String problem) {
		return ApiException.invalidArgument("the model's output " + problem);
	}

	private static String shapeText(long[] shape) {
		return java.util.Arrays.toString(shape).replace(" ", "");
	}

	/** The signatures of {@code servable} that can answer this method, sorted. */
	Set<String> capable(LoadedServable servable) {
		Set<String> keys = new TreeSet<>();
		servable.signatures().values().forEach(signature -> {
			if (problem(signature) == null) {
				keys.add(signature.key());
			}
		});
		return keys;
	}

}
