package dev.warden.platform.promotion;

import java.util.Optional;
import java.util.UUID;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import dev.warden.platform.explainability.ExplainabilityReport;
import dev.warden.platform.explainability.ExplainabilityReports;
import dev.warden.platform.fairness.FairnessReport;
import dev.warden.platform.fairness.FairnessReports;
import dev.warden.platform.system.PageRequest;

/**
 * The reports a rule reads: a version's latest fairness report (optionally on a named
 * evaluation dataset, or on the dataset of another report), its latest explainability
 * report. Reports are read through their modules ({@link FairnessReports},
 * {@link ExplainabilityReports}); only the choice of a report by dataset, which those do
 * not offer, is a query of its own here (read-only).
 */
@Component
class ReportLookup {

	private final JdbcClient jdbc;

	private final FairnessReports fairness;

	private final ExplainabilityReports explainability;

	ReportLookup(JdbcClient jdbc, FairnessReports fairness, ExplainabilityReports explainability) {
		this.jdbc = jdbc;
		this.fairness = fairness;
		this.explainability = explainability;
	}

	/**
	 * The version's most recent fairness report, on the evaluation dataset of that name
	 * (whether it still exists or was deleted since) when {@code datasetName} is given.
	 */
	Optional<FairnessReport> latestFairness(String model, long version, String datasetName) {
		if (datasetName == null) {
			return this.fairness.latest(model, version);
		}
		return this.jdbc
			.sql("SELECT f.id FROM fairness_reports f JOIN reference_datasets d ON d.id = f.dataset_id "
					+ "WHERE f.model = :model AND f.version = :version AND d.name = :dataset "
					+ "ORDER BY f.created_at DESC, f.id LIMIT 1")
			.param("model", model)
			.param("version", version)
			.param("dataset", datasetName)
			.query(UUID.class)
			.optional()
			.map(this.fairness::get);
	}

	/** The version's most recent fairness report on the dataset {@code datasetId}. */
	Optional<FairnessReport> latestFairnessOn(String model, long version, UUID datasetId) {
		return this.jdbc
			.sql("SELECT id FROM fairness_reports WHERE model = :model AND version = :version "
					+ "AND dataset_id = :dataset ORDER BY created_at DESC, id LIMIT 1")
			.param("model", model)
			.param("version", version)
			.param("dataset", datasetId)
			.query(UUID.class)
			.optional()
			.map(this.fairness::get);
	}

	/** The name of an evaluation dataset, or its id when it has none. */
	String datasetName(UUID datasetId) {
		return this.jdbc.sql("SELECT name FROM reference_datasets WHERE id = :id")
			.param("id", datasetId)
			.query(String.class)
			.optional()
			.orElse(datasetId.toString());
	}

	/** The version's most recent explainability report (without its content). */
	Optional<ExplainabilityReport> latestExplainability(String model, long version) {
		return this.explainability.list(model, version, new PageRequest(0, 1)).content().stream().findFirst();
	}

}
