package dev.warden.platform.monitoring;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.ExplainabilityJob;
import dev.warden.platform.explainability.ExplainabilityJobs;
import dev.warden.platform.explainability.JobKind;
import dev.warden.platform.explainability.JobResult;
import dev.warden.platform.explainability.ReferenceDataset;
import dev.warden.platform.explainability.ReferenceDatasets;
import dev.warden.platform.explainability.RunningJob;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.monitoring.internal.DriftStore;
import dev.warden.platform.monitoring.internal.ProfileBuilder;
import dev.warden.platform.monitoring.internal.ProfileSettings;
import dev.warden.platform.system.ApiException;

/**
 * Reference profiles as jobs of the explainability queue (kind {@value #KIND}): queued
 * automatically when a version first becomes available (for a model with a reference
 * dataset) or by an administrator; the job streams the model's newest reference dataset
 * chunk by chunk, has the job's version predict the rows in batches (as a fairness check
 * does), counts them into a {@link ProfileBuilder} and stores the profile in
 * {@code drift_reference_profiles} with an audit event
 * ({@code monitoring.profile_created}) in the job's transaction. The binning settings
 * (bins, hash buckets, k, text and categorical inputs) are taken from
 * {@code policies/monitoring.yaml} when the job is queued and stored with it, so a retry
 * bins the same way.
 */
@Component
class ProfileJobKind implements JobKind {

	static final String KIND = "profile";

	private static final Logger log = LoggerFactory.getLogger(ProfileJobKind.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final ExplainabilityJobs jobs;

	private final ReferenceDatasets datasets;

	private final ModelCatalogue catalogue;

	private final MonitoringPolicies policies;

	private final DriftProperties properties;

	private final DriftStore store;

	private final DataDrift drift;

	private final AuditTrail audit;

	ProfileJobKind(ExplainabilityJobs jobs, ReferenceDatasets datasets, ModelCatalogue catalogue,
			MonitoringPolicies policies, DriftProperties properties, DriftStore store, DataDrift drift,
			AuditTrail audit) {
		this.jobs = jobs;
		this.datasets = datasets;
		this.catalogue = catalogue;
		this.policies = policies;
		this.properties = properties;
		this.store = store;
		this.drift = drift;
		this.audit = audit;
	}

	@Override
	public String name() {
		return KIND;
	}

	@Override
	public void versionAvailable(String model, long version) {
		if (!this.properties.autoQueue()) {
			return;
		}
		this.datasets.newest(model)
			.flatMap((dataset) -> this.jobs.submitAutomatically(KIND, model, version, dataset.id(), parameters(model)))
			.ifPresent((job) -> log.info("Queued reference profile job {} for {}/{}", job.id(), model, version));
	}

	/**
	 * Queues a profile job of the version on the model's newest reference dataset (ADMIN;
	 * audited as {@code explainability.job_queued}).
	 * @throws ApiException 404 unknown version, 409 the model has no reference dataset
	 */
	ExplainabilityJob queue(String model, long version, String actor) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
		ReferenceDataset dataset = this.datasets.newest(model)
			.orElseThrow(() -> new ApiException(HttpStatus.CONFLICT, "no_reference_dataset",
					"model " + model + " has no reference dataset; register one (POST /api/admin/models/" + model
							+ "/reference-datasets) to profile its versions"));
		return this.jobs.submit(KIND, model, version, dataset.id(), parameters(model), actor);
	}

	/** The job's parameters: the model's binning settings and the batch size. */
	ObjectNode parameters(String model) {
		DriftSettings settings = this.policies.current().drift(model);
		ObjectNode parameters = JSON.createObjectNode();
		parameters.put("bins", settings.bins());
		parameters.put("hash_buckets", settings.hashBuckets());
		parameters.put("k", settings.k());
		settings.textFeatures().forEach(parameters.putArray("text_features")::add);
		settings.categoricalFeatures().forEach(parameters.putArray("categorical_features")::add);
		parameters.put("batch_size", this.properties.batchSize());
		return parameters;
	}

	@Override
	public JobResult run(RunningJob running) {
		ExplainabilityJob job = running.job();
		ReferenceDataset dataset = running.dataset();
		JsonNode parameters = job.parameters();
		ProfileSettings settings = new ProfileSettings(parameters.path("bins").asInt(10),
				parameters.path("hash_buckets").asInt(64), parameters.path("k").asInt(10),
				names(parameters.path("text_features")), names(parameters.path("categorical_features")));
		int batchSize = parameters.path("batch_size").asInt(256);
		List<String> names = new ArrayList<>();
		List<String> dtypes = new ArrayList<>();
		for (ReferenceDataset.Column column : dataset.columns()) {
			names.add(column.name());
			dtypes.add(column.dtype());
		}
		running.total(dataset.rowCount());
		ProfileBuilder builder = new ProfileBuilder(names, dtypes, settings);
		List<String[]> batch = new ArrayList<>(batchSize);
		Iterator<List<String[]>> chunks = running.rows();
		while (chunks.hasNext()) {
			for (String[] row : chunks.next()) {
				batch.add(row);
				if (batch.size() == batchSize) {
					predict(running, builder, batch);
					if (!running.proceed(builder.rows(), false)) {
						return JobResult.cancelled(builder.rows());
					}
				}
			}
			if (!chunks.hasNext() && !batch.isEmpty()) {
				predict(running, builder, batch);
			}
			if (!running.proceed(builder.rows(), true)) {
				return JobResult.cancelled(builder.rows());
			}
		}
		if (builder.rows() == 0) {
			throw new IllegalStateException("the reference dataset " + dataset.name() + " has no rows");
		}
		ObjectNode profile = builder.build();
		profile.put("model", job.model());
		profile.put("version", running.version());
		profile.put("model_sha256", running.modelSha256());
		ObjectNode datasetNode = profile.putObject("dataset");
		datasetNode.put("id", dataset.id().toString());
		datasetNode.put("name", dataset.name());
		datasetNode.put("sha256", dataset.sha256());
		datasetNode.put("rows", dataset.rowCount());
		long rows = builder.rows();
		return JobResult.done(rows, () -> {
			UUID id = UUID.randomUUID();
			this.store.storeProfile(id, job.model(), running.version(), dataset.id(), dataset.sha256(),
					running.modelSha256(), profile, job.createdBy());
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", job.model());
			details.put("version", running.version());
			details.put("job_id", job.id().toString());
			details.put("dataset_id", dataset.id().toString());
			details.put("dataset_sha256", dataset.sha256());
			details.put("rows", rows);
			details.put("settings", JSON.convertValue(profile.path("settings"), Map.class));
			this.audit.append(job.createdBy(), "monitoring.profile_created", "drift_profile", id.toString(), details);
			TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
				@Override
				public void afterCommit() {
					ProfileJobKind.this.drift.profileChanged(job.model(), running.version());
				}
			});
			return id;
		});
	}

	private static void predict(RunningJob running, ProfileBuilder builder, List<String[]> batch) {
		List<double[]> probabilities = running.probabilities(batch);
		if (probabilities.size() != batch.size()) {
			throw new IllegalStateException(
					"the worker answered " + probabilities.size() + " predictions for " + batch.size() + " rows");
		}
		for (int i = 0; i < batch.size(); i++) {
			builder.add(batch.get(i), null, probabilities.get(i));
		}
		batch.clear();
	}

	private static Set<String> names(JsonNode array) {
		Set<String> names = new HashSet<>();
		array.forEach((n) -> names.add(n.asString()));
		return names;
	}

	Optional<DriftStore.StoredProfile> newest(String model, long version) {
		return this.store.newestProfile(model, version);
	}

}
