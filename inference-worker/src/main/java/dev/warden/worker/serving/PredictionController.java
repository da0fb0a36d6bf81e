package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.batching.BatchingInference;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.manager.ServableHandle;
import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.ServableRequest;
import dev.warden.worker.manager.VersionStatus;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * TensorFlow Serving's REST API: predict, classify, regress, model status and metadata.
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

	private static final List<String> VERBS = List.of(PREDICT_VERB, ":classify", ":regress");

	private final ServableManager manager;

	private final BatchingInference inference;

	PredictionController(ServableManager manager, BatchingInference inference) {
		this.manager = manager;
		this.inference = inference;
	}

	@PostMapping(path = "/v1/models/{target}", consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> postLatest(@PathVariable String target, @RequestBody byte[] body)
			throws HttpRequestMethodNotSupportedException {
		Call call = call(target);
		return call.run(this, ServableRequest.latest(call.name()), body);
	}

	@PostMapping(path = "/v1/models/{model}/versions/{target}",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> postVersion(@PathVariable String model, @PathVariable String target,
			@RequestBody byte[] body) throws HttpRequestMethodNotSupportedException {
		Call call = call(target);
		return call.run(this, ServableRequest.version(model, version(model, call.name())), body);
	}

	@PostMapping(path = "/v1/models/{model}/labels/{target}",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> postLabel(@PathVariable String model, @PathVariable String target,
			@RequestBody byte[] body) throws HttpRequestMethodNotSupportedException {
		Call call = call(target);
		return call.run(this, ServableRequest.label(model, call.name()), body);
	}

	@GetMapping("/v1/models/{target}")
	Map<String, Object> statusOfModel(@PathVariable String target) throws HttpRequestMethodNotSupportedException {
		return statusJson(manager.status(statusTarget(target)));
	}

	@GetMapping("/v1/models/{model}/versions/{target}")
	Map<String, Object> statusOfVersion(@PathVariable String model, @PathVariable String target)
			throws HttpRequestMethodNotSupportedException {
		long version = version(model, statusTarget(target));
		return statusJson(List.of(manager.status(model, version)));
	}

	@GetMapping("/v1/models/{model}/labels/{target}")
	Map<String, Object> statusOfLabel(@PathVariable String model, @PathVariable String target)
			throws HttpRequestMethodNotSupportedException {
		return statusJson(manager.status(ServableRequest.label(model, statusTarget(target))));
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

	private ResponseEntity<Map<String, Object>> predict(ServableRequest target, byte[] body) {
		try (ServableHandle handle = manager.handle(target)) {
			PredictRequest request = PredictRequestParser.parse(body, handle.servable());
			Map<String, OutputColumn> outputs = inference.run(handle, request.signature(), request.inputs());
			Map<String, Object> response = request.format() == PredictRequest.Format.ROW
					? Map.of("predictions", rowResponse(outputs)) : Map.of("outputs", columnarResponse(outputs));
			return ResponseEntity.ok().header(MODEL_VERSION_HEADER, Long.toString(handle.version())).body(response);
		}
	}

	private ResponseEntity<Map<String, Object>> examples(ServableRequest target, byte[] body, ExampleMethod method) {
		try (ServableHandle handle = manager.handle(target)) {
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
		try (ServableHandle handle = manager.handle(target)) {
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
	 * output.
	 */
	static Object columnarResponse(Map<String, OutputColumn> outputs) {
		if (outputs.size() == 1) {
			return outputs.values().iterator().next().rows();
		}
		Map<String, Object> columns = new LinkedHashMap<>();
		outputs.values().forEach(column -> columns.put(column.name(), column.rows()));
		return columns;
	}

	static Map<String, Object> statusJson(List<VersionStatus> statuses) {
		List<Object> versions = statuses.stream().map(status -> {
			Map<String, Object> entry = new LinkedHashMap<>();
			entry.put("version", Long.toString(status.version()));
			entry.put("state", status.state().name());
			Map<String, Object> detail = new LinkedHashMap<>();
			detail.put("error_code", status.failed() ? "UNKNOWN" : "OK");
			detail.put("error_message", status.failed() ? status.error() : "");
			entry.put("status", detail);
			return (Object) entry;
		}).toList();
		return Map.of("model_version_status", versions);
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
			case PREDICT_VERB -> new Call(name, null);
			case ":classify" -> new Call(name, ExampleMethod.CLASSIFY);
			case ":regress" -> new Call(name, ExampleMethod.REGRESS);
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
				"unknown method '" + verb + "' (supported: :predict, :classify, :regress)");
	}

	/** A POST to a verb URL: predict ({@code method} null) or an example method. */
	private record Call(String name, ExampleMethod method) {

		ResponseEntity<Map<String, Object>> run(PredictionController controller, ServableRequest target, byte[] body) {
			return method == null ? controller.predict(target, body) : controller.examples(target, body, method);
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
