package dev.warden.platform.promotion;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Governance reports for the promotion tests, written as rows the way their modules write
 * them: on this branch no code path writes a fairness report (the fairness engine and
 * jobs are built elsewhere), and the only one that writes an explainability report is the
 * report job, which needs a worker answering {@code :explain}. Each report gets an
 * evaluation dataset row, a finished job of its kind and an immutable report row whose
 * content follows the report's content contract (docs/governance.md): the fields the
 * promotion rules read are real, the rest is minimal.
 */
final class GovernanceReports {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final JdbcClient jdbc;

	GovernanceReports(JdbcClient jdbc) {
		this.jdbc = jdbc;
	}

	/** An evaluation dataset of {@code model} called {@code name}; returns its id. */
	UUID dataset(String model, String name) {
		UUID existing = this.jdbc
			.sql("SELECT id FROM reference_datasets WHERE model = :model AND name = :name AND deleted_at IS NULL")
			.param("model", model)
			.param("name", name)
			.query(UUID.class)
			.optional()
			.orElse(null);
		if (existing != null) {
			return existing;
		}
		UUID id = UUID.randomUUID();
		this.jdbc
			.sql("INSERT INTO reference_datasets (id, model, name, source, columns, row_count, chunk_count, sha256, "
					+ "data_key, kek_id, created_at, created_by, evaluation) VALUES (:id, :model, :name, 'upload', "
					+ "CAST(:columns AS jsonb), 1000, 0, :sha, :key, 'test', now(), 'test', CAST(:evaluation AS jsonb))")
			.param("id", id)
			.param("model", model)
			.param("name", name)
			.param("columns", "[{\"name\": \"age\", \"dtype\": \"DT_FLOAT\"}]")
			.param("sha", sha(name))
			.param("key", new byte[] { 1 })
			.param("evaluation", "{\"label\": \"label\", \"positive_label\": \"1\", \"sensitive\": "
					+ "[{\"name\": \"sex\", \"reference\": \"Male\"}, {\"name\": \"race\", \"reference\": \"White\"}]}")
			.update();
		return id;
	}

	/**
	 * A fairness report of {@code version} on the dataset, computed {@code age} ago.
	 * @param femaleFourFifths the four-fifths ratio of the group Female (sex)
	 * @param equalizedOdds the equalized odds difference of sex, with its interval
	 * @param accuracy the overall accuracy
	 */
	UUID fairness(String model, long version, UUID dataset, Duration age, double femaleFourFifths,
			double[] equalizedOdds, double accuracy) {
		UUID id = UUID.randomUUID();
		UUID job = job(model, version, dataset, "fairness");
		ObjectNode content = JSON.createObjectNode();
		content.put("model", model);
		content.put("version", version);
		content.put("model_sha256", sha(model + version));
		ObjectNode data = content.putObject("dataset");
		data.put("id", dataset.toString());
		data.put("name",
				this.jdbc.sql("SELECT name FROM reference_datasets WHERE id = :id")
					.param("id", dataset)
					.query(String.class)
					.single());
		data.put("sha256", sha(dataset.toString()));
		data.put("rows", 1000);
		content.put("label", "label");
		content.put("positive_label", "1");
		content.put("positive_class", 1);
		content.put("threshold", 0.5);
		ObjectNode overall = content.putObject("overall");
		overall.put("n", 1000);
		overall.put("positives", 240);
		overall.put("predicted_positives", 200);
		metric(overall.putObject("metrics").putObject("accuracy"), accuracy, accuracy - 0.02, accuracy + 0.02);
		metric(content.putObject("theil_index"), 0.11, 0.1, 0.12);
		ArrayNode attributes = content.putArray("attributes");
		ObjectNode sex = attributes.addObject();
		sex.put("name", "sex");
		sex.putArray("columns").add("sex");
		sex.put("reference", "Male");
		sex.put("reference_source", "declared");
		ObjectNode against = sex.putArray("against_reference").addObject();
		against.put("group", "Female");
		metric(against.putObject("statistical_parity_difference"), -0.05, -0.08, -0.02);
		metric(against.putObject("disparate_impact_ratio"), femaleFourFifths, femaleFourFifths - 0.04,
				femaleFourFifths + 0.04);
		ObjectNode between = sex.putObject("between_groups");
		metric(between.putObject("equalized_odds_difference"), equalizedOdds[0], equalizedOdds[1], equalizedOdds[2]);
		metric(between.putObject("demographic_parity_ratio"), femaleFourFifths, femaleFourFifths - 0.04,
				femaleFourFifths + 0.04);
		ObjectNode fifths = sex.putArray("four_fifths").addObject();
		fifths.put("group", "Female");
		metric(fifths.putObject("ratio"), femaleFourFifths, femaleFourFifths - 0.04, femaleFourFifths + 0.04);
		fifths.put("highest_rate_group", "Male");
		fifths.put("below_four_fifths", femaleFourFifths < 0.8);
		ObjectNode race = attributes.addObject();
		race.put("name", "race");
		race.putArray("columns").add("race");
		race.put("reference", "White");
		ArrayNode raceFifths = race.putArray("four_fifths");
		ObjectNode black = raceFifths.addObject();
		black.put("group", "Black");
		metric(black.putObject("ratio"), 0.9, 0.85, 0.95);
		ObjectNode other = raceFifths.addObject();
		other.put("group", "Other");
		other.putObject("ratio").put("reason", "no actual positives in the group").putNull("value");
		ObjectNode both = attributes.addObject();
		both.put("name", "sex × race");
		both.putArray("columns").add("sex").add("race");
		both.put("reference", "Male × White");
		ObjectNode bothFifths = both.putArray("four_fifths").addObject();
		bothFifths.put("group", "Female × Black");
		metric(bothFifths.putObject("ratio"), 0.5, 0.4, 0.6);
		content.putArray("definitions");
		Instant at = Instant.now().minus(age).truncatedTo(ChronoUnit.MICROS);
		String text = JSON.writeValueAsString(content);
		this.jdbc
			.sql("INSERT INTO fairness_reports (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "threshold, seed, parameters, content, content_sha256, created_at, job_id) VALUES (:id, :model, "
					+ ":version, :dataset, :datasetSha, :modelSha, 0.5, 42, CAST(:parameters AS jsonb), "
					+ "CAST(:content AS jsonb), :sha, :at, :job)")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", dataset)
			.param("datasetSha", sha(dataset.toString()))
			.param("modelSha", sha(model + version))
			.param("parameters", "{\"threshold\": 0.5, \"seed\": 42, \"resamples\": 1000}")
			.param("content", text)
			.param("sha", sha(text))
			.param("at", Timestamp.from(at))
			.param("job", job)
			.update();
		this.jdbc
			.sql("UPDATE explainability_jobs SET state = 'done', fairness_report_id = :report, finished_at = now() "
					+ "WHERE id = :job")
			.param("report", id)
			.param("job", job)
			.update();
		return id;
	}

	/** An explainability report of {@code version}, computed {@code age} ago. */
	UUID explainability(String model, long version, UUID dataset, Duration age) {
		UUID id = UUID.randomUUID();
		UUID job = job(model, version, dataset, "explanation");
		Instant at = Instant.now().minus(age).truncatedTo(ChronoUnit.MICROS);
		this.jdbc
			.sql("INSERT INTO explainability_reports (id, model, version, dataset_id, dataset_sha256, model_sha256, "
					+ "method, seed, sample_size, parameters, content, content_sha256, created_at, job_id) VALUES "
					+ "(:id, :model, :version, :dataset, :datasetSha, :modelSha, 'kernel_shap', 42, 100, "
					+ "CAST('{}' AS jsonb), CAST('{\"global_importance\": []}' AS jsonb), :sha, :at, :job)")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", dataset)
			.param("datasetSha", sha(dataset.toString()))
			.param("modelSha", sha(model + version))
			.param("sha", sha(id.toString()))
			.param("at", Timestamp.from(at))
			.param("job", job)
			.update();
		this.jdbc
			.sql("UPDATE explainability_jobs SET state = 'done', report_id = :report, finished_at = now() "
					+ "WHERE id = :job")
			.param("report", id)
			.param("job", job)
			.update();
		return id;
	}

	private UUID job(String model, long version, UUID dataset, String kind) {
		UUID id = UUID.randomUUID();
		this.jdbc
			.sql("INSERT INTO explainability_jobs (id, model, version, dataset_id, parameters, state, kind, "
					+ "created_by, created_at) VALUES (:id, :model, :version, :dataset, CAST('{}' AS jsonb), 'queued', "
					+ ":kind, 'test', now())")
			.param("id", id)
			.param("model", model)
			.param("version", version)
			.param("dataset", dataset)
			.param("kind", kind)
			.update();
		return id;
	}

	private static void metric(ObjectNode node, double value, double low, double high) {
		node.put("value", value);
		node.put("ci_low", low);
		node.put("ci_high", high);
	}

	static String sha(String text) {
		try {
			return HexFormat.of()
				.formatHex(java.security.MessageDigest.getInstance("SHA-256")
					.digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
