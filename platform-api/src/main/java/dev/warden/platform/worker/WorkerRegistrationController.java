package dev.warden.platform.worker;

import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.system.ApiException;

import dev.warden.platform.worker.internal.WorkerRegistrations;

/**
 * {@code POST /internal/platform/workers/heartbeat} with
 * {@code Authorization: Bearer <registration token>}: a worker registers itself, renews
 * its registration, or ({@code "stopping": true}) removes it. The answer carries the
 * platform's desired state ({@code "desired": {"generation", "models"}}): the versions
 * the worker must load. Not part of the public API; the token, not the network, protects
 * it, and with mutual TLS ({@code warden.tls.*} with a CA) also the worker's certificate.
 */
@RestController
class WorkerRegistrationController {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final int MAX_BODY_BYTES = 1024 * 1024;

	private final WorkerRegistrations registrations;

	private final RegistrationProperties properties;

	private final ObjectProvider<DesiredStateProvider> desired;

	private final WorkerCallers callers;

	WorkerRegistrationController(WorkerRegistrations registrations, RegistrationProperties properties,
			ObjectProvider<DesiredStateProvider> desired, WorkerCallers callers) {
		this.callers = callers;
		this.desired = desired;
		this.registrations = registrations;
		this.properties = properties;
	}

	@PostMapping(path = "/internal/platform/workers/heartbeat", produces = MediaType.APPLICATION_JSON_VALUE)
	ResponseEntity<Map<String, Object>> heartbeat(HttpServletRequest request) throws IOException {
		// the token (and the client certificate) are checked before the body is read
		this.callers.authenticate(request);
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes(MAX_BODY_BYTES + 1);
		}
		if (body.length > MAX_BODY_BYTES) {
			throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
					"a heartbeat is at most " + MAX_BODY_BYTES + " bytes");
		}
		JsonNode json;
		try {
			json = (body != null && body.length > 0) ? JSON.readTree(body) : null;
		}
		catch (RuntimeException ex) {
			throw ApiException.badRequest("invalid_registration", "the body is not valid JSON");
		}
		WorkerRegistrations.Heartbeat heartbeat = WorkerRegistrations.parse(json);
		this.registrations.heartbeat(heartbeat);
		Map<String, Object> answer = new LinkedHashMap<>();
		answer.put("id", heartbeat.id());
		answer.put("registered", !heartbeat.stopping());
		answer.put("expires_after_missed_heartbeats", this.properties.missedHeartbeats());
		if (!heartbeat.stopping()) {
			DesiredStateProvider provider = this.desired.getIfAvailable();
			if (provider != null) {
				provider.desiredState().ifPresent((state) -> answer.put("desired", state.toJson()));
			}
		}
		return ResponseEntity.ok(answer);
	}

}
