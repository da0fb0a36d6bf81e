package dev.warden.platform.model;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;
import dev.warden.platform.worker.WorkerFleet;
import dev.warden.platform.worker.WorkerInventory;

/**
 * The model catalogue, synchronised from the worker: {@code GET /v1/models} (each
 * version's state, with the load error of a version that failed and the warnings of one
 * that loaded with caveats) then {@code GET /v1/models/{m}/versions/{v}/metadata} for the
 * signature defs. Runs {@code warden.catalogue.initial-delay} after start-up and every
 * {@code warden.catalogue.sync-interval}; while the worker is down it retries quietly.
 */
@Service
public class ModelCatalogue implements SchedulingConfigurer {

	private static final Logger log = LoggerFactory.getLogger(ModelCatalogue.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkerClient worker;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private static final String VERSION_COLUMNS = "v.version, v.state, v.load_error, v.load_warnings::text AS warnings, "
			+ "v.signature_defs::text AS defs, v.sha256, v.size_bytes, v.uploaded_by, v.uploaded_at";

	/**
	 * The state recorded for a version that is in the model store but loaded by no worker
	 * the catalogue read.
	 */
	public static final String NOT_LOADED = "NOT_LOADED";

	private final AtomicBoolean workerReachable = new AtomicBoolean(true);

	private final ModelGrants grants;

	private final CatalogueProperties properties;

	private final WorkerFleet fleet;

	private final ObjectProvider<ServingPlan> plan;

	private final ApplicationEventPublisher events;

	ModelCatalogue(WorkerClient worker, JdbcClient jdbc, TransactionTemplate transactions, ModelGrants grants,
			CatalogueProperties properties, WorkerFleet fleet, ObjectProvider<ServingPlan> plan,
			ApplicationEventPublisher events) {
		this.properties = properties;
		this.fleet = fleet;
		this.plan = plan;
		this.worker = worker;
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.grants = grants;
		this.events = events;
	}

	/**
	 * Syncs {@code warden.catalogue.initial-delay} after start, then every
	 * {@code warden.catalogue.sync-interval}.
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(new FixedDelayTask(this::scheduledSync, this.properties.syncInterval(),
				this.properties.initialDelay()));
	}

	void scheduledSync() {
		try {
			int versions = sync();
			if (!this.workerReachable.getAndSet(true)) {
				log.info("Model catalogue synchronised from {} ({} versions)", this.worker.baseUrl(), versions);
			}
		}
		catch (WorkerClient.WorkerUnavailableException ex) {
			if (this.workerReachable.getAndSet(false)) {
				log.info("Worker not reachable at {} yet; the model catalogue will retry", this.worker.baseUrl());
			}
		}
		catch (RuntimeException ex) {
			log.warn("Model catalogue sync failed: {}", ex.getMessage());
		}
	}

	/** Synchronises once; returns the number of versions seen. */
	public int sync() {
		WorkerResponse listing = this.worker.exchange("GET", "/v1/models", null, null, null);
		if (listing.status() != 200) {
			throw new IllegalStateException("worker answered " + listing.status() + " to GET /v1/models");
		}
		List<DiscoveredVersion> discovered = new ArrayList<>();
		for (JsonNode model : JSON.readTree(listing.body()).path("models")) {
			String name = model.path("name").asString();
			for (JsonNode version : model.path("versions")) {
				String number = version.path("version").asString();
				String state = version.path("state").asString("UNKNOWN");
				JsonNode error = version.path("error");
				List<String> warnings = new ArrayList<>();
				version.path("warnings").forEach((warning) -> warnings.add(warning.asString()));
				// a version that is not loaded has no metadata to read
				String defs = "AVAILABLE".equals(state) ? signatureDefs(name, number) : "{}";
				discovered.add(new DiscoveredVersion(name, Long.parseLong(number), state,
						error.isString() ? error.asString() : null, JSON.writeValueAsString(warnings), defs));
			}
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		// versions in the store that the worker does not list (never aspired since it
		// started: the platform decides what is loaded)
		List<DiscoveredVersion> notLoaded = new ArrayList<>();
		this.fleet.inStore().forEach((name, versions) -> versions.forEach((version) -> {
			boolean listed = discovered.stream()
				.anyMatch((known) -> known.model().equals(name) && known.version() == version);
			if (!listed) {
				notLoaded.add(new DiscoveredVersion(name, version, NOT_LOADED, null, "[]", "{}"));
			}
		}));
		List<ModelVersionAvailable> available = new ArrayList<>();
		this.transactions.executeWithoutResult((status) -> {
			discovered.forEach((v) -> {
				if (upsert(v, now)) {
					available.add(new ModelVersionAvailable(v.model(), v.version()));
				}
			});
			notLoaded.forEach((v) -> upsertNotLoaded(v, now));
		});
		// newly discovered models are callable at once on this instance, not only after
		// the next grants reload
		this.grants.scheduledRefresh();
		available.forEach(this.events::publishEvent);
		return discovered.size();
	}

	private String signatureDefs(String model, String version) {
		WorkerResponse metadata = this.worker.exchange("GET",
				"/v1/models/" + encode(model) + "/versions/" + encode(version) + "/metadata", null, null, null);
		if (metadata.status() != 200) {
			return "{}";
		}
		JsonNode defs = JSON.readTree(metadata.body()).path("metadata").path("signature_def").path("signature_def");
		return defs.isObject() ? JSON.writeValueAsString(defs) : "{}";
	}

	/**
	 * Records one version; answers whether this call saw it AVAILABLE for the first time
	 * ({@code first_available_at} set now: under the row lock of the upsert, so only one
	 * replica's sync can set it).
	 */
	private boolean upsert(DiscoveredVersion version, Instant now) {
		Timestamp at = Timestamp.from(now);
		this.jdbc
			.sql("INSERT INTO models (id, name, created_at, discovered_at) VALUES (:id, :name, :at, :at) "
					+ "ON CONFLICT (name) DO UPDATE SET discovered_at = EXCLUDED.discovered_at")
			.param("id", UUID.randomUUID())
			.param("name", version.model())
			.param("at", at)
			.update();
		Boolean firstAvailable = this.jdbc.sql("INSERT INTO model_versions (id, model_id, version, state, load_error, "
				+ "load_warnings, signature_defs, created_at, discovered_at, updated_at, first_available_at) "
				+ "SELECT :id, m.id, :version, :state, :error, CAST(:warnings AS jsonb), CAST(:defs AS jsonb), :at, :at, "
				+ ":at, CASE WHEN :state = 'AVAILABLE' THEN CAST(:at AS timestamptz) END "
				+ "FROM models m WHERE m.name = :name ON CONFLICT (model_id, version) DO UPDATE SET "
				// merge, never clobber: the upload columns (sha256, size, uploader) are
				// not touched here, and
				// signature defs recorded at upload are kept when the worker's metadata
				// could not be read
				+ "state = EXCLUDED.state, load_error = EXCLUDED.load_error, load_warnings = EXCLUDED.load_warnings, "
				+ "signature_defs = CASE WHEN EXCLUDED.signature_defs = '{}'::jsonb "
				+ "THEN model_versions.signature_defs ELSE EXCLUDED.signature_defs END, "
				+ "updated_at = EXCLUDED.updated_at, "
				+ "first_available_at = COALESCE(model_versions.first_available_at, EXCLUDED.first_available_at) "
				// the version's first AVAILABLE sighting is the one that set the column
				+ "RETURNING first_available_at IS NOT NULL AND first_available_at = CAST(:at AS timestamptz)")
			.param("id", UUID.randomUUID())
			.param("version", version.version())
			.param("state", version.state())
			.param("error", version.error())
			.param("warnings", version.warningsJson())
			.param("defs", version.signatureDefsJson())
			.param("at", at)
			.param("name", version.model())
			.query(Boolean.class)
			.optional()
			.orElse(false);
		return Boolean.TRUE.equals(firstAvailable);
	}

	/**
	 * A version in the store that no worker lists: recorded as {@link #NOT_LOADED}; a row
	 * that holds a load error keeps it (and its state), so that a version that failed to
	 * load is still refused as a route.
	 */
	private void upsertNotLoaded(DiscoveredVersion version, Instant now) {
		Timestamp at = Timestamp.from(now);
		this.jdbc
			.sql("INSERT INTO models (id, name, created_at, discovered_at) VALUES (:id, :name, :at, :at) "
					+ "ON CONFLICT (name) DO NOTHING")
			.param("id", UUID.randomUUID())
			.param("name", version.model())
			.param("at", at)
			.update();
		this.jdbc
			.sql("INSERT INTO model_versions (id, model_id, version, state, created_at, discovered_at, updated_at) "
					+ "SELECT :id, m.id, :version, :state, :at, :at, :at FROM models m WHERE m.name = :name "
					+ "ON CONFLICT (model_id, version) DO UPDATE SET state = EXCLUDED.state, updated_at = EXCLUDED.updated_at "
					+ "WHERE model_versions.load_error IS NULL AND model_versions.state <> EXCLUDED.state")
			.param("id", UUID.randomUUID())
			.param("version", version.version())
			.param("state", NOT_LOADED)
			.param("at", at)
			.param("name", version.model())
			.update();
	}

	/**
	 * What the platform wants loaded of {@code version} and what each worker has: the
	 * reasons it is aspired (none: not aspired) and per worker its state there.
	 */
	private Serving serving(String model, long version, SortedMap<Long, List<String>> aspired,
			List<WorkerFleet.WorkerReport> workers) {
		List<WorkerState> states = new ArrayList<>();
		for (WorkerFleet.WorkerReport worker : workers) {
			if (worker.inventory() == null) {
				states.add(new WorkerState(worker.id(), worker.healthy(), "UNKNOWN", null));
				continue;
			}
			WorkerInventory.ServedModel served = worker.model(model).orElse(null);
			String state;
			String error = null;
			if (served == null) {
				state = NOT_LOADED;
			}
			else if (served.versions().contains(version)) {
				state = "AVAILABLE";
			}
			else if (served.failed().containsKey(version)) {
				state = "FAILED";
				error = served.failed().get(version);
			}
			else if (served.loading().contains(version)) {
				state = "LOADING";
			}
			else {
				state = NOT_LOADED;
			}
			states.add(new WorkerState(worker.id(), worker.healthy(), state, error));
		}
		List<String> reasons = aspired.getOrDefault(version, List.of());
		return new Serving(!reasons.isEmpty(), reasons, List.copyOf(states));
	}

	private SortedMap<Long, List<String>> aspired(String model) {
		ServingPlan current = this.plan.getIfAvailable();
		return (current != null) ? current.aspired(model) : new TreeMap<>();
	}

	private List<CatalogueVersion> withServing(String model, List<CatalogueVersion> versions) {
		SortedMap<Long, List<String>> aspired = aspired(model);
		List<WorkerFleet.WorkerReport> workers = this.fleet.reports();
		return versions.stream()
			.map((v) -> v.withServing(serving(model, Long.parseLong(v.version()), aspired, workers)))
			.toList();
	}

	/** One page of the models, by name, each with all its versions. */
	public Page<CatalogueModel> models(PageRequest page) {
		Map<String, List<CatalogueVersion>> byModel = new LinkedHashMap<>();
		this.jdbc
			.sql("WITH page AS (SELECT id, name FROM models ORDER BY name OFFSET :offset LIMIT :limit) "
					+ "SELECT m.name, " + VERSION_COLUMNS + " FROM page m "
					+ "LEFT JOIN model_versions v ON v.model_id = m.id ORDER BY m.name, v.version")
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs) -> {
				List<CatalogueVersion> versions = byModel.computeIfAbsent(rs.getString("name"),
						(n) -> new ArrayList<>());
				if (rs.getString("defs") != null) {
					versions.add(version(rs));
				}
			});
		Map<String, ModelGrants.Grant> granted = this.grants.all();
		return Page.of(byModel.entrySet()
			.stream()
			.map((e) -> new CatalogueModel(e.getKey(), withServing(e.getKey(), e.getValue()),
					granted.getOrDefault(e.getKey(), new ModelGrants.Grant(true, List.of()))))
			.toList(), page);
	}

	public Optional<CatalogueModel> model(String name) {
		List<CatalogueVersion> versions = new ArrayList<>();
		boolean[] found = { false };
		this.jdbc
			.sql("SELECT m.name, " + VERSION_COLUMNS + " FROM models m "
					+ "LEFT JOIN model_versions v ON v.model_id = m.id WHERE m.name = :name ORDER BY v.version")
			.param("name", name)
			.query((rs) -> {
				found[0] = true;
				if (rs.getString("defs") != null) {
					versions.add(version(rs));
				}
			});
		return found[0] ? Optional.of(new CatalogueModel(name, withServing(name, versions), this.grants.grants(name)))
				: Optional.empty();
	}

	/** One version of a model, if both are known. */
	public Optional<CatalogueVersion> version(String model, long version) {
		return this.jdbc
			.sql("SELECT " + VERSION_COLUMNS + " FROM models m JOIN model_versions v ON v.model_id = m.id "
					+ "WHERE m.name = :name AND v.version = :version")
			.param("name", model)
			.param("version", version)
			.query((rs, row) -> version(rs))
			.optional()
			.map((found) -> withServing(model, List.of(found)).get(0));
	}

	private static CatalogueVersion version(java.sql.ResultSet rs) throws java.sql.SQLException {
		Timestamp uploadedAt = rs.getTimestamp("uploaded_at");
		long size = rs.getLong("size_bytes");
		Long sizeBytes = rs.wasNull() ? null : size;
		List<String> warnings = new ArrayList<>();
		JSON.readTree(rs.getString("warnings")).forEach((warning) -> warnings.add(warning.asString()));
		return new CatalogueVersion(Long.toString(rs.getLong("version")), rs.getString("state"),
				rs.getString("load_error"), List.copyOf(warnings), JSON.readTree(rs.getString("defs")),
				rs.getString("sha256"), sizeBytes, rs.getString("uploaded_by"),
				(uploadedAt != null) ? uploadedAt.toInstant() : null, null);
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private record DiscoveredVersion(String model, long version, String state, String error, String warningsJson,
			String signatureDefsJson) {
	}

	/**
	 * A model, its versions and the tenants it is granted to, as the admin API shows
	 * them.
	 */
	public record CatalogueModel(String name, List<CatalogueVersion> versions, ModelGrants.Grant grants) {
	}

	/**
	 * One version as the admin API shows it. {@code state} is the worker's
	 * ({@code AVAILABLE}, {@code END}, ...); {@code error} says why a version failed to
	 * load ({@code null} otherwise) and {@code warnings} what a loaded version serves
	 * with a caveat (signatures not warmed up or not servable). {@code signatureDefs} is
	 * the TF Serving {@code signature_def} map; {@code sha256} (of the uploaded archive),
	 * {@code sizeBytes}, {@code uploadedBy} (the uploader's token {@code sub}) and
	 * {@code uploadedAt} are {@code null} for versions that were not uploaded through the
	 * admin API. {@code serving} says whether the platform wants the version loaded, why,
	 * and what each worker has of it.
	 */
	public record CatalogueVersion(String version, String state, String error, List<String> warnings,
			JsonNode signatureDefs, String sha256, Long sizeBytes, String uploadedBy, Instant uploadedAt,
			Serving serving) {

		CatalogueVersion withServing(Serving serving) {
			return new CatalogueVersion(this.version, this.state, this.error, this.warnings, this.signatureDefs,
					this.sha256, this.sizeBytes, this.uploadedBy, this.uploadedAt, serving);
		}

	}

	/**
	 * Aspired versus loaded, for one version.
	 *
	 * @param aspired whether the platform wants it loaded on every worker
	 * @param reasons why: {@code stable}, {@code canary}, {@code pin},
	 * {@code hold:<holder>}, {@code latest} (empty when not aspired)
	 * @param workers its state on each worker this replica routes to
	 */
	public record Serving(boolean aspired, List<String> reasons, List<WorkerState> workers) {
	}

	/**
	 * One version on one worker.
	 *
	 * @param worker the worker's id
	 * @param healthy whether the worker is in the rotation
	 * @param state {@code AVAILABLE}, {@code LOADING}, {@code FAILED}, {@code NOT_LOADED}
	 * or {@code UNKNOWN} (the worker does not say what it serves)
	 * @param error why it failed, or {@code null}
	 */
	public record WorkerState(String worker, boolean healthy, String state, String error) {
	}

}
