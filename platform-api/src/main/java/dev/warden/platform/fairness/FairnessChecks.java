package dev.warden.platform.fairness;

import java.util.Optional;
import java.util.UUID;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

import dev.warden.platform.explainability.ExplainabilityJob;
import dev.warden.platform.explainability.ExplainabilityJobs;
import dev.warden.platform.explainability.ReferenceDataset;
import dev.warden.platform.explainability.ReferenceDatasets;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Fairness checks: jobs of kind {@code fairness} in the explainability job queue, queued
 * by an administrator or automatically (actor {@code system}, once per version, dataset
 * and parameters) on an evaluation dataset. Every parameter is validated and completed
 * from {@code warden.fairness.*} when the job is queued, and stored with it, so a retry
 * computes with the same values. Running them is {@link FairnessJobKind}'s. Thread-safe.
 */
@Service
public class FairnessChecks {

	/** The kind of the jobs in {@code explainability_jobs}. */
	public static final String KIND = "fairness";

	static final int MAX_POSITIVE_CLASS = 10_000;

	static final int MAX_RESAMPLES = 10_000;

	static final int MAX_GROUP_SIZE = 1_000_000_000;

	static final int MAX_INTERSECTION_ORDER = 4;

	static final int MAX_BATCH_SIZE = 10_000;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ExplainabilityJobs jobs;

	private final ReferenceDatasets datasets;

	private final ModelCatalogue catalogue;

	private final FairnessProperties defaults;

	FairnessChecks(ExplainabilityJobs jobs, ReferenceDatasets datasets, ModelCatalogue catalogue,
			FairnessProperties defaults) {
		this.jobs = jobs;
		this.datasets = datasets;
		this.catalogue = catalogue;
		this.defaults = defaults;
	}

	/**
	 * Queues a fairness check of {@code version} of {@code model} (ADMIN).
	 * @throws ApiException 400 bad parameter, 404 unknown version or dataset, 409 the
	 * dataset has no evaluation spec, or the model has no evaluation dataset
	 */
	public ExplainabilityJob queue(String model, long version, CheckRequest request, String actor) {
		requireVersion(model, version);
		UUID datasetId = null;
		if (request.datasetId() != null) {
			try {
				datasetId = UUID.fromString(request.datasetId());
			}
			catch (IllegalArgumentException ex) {
				throw ApiException.badRequest("validation_failed",
						"dataset_id: '" + abbreviate(request.datasetId()) + "' is not a dataset id (UUID)");
			}
		}
		ObjectNode parameters = parameters(request);
		ReferenceDataset dataset;
		if (datasetId != null) {
			dataset = this.datasets.get(model, datasetId);
			if (dataset.evaluation() == null) {
				throw new ApiException(HttpStatus.CONFLICT, "no_evaluation_spec", "reference dataset " + dataset.name()
						+ " (" + dataset.id() + ") has no evaluation spec (label and sensitive "
						+ "columns); upload it with ?label=...&positive_label=...&sensitive=... to check fairness on it");
			}
		}
		else {
			dataset = this.datasets.newestEvaluation(model)
				.orElseThrow(() -> new ApiException(HttpStatus.CONFLICT, "no_evaluation_dataset", "model " + model
						+ " has no evaluation dataset; upload one (POST /api/admin/models/" + model
						+ "/reference-datasets?name=...&label=...&positive_label=...&sensitive=...) or name one in "
						+ "dataset_id"));
		}
		return this.jobs.submit(KIND, model, version, dataset.id(), parameters, actor);
	}

	/**
	 * Queues the automatic check of a version on the model's newest evaluation dataset
	 * with the default parameters, unless {@code warden.fairness.auto-queue} is off, the
	 * model has no evaluation dataset, or it was queued before (by any replica).
	 * @return the job, if this call queued it
	 */
	Optional<ExplainabilityJob> queueAutomatically(String model, long version) {
		if (!this.defaults.autoQueue()) {
			return Optional.empty();
		}
		return this.datasets.newestEvaluation(model)
			.flatMap((dataset) -> this.jobs.submitAutomatically(KIND, model, version, dataset.id(),
					parameters(CheckRequest.DEFAULTS)));
	}

	/**
	 * One page of the version's fairness checks, newest first.
	 * @throws ApiException 404 unknown version
	 */
	public Page<ExplainabilityJob> list(String model, long version, PageRequest page) {
		requireVersion(model, version);
		return this.jobs.list(KIND, model, version, null, page);
	}

	private void requireVersion(String model, long version) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
	}

	/** Every parameter of a check, the defaults filling what the request leaves out. */
	ObjectNode parameters(CheckRequest request) {
		double threshold = (request.threshold() != null) ? request.threshold() : this.defaults.threshold();
		int positiveClass = (request.positiveClass() != null) ? request.positiveClass() : this.defaults.positiveClass();
		long seed = (request.seed() != null) ? request.seed() : this.defaults.seed();
		int resamples = (request.resamples() != null) ? request.resamples() : this.defaults.resamples();
		double confidenceLevel = (request.confidenceLevel() != null) ? request.confidenceLevel()
				: this.defaults.confidenceLevel();
		int minGroupSize = (request.minGroupSize() != null) ? request.minGroupSize() : this.defaults.minGroupSize();
		int minPositives = (request.minPositives() != null) ? request.minPositives() : this.defaults.minPositives();
		int maxOrder = (request.maxIntersectionOrder() != null) ? request.maxIntersectionOrder()
				: this.defaults.maxIntersectionOrder();
		int batchSize = (request.batchSize() != null) ? request.batchSize() : this.defaults.batchSize();
		String problem = problem(threshold, positiveClass, seed, resamples, confidenceLevel, minGroupSize, minPositives,
				maxOrder, batchSize);
		if (problem != null) {
			throw ApiException.badRequest("validation_failed", problem);
		}
		ObjectNode parameters = JSON.createObjectNode();
		parameters.put("threshold", threshold);
		parameters.put("positive_class", positiveClass);
		parameters.put("seed", seed);
		parameters.put("resamples", resamples);
		parameters.put("confidence_level", confidenceLevel);
		parameters.put("min_group_size", minGroupSize);
		parameters.put("min_positives", minPositives);
		parameters.put("max_intersection_order", maxOrder);
		parameters.put("batch_size", batchSize);
		return parameters;
	}

	/** What is wrong with a check's parameters, naming the first one out of range. */
	static String problem(double threshold, int positiveClass, long seed, int resamples, double confidenceLevel,
			int minGroupSize, int minPositives, int maxIntersectionOrder, int batchSize) {
		if (!(threshold >= 0 && threshold <= 1)) {
			return "threshold: must be between 0 and 1 (a probability of the positive class)";
		}
		if (positiveClass < 0 || positiveClass > MAX_POSITIVE_CLASS) {
			return "positive_class: must be a class index between 0 and " + MAX_POSITIVE_CLASS;
		}
		if (seed < 0) {
			return "seed: must be a non-negative integer";
		}
		if (resamples < 0 || resamples > MAX_RESAMPLES) {
			return "resamples: must be between 0 (no bootstrap intervals) and " + MAX_RESAMPLES;
		}
		if (!(confidenceLevel > 0 && confidenceLevel < 1)) {
			return "confidence_level: must be between 0 and 1, exclusive (e.g. 0.95)";
		}
		if (minGroupSize < 1 || minGroupSize > MAX_GROUP_SIZE) {
			return "min_group_size: must be between 1 and " + MAX_GROUP_SIZE;
		}
		if (minPositives < 0 || minPositives > MAX_GROUP_SIZE) {
			return "min_positives: must be between 0 and " + MAX_GROUP_SIZE;
		}
		if (maxIntersectionOrder < 1 || maxIntersectionOrder > MAX_INTERSECTION_ORDER) {
			return "max_intersection_order: must be between 1 (no intersections) and " + MAX_INTERSECTION_ORDER;
		}
		if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
			return "batch_size: must be between 1 and " + MAX_BATCH_SIZE;
		}
		return null;
	}

	private static String abbreviate(String text) {
		return (text.length() > 40) ? text.substring(0, 40) + "..." : text;
	}

	/**
	 * The body of {@code POST /api/admin/models/{m}/versions/{v}/fairness-checks}; every
	 * field is optional, the defaults are {@code warden.fairness.*}.
	 *
	 * @param datasetId the evaluation dataset (default: the model's newest)
	 * @param threshold a row is predicted positive when the positive class's probability
	 * is at least this (0 to 1)
	 * @param positiveClass the index of the positive class in the model's probabilities
	 * @param seed the bootstrap's seed (non-negative)
	 * @param resamples bootstrap resamples (0 to 10,000; 0: no bootstrap intervals)
	 * @param confidenceLevel of every interval (between 0 and 1)
	 * @param minGroupSize a group with fewer rows is suppressed (at least 1)
	 * @param minPositives a group with fewer actual positives is suppressed (at least 0)
	 * @param maxIntersectionOrder intersections of up to this many sensitive attributes
	 * (1 to 4; 1: none)
	 * @param batchSize rows per prediction call to the worker (1 to 10,000)
	 */
	public record CheckRequest(String datasetId, Double threshold, Integer positiveClass, Long seed, Integer resamples,
			Double confidenceLevel, Integer minGroupSize, Integer minPositives, Integer maxIntersectionOrder,
			Integer batchSize) {

		static final CheckRequest DEFAULTS = new CheckRequest(null, null, null, null, null, null, null, null, null,
				null);

	}

}
