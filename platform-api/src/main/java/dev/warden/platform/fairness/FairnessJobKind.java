package dev.warden.platform.fairness;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.warden.platform.explainability.EvaluationSpec;
import dev.warden.platform.explainability.ExplainabilityJob;
import dev.warden.platform.explainability.JobKind;
import dev.warden.platform.explainability.JobResult;
import dev.warden.platform.explainability.ReferenceDataset;
import dev.warden.platform.explainability.RunningJob;
import dev.warden.platform.fairness.internal.FairnessAnalysis;
import dev.warden.platform.fairness.internal.FairnessTally;
import dev.warden.platform.fairness.internal.SensitiveAttribute;

/**
 * Fairness checks as jobs of the explainability queue (kind {@code fairness}). A check
 * streams its evaluation dataset chunk by chunk, sends the rows' model cells to the job's
 * version in batches of {@code batch_size} (the cells after them, label and sensitive
 * attributes, are never sent), reads the positive class's probability (a row is predicted
 * positive when it is at least {@code threshold}, actually positive when its label equals
 * the positive label), counts each row into a {@link FairnessTally}, and then computes
 * the metrics ({@link FairnessAnalysis}). Memory holds one chunk and one batch, never the
 * dataset. Progress, lease and cancellation are checked after every batch and at every
 * chunk boundary.
 */
@Component
class FairnessJobKind implements JobKind {

	private static final Logger log = LoggerFactory.getLogger(FairnessJobKind.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/**
	 * The version of Warden that computed a report ({@code Implementation-Version} of the
	 * jar; {@code development} when run from classes).
	 */
	static final String SOFTWARE_VERSION = softwareVersion();

	private final FairnessChecks checks;

	private final FairnessReports reports;

	FairnessJobKind(FairnessChecks checks, FairnessReports reports) {
		this.checks = checks;
		this.reports = reports;
	}

	private static String softwareVersion() {
		String version = FairnessJobKind.class.getPackage().getImplementationVersion();
		return (version != null) ? version : "development";
	}

	@Override
	public String name() {
		return FairnessChecks.KIND;
	}

	@Override
	public void versionAvailable(String model, long version) {
		this.checks.queueAutomatically(model, version)
			.ifPresent((job) -> log.info("Queued fairness check {} for {}/{} (first available)", job.id(), model,
					version));
	}

	@Override
	public JobResult run(RunningJob running) {
		ExplainabilityJob job = running.job();
		ReferenceDataset dataset = running.dataset();
		EvaluationSpec spec = dataset.evaluation();
		if (spec == null) {
			throw new IllegalStateException("reference dataset " + dataset.name()
					+ " has no evaluation spec (label and sensitive columns); a fairness check needs one");
		}
		JsonNode parameters = job.parameters();
		double threshold = parameters.path("threshold").asDouble();
		int positiveClass = parameters.path("positive_class").asInt();
		int batchSize = parameters.path("batch_size").asInt();
		FairnessAnalysis.Settings settings = new FairnessAnalysis.Settings(parameters.path("seed").asLong(),
				parameters.path("resamples").asInt(), parameters.path("confidence_level").asDouble(),
				parameters.path("min_group_size").asInt(), parameters.path("min_positives").asInt(),
				parameters.path("max_intersection_order").asInt());
		List<SensitiveAttribute> attributes;
		try {
			attributes = SensitiveAttributeCheck.attributes(spec);
		}
		catch (IllegalArgumentException ex) {
			throw new IllegalStateException("the evaluation spec of reference dataset " + dataset.name()
					+ " cannot be used: " + ex.getMessage());
		}
		running.total(dataset.rowCount());
		Counting counting = new Counting(new FairnessTally(attributes), dataset.columns().size(),
				spec.positiveLabel().strip(), attributes.size(), threshold, positiveClass);
		List<String[]> batch = new ArrayList<>(batchSize);
		Iterator<List<String[]>> chunks = running.rows();
		while (chunks.hasNext()) {
			for (String[] row : chunks.next()) {
				batch.add(row);
				if (batch.size() == batchSize) {
					counting.add(batch, running.probabilities(batch));
					batch.clear();
					if (!running.proceed(counting.rows, false)) {
						return JobResult.cancelled(counting.rows);
					}
				}
			}
			if (!chunks.hasNext() && !batch.isEmpty()) {
				counting.add(batch, running.probabilities(batch));
				batch.clear();
			}
			if (!running.proceed(counting.rows, true)) {
				return JobResult.cancelled(counting.rows);
			}
		}
		if (counting.rows == 0) {
			throw new IllegalStateException("the evaluation dataset " + dataset.name() + " has no rows");
		}
		ObjectNode analysis = FairnessAnalysis.analyse(counting.tally, settings);
		ObjectNode content = content(running, spec, threshold, positiveClass, analysis);
		long rows = counting.rows;
		return JobResult.done(rows,
				() -> this.reports.store(job, dataset, running.modelSha256(), threshold, content).id());
	}

	/**
	 * The report's content: what identifies the check (model, dataset and their digests,
	 * label, threshold, software version) around the analysis's results; nothing that
	 * differs between two runs of the same check (no id, time or job).
	 */
	static ObjectNode content(RunningJob running, EvaluationSpec spec, double threshold, int positiveClass,
			ObjectNode analysis) {
		ReferenceDataset dataset = running.dataset();
		ObjectNode content = JSON.createObjectNode();
		content.put("model", running.job().model());
		content.put("version", running.version());
		content.put("model_sha256", running.modelSha256());
		ObjectNode datasetNode = content.putObject("dataset");
		datasetNode.put("id", dataset.id().toString());
		datasetNode.put("name", dataset.name());
		datasetNode.put("sha256", dataset.sha256());
		datasetNode.put("rows", dataset.rowCount());
		content.put("label", spec.label());
		content.put("positive_label", spec.positiveLabel());
		content.put("positive_class", positiveClass);
		content.put("threshold", threshold);
		content.put("software_version", SOFTWARE_VERSION);
		analysis.properties().forEach((entry) -> {
			if (!content.has(entry.getKey())) {
				content.set(entry.getKey(), entry.getValue());
			}
		});
		return content;
	}

	/** Counts predicted rows into the tally. */
	private static final class Counting {

		final FairnessTally tally;

		private final int labelAt;

		private final String positiveLabel;

		private final int attributes;

		private final double threshold;

		private final int positiveClass;

		long rows;

		Counting(FairnessTally tally, int modelColumns, String positiveLabel, int attributes, double threshold,
				int positiveClass) {
			this.tally = tally;
			this.labelAt = modelColumns;
			this.positiveLabel = positiveLabel;
			this.attributes = attributes;
			this.threshold = threshold;
			this.positiveClass = positiveClass;
		}

		void add(List<String[]> rows, List<double[]> probabilities) {
			if (probabilities.size() != rows.size()) {
				throw new IllegalStateException(
						"the worker answered " + probabilities.size() + " predictions for " + rows.size() + " rows");
			}
			for (int i = 0; i < rows.size(); i++) {
				String[] row = rows.get(i);
				double[] p = probabilities.get(i);
				if (p == null || p.length <= this.positiveClass || !Double.isFinite(p[this.positiveClass])) {
					throw new IllegalStateException("the prediction of row " + (this.rows + 1)
							+ " has no probability of class " + this.positiveClass
							+ ((p != null) ? " (it has " + p.length + " classes)" : " (it has no probabilities)")
							+ "; a fairness check needs the model's class probabilities (positive_class)");
				}
				String[] sensitive = new String[this.attributes];
				System.arraycopy(row, this.labelAt + 1, sensitive, 0, this.attributes);
				boolean actual = row[this.labelAt].strip().equals(this.positiveLabel);
				boolean predicted = p[this.positiveClass] >= this.threshold;
				this.tally.add(sensitive, actual, predicted);
				this.rows++;
			}
		}

	}

}
