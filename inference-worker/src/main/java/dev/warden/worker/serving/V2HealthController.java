package dev.warden.worker.serving;

import java.util.List;

import dev.warden.worker.manager.ServableManager;
import dev.warden.worker.manager.VersionState;
import dev.warden.worker.manager.VersionStatus;
import dev.warden.worker.system.ApiException;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * The Open Inference Protocol's health API. Server readiness is the worker's readiness
 * (the startup pass is done; see {@link ServableManager#ready()}); model readiness is per
 * model and version. The protocol makes the status code the answer: 200 means true, a 4xx
 * means false, and a true answer has an empty body. Warden answers false with 400 (as
 * Triton, the protocol's reference server, does) and its usual JSON error saying why; an
 * unknown model is a 404. A 5xx would say the server failed, which "not ready yet" is
 * not.
 */
@RestController
class V2HealthController {

	private final ServableManager<?> manager;

	private final ApplicationAvailability availability;

	V2HealthController(ServableManager<?> manager, ApplicationAvailability availability) {
		this.manager = manager;
		this.availability = availability;
	}

	@GetMapping("/v2/health/live")
	ResponseEntity<Void> live() {
		return ResponseEntity.ok().build();
	}

	@GetMapping("/v2/health/ready")
	ResponseEntity<Void> ready() {
		if (availability.getReadinessState() != ReadinessState.ACCEPTING_TRAFFIC) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "not_ready", "the worker is not accepting traffic");
		}
		// the same rule as the readiness probe: the startup pass is done; a model that
		// failed to load is not ready
		// itself (/v2/models/{m}/ready), but does not make the server unready for the
		// others
		if (!manager.ready()) {
			throw new ApiException(HttpStatus.BAD_REQUEST, "not_ready", "the worker is still loading its models");
		}
		return ResponseEntity.ok().build();
	}

	@GetMapping("/v2/models/{model}/ready")
	ResponseEntity<Void> modelReady(@PathVariable String model) {
		List<VersionStatus> versions = manager.status(model);
		if (versions.stream().noneMatch(status -> status.state() == VersionState.AVAILABLE)) {
			throw notReady(versions.get(0));
		}
		return ResponseEntity.ok().build();
	}

	@GetMapping("/v2/models/{model}/versions/{version}/ready")
	ResponseEntity<Void> versionReady(@PathVariable String model, @PathVariable String version) {
		VersionStatus status = manager.status(model, V2InferenceController.version(model, version));
		if (status.state() != VersionState.AVAILABLE) {
			throw notReady(status);
		}
		return ResponseEntity.ok().build();
	}

	private static ApiException notReady(VersionStatus status) {
		return new ApiException(HttpStatus.BAD_REQUEST, "model_not_ready", "version " + status.version() + " of model "
				+ status.model() + " is " + status.state() + (status.failed() ? ": " + status.error() : ""));
	}

}
