package dev.warden.platform.explainability;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
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
import dev.warden.platform.explainability.internal.CanonicalJson;
import dev.warden.platform.explainability.internal.ReportPdf;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Immutable explainability reports: written once by a job (with the audit event
 * {@code explainability.report_created} carrying the digest, in the job's transaction),
 * read as JSON or rendered as a PDF. The table refuses UPDATE, DELETE and TRUNCATE
 * (trigger). Thread-safe.
 */
@Service
public class ExplainabilityReports {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String SUMMARY = "id, model, version, dataset_id, dataset_sha256, model_sha256, method, seed, "
			+ "sample_size, parameters::text AS parameters, content_sha256, created_at, job_id";

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	private final ModelCatalogue catalogue;

	ExplainabilityReports(JdbcClient jdbc, AuditTrail audit, ModelCatalogue catalogue) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.catalogue = catalogue;
	}

	/**
	 * Writes a report and its audit event in the caller's transaction. The digest is the
	 * SHA-256 of the canonical JSON of {@code content} ({@link CanonicalJson}).
	 */
	@Transactional(propagation = Propagation.MANDATORY)
	ExplainabilityReport store(ExplainabilityJob job, String datasetSha256, String modelSha256, String method,
			long seed, long sampleSize, ObjectNode content) {
		UUID id = UUID.randomUUID();
		String digest = CanonicalJson.sha256(content);
		this.jdbc
			.sql("INSERT INTO explainability_reports (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "method, seed, sample_size, parameters, content, content_sha256, created_at, job_id) VALUES "
					+ "(:id, :model, :version, :dataset, :datasetSha, :modelSha, :method, :seed, :sample, "
					+ "CAST(:parameters AS jsonb), CAST(:content AS jsonb), :digest, :at, :job)")
			.param("id", id)
			.param("model", job.model())
			.param("version", Long.parseLong(job.version()))
			.param("dataset", job.datasetId())
			.param("datasetSha", datasetSha256)
			.param("modelSha", modelSha256)
			.param("method", (method != null) ? method : "unknown")
			.param("seed", seed)
			.param("sample", sampleSize)
			.param("parameters", JSON.writeValueAsString(job.parameters()))
			.param("content", JSON.writeValueAsString(content))
			.param("digest", digest)
			.param("at", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
			.param("job", job.id())
			.update();
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("model", job.model());
		details.put("version", Long.parseLong(job.version()));
		details.put("dataset_id", job.datasetId().toString());
		details.put("dataset_sha256", datasetSha256);
		details.put("model_sha256", modelSha256);
		details.put("method", method);
		details.put("seed", seed);
		details.put("content_sha256", digest);
		details.put("job_id", job.id().toString());
		this.audit.append(AuditTrail.SYSTEM_ACTOR, "explainability.report_created", "explainability_report",
				id.toString(), details);
		return find(id).orElseThrow();
	}

	/** One page of a version's reports (without content), newest first. */
	public Page<ExplainabilityReport> list(String model, long version, PageRequest page) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
		return Page.of(this.jdbc
			.sql("SELECT " + SUMMARY + ", NULL AS content FROM explainability_reports WHERE model = :model "
					+ "AND version = :version ORDER BY created_at DESC, id OFFSET :offset LIMIT :limit")
			.param("model", model)
			.param("version", version)
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs, row) -> report(rs))
			.list(), page);
	}

	/**
	 * @throws ApiException 404 unknown report
	 */
	public ExplainabilityReport get(UUID id) {
		return find(id).orElseThrow(() -> ApiException.notFound("explainability report " + id));
	}

	Optional<ExplainabilityReport> find(UUID id) {
		return this.jdbc
			.sql("SELECT " + SUMMARY + ", content::text AS content FROM explainability_reports WHERE id = :id")
			.param("id", id)
			.query((rs, row) -> report(rs))
			.optional();
	}

	/** The report as a PDF. @throws ApiException 404 unknown report */
	public byte[] pdf(UUID id) {
		ExplainabilityReport report = get(id);
		String datasetName = this.jdbc.sql("SELECT name FROM reference_datasets WHERE id = :id")
			.param("id", report.datasetId())
			.query(String.class)
			.optional()
			.orElse("?");
		return ReportPdf.render(new ReportPdf.Header(report.id().toString(), report.model(),
				Long.parseLong(report.version()), report.modelSha256(), datasetName, report.datasetId().toString(),
				report.datasetSha256(), report.method(), report.seed(), report.sampleSize(), report.contentSha256(),
				report.createdAt().toString(), report.jobId().toString()), report.content());
	}

	private static ExplainabilityReport report(ResultSet rs) throws SQLException {
		String content = rs.getString("content");
		JsonNode parsed = (content != null) ? JSON.readTree(content) : null;
		return new ExplainabilityReport(rs.getObject("id", UUID.class), rs.getString("model"),
				Long.toString(rs.getLong("version")), rs.getObject("dataset_id", UUID.class),
				rs.getString("dataset_sha256"), rs.getString("model_sha256"), rs.getString("method"),
				rs.getLong("seed"), rs.getLong("sample_size"), JSON.readTree(rs.getString("parameters")), parsed,
				rs.getString("content_sha256"), rs.getTimestamp("created_at").toInstant(),
				rs.getObject("job_id", UUID.class));
	}

}
