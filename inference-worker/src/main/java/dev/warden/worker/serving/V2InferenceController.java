package dev.warden.worker.serving;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.batching.BatchingInference;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.manager.ServableHandle;
import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.VersionState;
import dev.warden.worker.manager.VersionStatus;
import dev.warden.worker.system.ApiException;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol (KServe v2) over REST: server and model metadata, and
 * inference with JSON tensors. Health and readiness are in {@link V2HealthController}.
 *
 * <p>
 * A model's metadata and its tensors are those of its {@code serving_default} signature
 * (another one can be chosen per request with the {@code signature_name} parameter).
 * Errors use Warden's one error shape {@code {"error":{"code","message","request_id"}}}
 * rather than the protocol's {@code {"error":"..."}}.
 */
@RestController
class V2InferenceController {

	static final String PLATFORM = "tensorflow_savedmodel";

	private final ServableManager<LoadedServable> manager;

	private final BatchingInference inference;

	V2InferenceController(ServableManager<LoadedServable> manager, BatchingInference inference) {
		this.manager = manager;
		this.inference = inference;
	}

	@GetMapping({ "/v2", "/v2/" })
	Map<String, Object> server() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("name", "warden-inference-worker");
		String version = V2InferenceController.class.getPackage().getImplementationVersion();
		body.put("version", version != null ? version : "dev");
		body.put("extensions", List.of());
		return body;
	}

	@GetMapping("/v2/models/{model}")
	ResponseEntity<Map<String, Object>> metadataOfLatest(@PathVariable String model) {
		return metadata(model, null);
	}

	@GetMapping("/v2/models/{model}/versions/{version}")
	ResponseEntity<Map<String, Object>> metadataOfVersion(@PathVariable String model, @PathVariable String version) {
		return metadata(model, version(model, version));
	}

	@PostMapping(path = "/v2/models/{model}/infer",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> inferLatest(@PathVariable String model, @RequestBody byte[] body,
			HttpServletResponse response) {
		return infer(model, null, body, response);
	}

	@PostMapping(path = "/v2/models/{model}/versions/{version}/infer",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	ResponseEntity<Map<String, Object>> inferVersion(@PathVariable String model, @PathVariable String version,
			@RequestBody byte[] body, HttpServletResponse response) {
		return infer(model, version(model, version), body, response);
	}

	/**
	 * Infer: the answer is written straight to the response ({@link JsonAnswers}) once
	 * the handle is released; {@code null} tells Spring the response is written.
	 */
	ResponseEntity<Map<String, Object>> infer(String model, Long version, byte[] body, HttpServletResponse response) {
		V2Request request;
		Map<String, OutputColumn> outputs;
		long answered;
		try (ServableHandle<LoadedServable> handle = manager.handle(model, version)) {
			request = V2RequestParser.parse(body, handle.servable());
			outputs = inference.run(handle, request.signature().key(), request.inputs());
			answered = handle.version();
		}
		JsonAnswers.writeInfer(response, model, answered, request, outputs);
		return null;
	}

	private ResponseEntity<Map<String, Object>> metadata(String model, Long version) {
		try (ServableHandle<LoadedServable> handle = manager.handle(model, version)) {
			SignatureSpec signature = PredictRequestParser.signature(null, handle.servable());
			Map<String, Object> body = new LinkedHashMap<>();
			body.put("name", model);
			body.put("versions",
					manager.status(model)
						.stream()
						.filter(status -> status.state() == VersionState.AVAILABLE)
						.map(VersionStatus::version)
						.sorted()
						.map(String::valueOf)
						.toList());
			body.put("platform", PLATFORM);
			body.put("inputs",
					signature.inputs().values().stream().map(V2InferenceController::tensorMetadata).toList());
			body.put("outputs",
					signature.outputs().values().stream().map(V2InferenceController::tensorMetadata).toList());
			return ResponseEntity.ok()
				.header(PredictionController.MODEL_VERSION_HEADER, Long.toString(handle.version()))
				.body(body);
		}
	}

	/**
	 * The infer answer as maps and lists. Answers are written by {@link JsonAnswers};
	 * this is the reference its bytes are compared with ({@code JsonAnswersTests}).
	 */
	static Map<String, Object> response(String model, long version, V2Request request,
			Map<String, OutputColumn> outputs) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("model_name", model);
		body.put("model_version", Long.toString(version));
		if (request.id() != null) {
			body.put("id", request.id());
		}
		List<Object> tensors = new ArrayList<>(request.outputs().size());
		for (String name : request.outputs()) {
			OutputColumn column = outputs.get(name);
			Map<String, Object> tensor = new LinkedHashMap<>();
			tensor.put("name", name);
			tensor.put("datatype", V2Datatypes.of(request.signature().outputs().get(name).dtype()));
			tensor.put("shape", column.shape());
			List<Object> data = new ArrayList<>();
			flatten(column.rows(), data);
			tensor.put("data", data);
			tensors.add(tensor);
		}
		body.put("outputs", tensors);
		return body;
	}

	private static Map<String, Object> tensorMetadata(TensorSpec spec) {
		Map<String, Object> tensor = new LinkedHashMap<>();
		tensor.put("name", spec.name());
		tensor.put("datatype", V2Datatypes.of(spec.dtype()));
		// an unknown rank has no shape in the protocol: reported as one variable
		// dimension
		tensor.put("shape", spec.unknownRank() ? new long[] { -1 } : spec.dims());
		return tensor;
	}

	/**
	 * Nested rows (boxed scalars or lists, one level per dimension) in row-major order.
	 */
	private static void flatten(List<?> values, List<Object> out) {
		for (Object value : values) {
			if (value instanceof List<?> nested) {
				flatten(nested, out);
			}
			else {
				out.add(value);
			}
		}
	}

	static long version(String model, String version) {
		if (!version.matches("[0-9]{1,18}")) {
			throw ApiException.modelNotFound(
					"Could not find version '" + version + "' of model " + model + ": a version is a positive integer");
		}
		return Long.parseLong(version);
	}

}
