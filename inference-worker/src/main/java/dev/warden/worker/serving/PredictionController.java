package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.batching.BatchingInference;
import dev.warden.worker.explain.Explanations;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.manager.ServableHandle;
import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.ServableRequest;
import dev.warden.worker.system.ApiException;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * TensorFlow Serving's REST API: predict, classify, regress, model status and metadata;
 * and KServe v1's explain ({@code :explain}) with the explanation methods each version
 * supports ({@code /explanation-methods}).
 *
 * <p>
 * The verb ({@code :predict}, {@code :classify}, {@code :regress}) shares its path
 * segment with the model name ({@code /v1/models/income:predict}), so the last segment is
 * captured whole and split here rather than by pattern matching; that keeps a GET on a
 * verb URL a clean 405 and a POST on a status URL a 405 too. Classify and regress take TF
 * Serving's {@code examples} (see {@link ExampleRequestParser}) and answer
 * {@code {"results": [...]}}.
 */
@RestController
class PredictionController {

	static final String MODEL_VERSION_HEADER = "X-Model-Version";

	private static final String PREDICT_VERB = ":predict";

	private static final String EXPLAIN_VERB = ":explain";

	private static final List<String> VERBS = List.of(PREDICT_VERB, ":classify", ":regress", EXPLAIN_VERB);

	private final ServableManager<LoadedServable> manager;

	private final BatchingInference inference;

	private final Explanations explanations;

	PredictionController(ServableManager<LoadedServable> manager, BatchingInference inference,
			Explanations explanations) {
		this.manager = manager;
		this.inference = inference;
		this.explanations = explanations;
	}

	@PostMapping(path = "/v1/models/{target}", consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> postLatest(@PathVariable String target, @RequestBody byte[] body,
			HttpServletResponse response) throws HttpRequestMethodNotSupportedException {
		Call call = call(target);
		return call.run(this, ServableRequest.latest(call.name()), body, response);
	}

	@PostMapping(path = "/v1/models/{model}/versions/{target}",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> postVersion(@PathVariable String model, @PathVariable String target,
			@RequestBody byte[] body, HttpServletResponse response) throws HttpRequestMethodNotSupportedException {
		Call call = call(target);
		return call.run(this, ServableRequest.version(model, version(model, call.name())), body, response);
	}

	@PostMapping(path = "/v1/models/{model}/labels/{target}",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> postLabel(@PathVariable String model, @PathVariable String target,
			@RequestBody byte[] body, HttpServletResponse response) throws HttpRequestMethodNotSupportedException {
		Call call = call(target);
		return call.run(this, ServableRequest.label(model, call.name()), body, response);
	}

	@GetMapping("/v1/models/{target}")
	Map<String, Object> statusOfModel(@PathVariable String target) throws HttpRequestMethodNotSupportedException {
		return ModelStatusJson.of(manager.status(statusTarget(target)));
	}

	@GetMapping("/v1/models/{model}/versions/{target}")
	Map<String, Object> statusOfVersion(@PathVariable String model, @PathVariable String target)
			throws HttpRequestMethodNotSupportedException {
		long version = version(model, statusTarget(target));
		return ModelStatusJson.of(List.of(manager.status(model, version)));
	}

	@GetMapping("/v1/models/{model}/labels/{target}")
	Map<String, Object> statusOfLabel(@PathVariable String model, @PathVariable String target)
			throws HttpRequestMethodNotSupportedException {
		return ModelStatusJson.of(manager.status(ServableRequest.label(model, statusTarget(target))));
	}

	@GetMapping("/v1/models/{model}/metadata")
	ResponseEntity<Map<String, Object>> metadataOfLatest(@PathVariable String model) {
		return metadata(ServableRequest.latest(model));
	}

	@GetMapping("/v1/models/{model}/versions/{version}/metadata")
	ResponseEntity<Map<String, Object>> metadataOfVersion(@PathVariable String model, @PathVariable String version) {
		return metadata(ServableRequest.version(model, version(model, version)));
	}

	@GetMapping("/v1/models/{model}/labels/{label}/metadata")
	ResponseEntity<Map<String, Object>> metadataOfLabel(@PathVariable String model, @PathVariable String label) {
		return metadata(ServableRequest.label(model, label));
	}

	@GetMapping("/v1/models/{model}/explanation-methods")
	ResponseEntity<Map<String, Object>> explanationMethodsOfLatest(@PathVariable String model) {
		return explanationMethods(ServableRequest.latest(model));
	}

	@GetMapping("/v1/models/{model}/versions/{version}/explanation-methods")
	ResponseEntity<Map<String, Object>> explanationMethodsOfVersion(@PathVariable String model,
			@PathVariable String version) {
		return explanationMethods(ServableRequest.version(model, version(model, version)));
	}

	@GetMapping("/v1/models/{model}/labels/{label}/explanation-methods")
	ResponseEntity<Map<String, Object>> explanationMethodsOfLabel(@PathVariable String model,
			@PathVariable String label) {
		return explanationMethods(ServableRequest.label(model, label));
	}

	private ResponseEntity<Map<String, Object>> explanationMethods(ServableRequest target) {
		try (ServableHandle<LoadedServable> handle = manager.handle(target)) {
			return ResponseEntity.ok()
				.header(MODEL_VERSION_HEADER, Long.toString(handle.version()))
				.body(explanations.methods(handle.servable()));
		}
	}

	/**
	 * KServe v1 explain: the instances as {@code :predict} takes them, explained on the
	 * loaded servable directly (many evaluations per explanation, in few large calls: not
	 * through the batching queue), with the predictions of the serving signature beside.
	 */
	private ResponseEntity<Map<String, Object>> explain(ServableRequest target, byte[] body) {
		try (ServableHandle<LoadedServable> handle = manager.handle(target)) {
			SignatureSpec serving = explanations.servingSignature(handle.servable());
			ExplainRequestParser.Parsed request = ExplainRequestParser.parse(body, serving);
			List<Map<String, Object>> explained = explanations.explain(handle.servable(), request.instances(),
					request.parameters());
			Map<String, Object> response = new LinkedHashMap<>();
			response.put("predictions", rowResponse(handle.servable().run(serving.key(), request.instances())));
			response.put("explanations", explained);
			return ResponseEntity.ok().header(MODEL_VERSION_HEADER, Long.toString(handle.version())).body(response);
		}
	}

	/**
	 * Predict: the answer is written straight to the response ({@link JsonAnswers}) once
	 * the handle is released; {@code null} tells Spring the response is written.
	 */
	ResponseEntity<Map<String, Object>> predict(ServableRequest target, byte[] body, HttpServletResponse response) {
		PredictRequest request;
		Map<String, OutputColumn> outputs;
		long version;
		try (ServableHandle<LoadedServable> handle = manager.handle(target)) {
			request = PredictRequestParser.parse(body, handle.servable());
			outputs = inference.run(handle, request.signature(), request.inputs());
			version = handle.version();
		}
		JsonAnswers.writePredict(response, version, request.format(), outputs);
		return null;
	}

	private ResponseEntity<Map<String, Object>> examples(ServableRequest target, byte[] body, ExampleMethod method) {
		try (ServableHandle<LoadedServable> handle = manager.handle(target)) {
			ExampleRequestParser.ExampleRequest request = ExampleRequestParser.parse(body, handle.servable(),
					handle.model(), method);
			Map<String, OutputColumn> outputs = inference.run(handle, request.signature().key(),
					Map.of(request.input().name(), InputColumn.ofExamples(request.input(), request.examples())));
			return ResponseEntity.ok()
				.header(MODEL_VERSION_HEADER, Long.toString(handle.version()))
				.body(Map.of("results", method.results(outputs, request.examples().size())));
		}
	}

	private ResponseEntity<Map<String, Object>> metadata(ServableRequest target) {
		try (ServableHandle<LoadedServable> handle = manager.handle(target)) {
			Map<String, Object> spec = new LinkedHashMap<>();
			spec.put("name", handle.model());
			spec.put("signature_name", "");
			spec.put("version", Long.toString(handle.version()));
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("model_spec", spec);
			body.put("metadata", Map.of("signature_def", Map.of("signature_def", handle.servable().signatureDefs())));
			return ResponseEntity.ok().header(MODEL_VERSION_HEADER, Long.toString(handle.version())).body(body);
		}
	}

	/**
	 * {@code [{out: value, ...}, ...]}, or plain values when the signature has a single
	 * output.
	 */
	static List<Object> rowResponse(Map<String, OutputColumn> outputs) {
		int rows = outputs.values().iterator().next().rows().size();
		List<Object> predictions = new ArrayList<>(rows);
		for (int r = 0; r < rows; r++) {
			if (outputs.size() == 1) {
				predictions.add(outputs.values().iterator().next().rows().get(r));
			}
			else {
				Map<String, Object> row = new LinkedHashMap<>();
				for (OutputColumn column : outputs.values()) {
					row.put(column.name(), column.rows().get(r));
				}
				predictions.add(row);
			}
		}
		return predictions;
	}

	/**
	 * {@code {out: [...], ...}}, or the plain array when the signature has a single
	 * output. Predict answers are written by {@link JsonAnswers}; this map form is the
	 * reference its bytes are compared with ({@code JsonAnswersTests}).
	 */
	static Object columnarResponse(Map<String, OutputColumn> outputs) {
		if (outputs.size() == 1) {
			return outputs.values().iterator().next().rows();
		}
		Map<String, Object> columns = new LinkedHashMap<>();
		outputs.values().forEach(column -> columns.put(column.name(), column.rows()));
		return columns;
	}

	/**
	 * {@code income:classify} → the name before the verb and what to run; 405 without a
	 * verb.
	 */
	private static Call call(String target) throws HttpRequestMethodNotSupportedException {
		int colon = target.lastIndexOf(':');
		if (colon <= 0) {
			throw new HttpRequestMethodNotSupportedException("POST", List.of("GET"));
		}
		String verb = target.substring(colon);
		String name = target.substring(0, colon);
		return switch (verb) {
			case PREDICT_VERB -> new Call(name, null, false);
			case ":classify" -> new Call(name, ExampleMethod.CLASSIFY, false);
			case ":regress" -> new Call(name, ExampleMethod.REGRESS, false);
			case EXPLAIN_VERB -> new Call(name, null, true);
			default -> throw unknownVerb(verb);
		};
	}

	private static String statusTarget(String target) throws HttpRequestMethodNotSupportedException {
		for (String verb : VERBS) {
			if (target.endsWith(verb) && target.length() > verb.length()) {
				throw new HttpRequestMethodNotSupportedException("GET", List.of("POST"));
			}
		}
		if (target.contains(":")) {
			throw unknownVerb(target.substring(target.lastIndexOf(':')));
		}
		return target;
	}

	private static ApiException unknownVerb(String verb) {
		return new ApiException(org.springframework.http.HttpStatus.NOT_FOUND, "not_found",
				"unknown method '" + verb + "' (supported: :predict, :classify, :regress, :explain)");
	}

	/**
	 * A POST to a verb URL: predict ({@code method} null), an example method, or explain.
	 */
	private record Call(String name, ExampleMethod method, boolean explain) {

		ResponseEntity<Map<String, Object>> run(PredictionController controller, ServableRequest target, byte[] body,
				HttpServletResponse response) {
			if (explain) {
				return controller.explain(target, body);
			}
			return method == null ? controller.predict(target, body, response)
					: controller.examples(target, body, method);
		}

	}

	private static long version(String model, String version) {
		if (!version.matches("[0-9]{1,18}")) {
			throw ApiException.modelNotFound(
					"Could not find version '" + version + "' of model " + model + ": a version is a positive integer");
		}
		return Long.parseLong(version);
	}

}
