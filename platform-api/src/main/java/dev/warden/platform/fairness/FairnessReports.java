package dev.warden.platform.fairness;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import dev.warden.platform.system.ApiException;

/**
 * Immutable fairness reports: written once by a fairness job, read as JSON or rendered as
 * a PDF. The table refuses UPDATE, DELETE and TRUNCATE (trigger). Thread-safe.
 */
@Service
public class FairnessReports {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	static final String SUMMARY = "id, model, version, dataset_id, dataset_sha256, model_sha256, threshold, seed, "
			+ "parameters::text AS parameters, content_sha256, created_at, job_id";

	private final JdbcClient jdbc;

	FairnessReports(JdbcClient jdbc) {
		this.jdbc = jdbc;
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
