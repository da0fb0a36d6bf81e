package dev.warden.platform.promotion;

import java.util.Optional;
import java.util.UUID;

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
 * {@link ExplainabilityReports}).
 */
@Component
class ReportLookup {

	private final FairnessReports fairness;

	private final ExplainabilityReports explainability;

	ReportLookup(FairnessReports fairness, ExplainabilityReports explainability) {
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
		return this.fairness.latestOnNamed(model, version, datasetName);
	}

	/** The version's most recent fairness report on the dataset {@code datasetId}. */
	Optional<FairnessReport> latestFairnessOn(String model, long version, UUID datasetId) {
		return this.fairness.latestOn(model, version, datasetId);
	}

	/** The name of the evaluation dataset a fairness report was computed on. */
	String datasetName(FairnessReport report) {
		return this.fairness.datasetName(report);
	}

	/** The version's most recent explainability report (without its content). */
	Optional<ExplainabilityReport> latestExplainability(String model, long version) {
		return this.explainability.list(model, version, new PageRequest(0, 1)).content().stream().findFirst();
	}

}
