package dev.warden.worker.registration;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletResponse;

import dev.warden.worker.source.DesiredState;
import dev.warden.worker.source.PlatformDesiredState;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code PUT /internal/v1/desired-state}: a gateway that polls this worker (it is in the
 * gateway's {@code warden.worker.urls}) sends the platform's desired state when the
 * worker's status reports an older generation; a registered worker receives the same
 * document in its heartbeat answers instead. The answer says whether it was accepted and
 * which generation is in force: {@code {"accepted": true, "generation": 17}} (an older
 * generation than the one in force is not accepted, and is no error). 400
 * {@code invalid_argument} for a malformed document. {@code GET} answers the document in
 * force ({@code {"generation": null, "models": {}}} while the worker follows its own
 * policy).
 *
 * <p>
 * Like the worker's other {@code /internal} endpoints it has no authentication of its
 * own: the worker listens on loopback or a private network that only platform-api
 * reaches.
 */
@RestController
class DesiredStateController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final DesiredStates states;

	private final PlatformDesiredState desired;

	DesiredStateController(DesiredStates states, PlatformDesiredState desired) {
		this.states = states;
		this.desired = desired;
	}

	@PutMapping(path = "/internal/v1/desired-state",
			consumes = { MediaType.APPLICATION_JSON_VALUE, "application/*+json" },
			produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> put(@RequestBody byte[] body, HttpServletResponse response) {
		DesiredState state;
		try {
			state = DesiredStates.parse(JSON.readTree(body));
		}
		catch (JacksonException ex) {
			return invalid("request body is not valid JSON", response);
		}
		catch (IllegalArgumentException ex) {
			return invalid(ex.getMessage(), response);
		}
		PlatformDesiredState.Offer offer = this.states.apply(state);
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("accepted", offer != PlatformDesiredState.Offer.STALE);
		answer.put("generation", this.states.generation());
		return ResponseEntity.ok(answer);
	}

	@GetMapping(path = "/internal/v1/desired-state", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> get() {
		Map<String, Object> answer = new LinkedHashMap<>();
		DesiredState state = this.desired.current().orElse(null);
		answer.put("generation", (state != null) ? state.generation() : null);
		answer.put("models", (state != null) ? state.models() : Map.of());
		return answer;
	}

	private static ResponseEntity<Map<String, Object>> invalid(String message, HttpServletResponse response) {
		Map<String, Object> error = new LinkedHashMap<>();
		error.put("code", "invalid_argument");
		error.put("message", message);
		error.put("request_id", response.getHeader("X-Request-Id"));
		return ResponseEntity.status(HttpStatus.BAD_REQUEST)
			.contentType(MediaType.APPLICATION_JSON)
			.body(Map.of("error", error));
	}

}
