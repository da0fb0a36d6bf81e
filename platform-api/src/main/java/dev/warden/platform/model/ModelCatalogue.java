package dev.warden.platform.model;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.worker.WorkerClient;
import dev.warden.platform.worker.WorkerClient.WorkerResponse;

/**
 * The model catalogue, synchronised from the worker: {@code GET /v1/models} then
 * {@code GET /v1/models/{m}/versions/{v}/metadata} for the signature defs. Runs at start-up and every
 * {@code warden.catalogue.sync-interval}; while the worker is down it retries quietly.
 */
@Service
public class ModelCatalogue {

	private static final Logger log = LoggerFactory.getLogger(ModelCatalogue.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkerClient worker;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AtomicBoolean workerReachable = new AtomicBoolean(true);

	ModelCatalogue(WorkerClient worker, JdbcClient jdbc, TransactionTemplate transactions) {
		this.worker = worker;
		this.jdbc = jdbc;
		this.transactions = transactions;
	}

	@Scheduled(initialDelayString = "${warden.catalogue.initial-delay:0s}",
			fixedDelayString = "${warden.catalogue.sync-interval:10s}")
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
				discovered.add(new DiscoveredVersion(name, Long.parseLong(number), state, signatureDefs(name, number)));
			}
		}
		Instant now = Instant.now();
		this.transactions.executeWithoutResult((status) -> discovered.forEach((v) -> upsert(v, now)));
		return discovered.size();
	}

	private String signatureDefs(String model, String version) {
		WorkerResponse metadata = this.worker.exchange("GET", "/v1/models/" + encode(model) + "/versions/"
				+ encode(version) + "/metadata", null, null, null);
		if (metadata.status() != 200) {
			return "{}";
		}
		JsonNode defs = JSON.readTree(metadata.body()).path("metadata").path("signature_def").path("signature_def");
		return defs.isObject() ? JSON.writeValueAsString(defs) : "{}";
	}

	private void upsert(DiscoveredVersion version, Instant now) {
		Timestamp at = Timestamp.from(now);
		this.jdbc.sql("INSERT INTO models (id, name, created_at, discovered_at) VALUES (:id, :name, :at, :at) "
				+ "ON CONFLICT (name) DO UPDATE SET discovered_at = EXCLUDED.discovered_at")
			.param("id", UUID.randomUUID())
			.param("name", version.model())
			.param("at", at)
			.update();
		this.jdbc.sql("INSERT INTO model_versions (id, model_id, version, state, signature_defs, created_at, "
				+ "discovered_at, updated_at) SELECT :id, m.id, :version, :state, CAST(:defs AS jsonb), :at, :at, :at "
				+ "FROM models m WHERE m.name = :name ON CONFLICT (model_id, version) DO UPDATE SET "
				+ "state = EXCLUDED.state, signature_defs = EXCLUDED.signature_defs, updated_at = EXCLUDED.updated_at")
			.param("id", UUID.randomUUID())
			.param("version", version.version())
			.param("state", version.state())
			.param("defs", version.signatureDefsJson())
			.param("at", at)
			.param("name", version.model())
			.update();
	}

	public List<CatalogueModel> models() {
		Map<String, List<CatalogueVersion>> byModel = new LinkedHashMap<>();
		this.jdbc.sql("SELECT m.name, v.version, v.state, v.signature_defs::text AS defs FROM models m "
				+ "LEFT JOIN model_versions v ON v.model_id = m.id ORDER BY m.name, v.version")
			.query((rs) -> {
				List<CatalogueVersion> versions = byModel.computeIfAbsent(rs.getString("name"), (n) -> new ArrayList<>());
				String defs = rs.getString("defs");
				if (defs != null) {
					versions.add(new CatalogueVersion(Long.toString(rs.getLong("version")), rs.getString("state"),
							JSON.readTree(defs)));
				}
			});
		return byModel.entrySet().stream().map((e) -> new CatalogueModel(e.getKey(), e.getValue())).toList();
	}

	public Optional<CatalogueModel> model(String name) {
		return models().stream().filter((m) -> m.name().equals(name)).findFirst();
	}

	private static String encode(String segment) {
		return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
	}

	private record DiscoveredVersion(String model, long version, String state, String signatureDefsJson) {
	}

	/** A model and its versions as the admin API shows them. */
	public record CatalogueModel(String name, List<CatalogueVersion> versions) {
	}

	/** {@code signatureDefs} is the TF Serving {@code signature_def} map. */
	public record CatalogueVersion(String version, String state, JsonNode signatureDefs) {
	}

}
