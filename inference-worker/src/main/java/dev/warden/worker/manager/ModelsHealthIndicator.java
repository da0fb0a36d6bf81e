package dev.warden.worker.manager;

import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code models}: UP when every aspired version is AVAILABLE
 * ({@link ServableManager#allAspiredAvailable()}), OUT_OF_SERVICE while a version loads or after an aspired
 * version failed to load. It is part of the readiness group ({@code /actuator/health/readiness}); the details name
 * the versions that are not available.
 */
@Component("modelsHealthIndicator")
class ModelsHealthIndicator implements HealthIndicator {

	private final ServableManager manager;

	ModelsHealthIndicator(ServableManager manager) {
		this.manager = manager;
	}

	@Override
	public Health health() {
		if (manager.allAspiredAvailable()) {
			return Health.up().build();
		}
		List<Map<String, Object>> missing = manager.aspiredNotAvailable().stream()
			.map(status -> Map.<String, Object>of("model", status.model(), "version", status.version(), "state",
					status.state().name(), "error", status.failed() ? status.error() : ""))
			.toList();
		return Health.outOfService().withDetail("not_available", missing).build();
	}

}
