package dev.warden.platform.explainability;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.warden.platform.explainability.internal.Prediction;
import dev.warden.platform.explainability.internal.ReportAggregator;
import dev.warden.platform.explainability.internal.ReportComputation;
import dev.warden.platform.explainability.internal.WorkerExplainer;

/**
 * Report jobs of kind {@code explanation}: an explainability report of the job's version
 * on its reference dataset ({@link ReportComputation}), stored by
 * {@link ExplainabilityReports}.
 */
@Component
class ExplanationJobKind implements JobKind {

	static final String NAME = "explanation";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkerExplainer explainer;

	private final ExplainabilityReports reports;

	ExplanationJobKind(WorkerExplainer explainer, ExplainabilityReports reports) {
		this.explainer = explainer;
		this.reports = reports;
	}

	@Override
	public String name() {
		return NAME;
	}

	@Override
	public JobResult run(RunningJob running) {
		ExplainabilityJob job = running.job();
		String model = job.model();
		long version = running.version();
		ReferenceDataset dataset = running.dataset();
		JsonNode parameters = job.parameters();
		long seed = parameters.path("seed").asLong();
		long sampleSize = parameters.path("sample_size").asLong();
		String method = parameters.path("method").isString() ? parameters.path("method").asString() : null;
		ReportComputation.Settings settings = new ReportComputation.Settings(seed, sampleSize,
				parameters.path("batch_size").asInt(10), parameters.path("pd_rows").asInt(200),
				parameters.path("pd_grid_points").asInt(10), parameters.path("top_k").asInt(3),
				new ReportAggregator.Settings(parameters.path("bootstrap_replicates").asInt(200),
						parameters.path("confidence_level").asDouble(0.95), parameters.path("histogram_bins").asInt(20),
						parameters.path("histogram_warmup").asInt(1000), parameters.path("tokens_per_class").asInt(50),
						parameters.path("max_tracked_tokens").asInt(20000),
						parameters.path("min_token_count").asInt(3)));
		running.total(Math.min(sampleSize, dataset.rowCount()));
		Map<String, Object> explainParameters = new LinkedHashMap<>();
		if (method != null) {
			explainParameters.put("method", method);
		}
		if ("kernel_shap".equals(method)) {
			// the one sampled method: the worker refuses a seed for the others
			explainParameters.put("seed", seed);
		}
		ReportComputation.ReportModel reportModel = new ReportComputation.ReportModel() {

			@Override
			public WorkerExplainer.Answer explain(List<ObjectNode> instances) {
				return ExplanationJobKind.this.explainer.explain(model, version, instances, explainParameters,
						running.requestId());
			}

			@Override
			public List<Prediction> predict(List<ObjectNode> instances) {
				return running.predict(instances);
			}

		};
		ReportComputation.Result result = ReportComputation.run(running.columns(), dataset.rowCount(), running.rows(),
				reportModel, settings, running.checkpoint());
		if (result.cancelled()) {
			return JobResult.cancelled(result.rowsExplained());
		}
		String modelSha256 = running.modelSha256();
		ObjectNode content = JSON.createObjectNode();
		content.put("model", model);
		content.put("version", version);
		content.put("model_sha256", modelSha256);
		ObjectNode datasetNode = content.putObject("dataset");
		datasetNode.put("id", dataset.id().toString());
		datasetNode.put("name", dataset.name());
		datasetNode.put("sha256", dataset.sha256());
		datasetNode.put("rows", dataset.rowCount());
		content.put("seed", seed);
		content.put("sample_size", sampleSize);
		content.set("parameters", parameters);
		result.content().properties().forEach((entry) -> content.set(entry.getKey(), entry.getValue()));
		if (content.path("method").isNull() && method != null) {
			content.put("method", method);
		}
		String reportMethod = content.path("method").isString() ? content.path("method").asString() : method;
		return JobResult.done(result.rowsExplained(),
				() -> this.reports.store(job, dataset.sha256(), modelSha256, reportMethod, seed, sampleSize, content)
					.id());
	}

}
