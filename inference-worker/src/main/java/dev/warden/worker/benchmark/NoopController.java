package dev.warden.worker.benchmark;

import java.util.List;
import java.util.Map;

import dev.warden.worker.system.ApiException;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * The HTTP floor for benchmarks: {@code POST /internal/v1/noop} takes a predict body,
 * parses it into a JSON tree (as the predict path did before it decoded bodies with a
 * streaming parser; kept so that the floor stays comparable with earlier runs) and
 * answers a fixed ~100-byte prediction-shaped JSON, without touching a model. Like the
 * data-plane paths it is not in the {@code http.server.requests} observation. The
 * difference between this and {@code :predict} under the same load is what validation,
 * batching and TensorFlow cost. Not part of the serving API; the gateway does not route
 * to it. Off unless {@code warden.worker.benchmark.noop-enabled} is {@code true}
 * ({@code bench/run.sh} turns it on), so that a production worker exposes no endpoint
 * that exists only for measurements.
 */
@RestController
@ConditionalOnBooleanProperty("warden.worker.benchmark.noop-enabled")
class NoopController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Map<String, Object> ANSWER = Map.of("predictions",
			List.of(Map.of("probability", 0.25f, "class_id", 0L, "probabilities", List.of(0.75f, 0.25f))), "noop",
			true);

	@PostMapping(path = "/internal/v1/noop", consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" })
	Map<String, Object> noop(@RequestBody byte[] body) {
		JsonNode root;
		try {
			root = JSON.readTree(body);
		}
		catch (JacksonException ex) {
			throw ApiException.invalidArgument("request body is not valid JSON");
		}
		if (root == null || !root.isObject()) {
			throw ApiException.invalidArgument("request body must be a JSON object");
		}
		return ANSWER;
	}

}
