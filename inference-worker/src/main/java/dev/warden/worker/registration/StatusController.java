package dev.warden.worker.registration;

import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /internal/v1/status}: this worker's id, the generation of the platform's
 * desired state it follows ({@code null}: none, its own policy) and what it serves (see
 * {@link WorkerStatus}).
 */
@RestController
class StatusController {

	private final WorkerStatus status;

	private final PlatformRegistration registration;

	StatusController(WorkerStatus status, PlatformRegistration registration) {
		this.status = status;
		this.registration = registration;
	}

	@GetMapping(path = "/internal/v1/status", produces = MediaType.APPLICATION_JSON_VALUE)
	Map<String, Object> status() {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", this.registration.workerId());
		body.put("desired_generation", this.status.desiredGeneration());
		body.put("models", this.status.models());
		return body;
	}

}
