package dev.warden.platform.fairness;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.ContentDigest;
import dev.warden.platform.explainability.ExplainabilityJob;
import dev.warden.platform.explainability.ReferenceDataset;
import dev.warden.platform.fairness.internal.FairnessPdf;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Immutable fairness reports: written once by a fairness job (with the audit event
 * {@code fairness.report_created} carrying the digest, in the job's transaction), read as
 * JSON or rendered as a PDF. The table refuses UPDATE, DELETE and TRUNCATE (trigger).
 * Thread-safe.
 */
@Service
public class FairnessReports {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String SUMMARY = "id, model, version, dataset_id, dataset_sha256, model_sha256, threshold, seed, "
			+ "parameters::text AS parameters, content_sha256, created_at, job_id";

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	private final ModelCatalogue catalogue;

	FairnessReports(JdbcClient jdbc, AuditTrail audit, ModelCatalogue catalogue) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.catalogue = catalogue;
	}

	/**
	 * Writes a report and its audit event in the caller's transaction (the job's). The
	 * digest is the SHA-256 of the canonical JSON of {@code content}
	 * ({@link ContentDigest}).
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	FairnessReport store(ExplainabilityJob job, ReferenceDataset dataset, String modelSha256, double threshold,
			ObjectNode content) {
		UUID id = UUID.randomUUID();
		String digest = ContentDigest.sha256(content);
		long seed = job.parameters().path("seed").asLong();
		this.jdbc
			.sql("INSERT INTO fairness_reports (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "threshold, seed, parameters, content, content_sha256, created_at, job_id) VALUES (:id, :model, "
					+ ":version, :dataset, :datasetSha, :modelSha, :threshold, :seed, CAST(:parameters AS jsonb), "
					+ "CAST(:content AS jsonb), :digest, :at, :job)")
			.param("id", id)
			.param("model", job.model())
			.param("version", Long.parseLong(job.version()))
			.param("dataset", dataset.id())
			.param("datasetSha", dataset.sha256())
			.param("modelSha", modelSha256)
			.param("threshold", threshold)
			.param("seed", seed)
			.param("parameters", JSON.writeValueAsString(job.parameters()))
			.param("content", JSON.writeValueAsString(content))
			.param("digest", digest)
			.param("at", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
			.param("job", job.id())
			.update();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("model", job.model());
		details.put("version", Long.parseLong(job.version()));
		details.put("dataset_id", dataset.id().toString());
		details.put("dataset_sha256", dataset.sha256());
		details.put("model_sha256", modelSha256);
		details.put("threshold", threshold);
		details.put("seed", seed);
		details.put("content_sha256", digest);
		details.put("job_id", job.id().toString());
		this.audit.append(AuditTrail.SYSTEM_ACTOR, "fairness.report_created", "fairness_report", id.toString(),
				details);
		return find(id).orElseThrow();
	}

	/**
	 * One page of a version's reports (without content), newest first.
	 * @throws ApiException 404 unknown version
	 */
	public Page<FairnessReport> list(String model, long version, PageRequest page) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
		return Page.of(this.jdbc
			.sql("SELECT " + SUMMARY + ", NULL AS content FROM fairness_reports WHERE model = :model "
					+ "AND version = :version ORDER BY created_at DESC, id OFFSET :offset LIMIT :limit")
			.param("model", model)
			.param("version", version)
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs, row) -> report(rs))
			.list(), page);
	}

	/** The version's most recent report, with its content. */
	public Optional<FairnessReport> latest(String model, long version) {
		return this.jdbc
			.sql("SELECT " + SUMMARY + ", content::text AS content FROM fairness_reports WHERE model = :model "
					+ "AND version = :version ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> report(rs))
			.optional();
	}

	/**
	 * @throws ApiException 404 unknown report
	 */
	public FairnessReport get(UUID id) {
		return find(id).orElseThrow(() -> ApiException.notFound("fairness report " + id));
	}

	/**
	 * The version's most recent report on the evaluation dataset {@code datasetId}, with
	 * its content.
	 */
	public Optional<FairnessReport> latestOn(String model, long version, UUID datasetId) {
		return this.jdbc
			.sql("SELECT " + SUMMARY + ", content::text AS content FROM fairness_reports WHERE model = :model "
					+ "AND version = :version AND dataset_id = :dataset ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.param("version", version)
			.param("dataset", datasetId)
			.query((rs, row) -> report(rs))
			.optional();
	}

	/**
	 * The version's most recent report on an evaluation dataset named {@code datasetName}
	 * (whether that dataset still exists or was deleted since), with its content.
	 */
	public Optional<FairnessReport> latestOnNamed(String model, long version, String datasetName) {
		return this.jdbc.sql("SELECT " + SUMMARY
				+ ", content::text AS content FROM fairness_reports WHERE model = :model "
				+ "AND version = :version AND dataset_id IN (SELECT id FROM reference_datasets WHERE model = :model "
				+ "AND name = :dataset) ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.param("version", version)
			.param("dataset", datasetName)
			.query((rs, row) -> report(rs))
			.optional();
	}

	/** The name of the evaluation dataset a report was computed on. */
	public String datasetName(FairnessReport report) {
		JsonNode name = (report.content() != null) ? report.content().path("dataset").path("name") : null;
		if (name != null && name.isString()) {
			return name.asString();
		}
		return this.jdbc.sql("SELECT name FROM reference_datasets WHERE id = :id")
			.param("id", report.datasetId())
			.query(String.class)
			.optional()
			.orElse(report.datasetId().toString());
	}

	/**
	 * The report as a PDF, drawn with {@code thresholds}.
	 * @throws ApiException 404 unknown report
	 */
	public byte[] pdf(UUID id, FairnessThresholds thresholds) {
		FairnessReport report = get(id);
		String datasetName = this.jdbc.sql("SELECT name FROM reference_datasets WHERE id = :id")
			.param("id", report.datasetId())
			.query(String.class)
			.optional()
			.orElse("?");
		List<FairnessPdf.Threshold> limits = thresholds.limits()
			.stream()
			.map((limit) -> new FairnessPdf.Threshold(limit.metric(), limit.attribute(), limit.min(), limit.max()))
			.toList();
		return FairnessPdf.render(new FairnessPdf.Header(report.id().toString(), report.model(), report.version(),
				report.modelSha256(), datasetName, report.datasetId().toString(), report.datasetSha256(),
				report.threshold(), report.seed(), report.content().path("software_version").asString("?"),
				report.createdAt().toString(), report.contentSha256()), report.content(), limits);
	}

	Optional<FairnessReport> find(UUID id) {
		return this.jdbc.sql("SELECT " + SUMMARY + ", content::text AS content FROM fairness_reports WHERE id = :id")
			.param("id", id)
			.query((rs, row) -> report(rs))
			.optional();
	}

	static FairnessReport report(ResultSet rs) throws SQLException {
		String content = rs.getString("content");
		JsonNode parsed = (content != null) ? JSON.readTree(content) : null;
		return new FairnessReport(rs.getObject("id", UUID.class), rs.getString("model"),
				Long.toString(rs.getLong("version")), rs.getObject("dataset_id", UUID.class),
				rs.getString("dataset_sha256"), rs.getString("model_sha256"), rs.getDouble("threshold"),
				rs.getLong("seed"), JSON.readTree(rs.getString("parameters")), parsed, rs.getString("content_sha256"),
				rs.getTimestamp("created_at").toInstant(), rs.getObject("job_id", UUID.class));
	}

}
