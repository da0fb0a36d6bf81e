package dev.warden.platform.routing;

import java.util.UUID;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.worker.WorkerFleet;

/**
 * The checks a route or a hold must pass before it is stored, so that no route points at
 * a version that does not exist or cannot be loaded: the version must be in the model
 * catalogue (a worker found it in the model store, or it was uploaded), must not have
 * failed to load (the catalogue's load error, as the workers reported it), and no healthy
 * worker may report it failed while none has it AVAILABLE.
 */
@Component
class Servability {

	private final JdbcClient jdbc;

	private final WorkerFleet fleet;

	Servability(JdbcClient jdbc, WorkerFleet fleet) {
		this.jdbc = jdbc;
		this.fleet = fleet;
	}

	/** The model's id, optionally locking its row. @throws ApiException 404 */
	UUID modelId(String model, boolean lock) {
		return this.jdbc.sql("SELECT id FROM models WHERE name = :name" + (lock ? " FOR UPDATE" : ""))
			.param("name", model)
			.query(UUID.class)
			.optional()
			.orElseThrow(() -> ApiException.notFound("model " + model));
	}

	/**
	 * @throws ApiException 409 {@code unknown_version} (not in the catalogue) or
	 * {@code version_not_loadable} (failed to load), each naming the version and why
	 */
	void requireServable(String model, UUID modelId, long version) {
		CatalogueState state = this.jdbc
			.sql("SELECT state, load_error FROM model_versions WHERE model_id = :id AND version = :version")
			.param("id", modelId)
			.param("version", version)
			.query((rs, row) -> new CatalogueState(rs.getString("state"), rs.getString("load_error")))
			.optional()
			.orElseThrow(
					() -> new ApiException(HttpStatus.CONFLICT, "unknown_version", "model " + model + " has no version "
							+ version + ": no worker reported it in the model store and it was not uploaded"));
		if (state.error() != null && !"AVAILABLE".equals(state.state())) {
			throw notLoadable(model, version, state.error());
		}
		this.fleet.failure(model, version).ifPresent((reason) -> {
			throw notLoadable(model, version, reason);
		});
	}

	private static ApiException notLoadable(String model, long version, String reason) {
		return new ApiException(HttpStatus.CONFLICT, "version_not_loadable",
				"version " + version + " of model " + model + " cannot be loaded: " + reason);
	}

	private record CatalogueState(String state, String error) {
	}

}
