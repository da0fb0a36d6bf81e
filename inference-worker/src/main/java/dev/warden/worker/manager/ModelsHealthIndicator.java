package dev.warden.worker.manager;

import java.util.List;
import java.util.Map;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.stereotype.Component;

/**
 * Health contributor {@code models}, part of the readiness group
 * ({@code /actuator/health/readiness}): UP once the startup pass has loaded what it could
 * ({@link ServableManager#ready()}). A version that failed to load, or that is still
 * loading, does not make the worker unready: the models that loaded are served, and the
 * gateway routes each request by what a worker serves. The details (when shown) list the
 * versions to be served that are not available, with their state and load error.
 */
@Component("modelsHealthIndicator")
class ModelsHealthIndicator implements HealthIndicator {

	private final ServableManager<?> manager;

	ModelsHealthIndicator(ServableManager<?> manager) {
		this.manager = manager;
	}

	@Override
	public Health health() {
		Health.Builder health = manager.ready() ? Health.up() : Health.outOfService();
		List<Map<String, Object>> missing = manager.aspiredNotAvailable()
			.stream()
			.map(status -> Map.<String, Object>of("model", status.model(), "version", status.version(), "state",
					status.state().name(), "error", status.failed() ? status.error() : ""))
			.toList();
		if (!missing.isEmpty()) {
			health.withDetail("not_available", missing);
		}
		return health.build();
	}

}
