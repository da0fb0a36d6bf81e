package dev.warden.platform.explainability;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.internal.ShippedDatasets;
import dev.warden.platform.model.ModelVersionAdded;
import dev.warden.platform.model.ModelVersionAvailable;
import dev.warden.platform.system.ApiException;

/**
 * The automatic part of explainability:
 * <ul>
 * <li>when a version is uploaded ({@link ModelVersionAdded}) or becomes AVAILABLE for the
 * first time ({@link ModelVersionAvailable}) and its model has a reference dataset, a
 * report job is queued on the model's newest dataset with the default parameters (actor
 * {@code system}; once per model, version, dataset and parameters, whichever replica saw
 * it);</li>
 * <li>the reference models {@code income} and {@code spam} get their shipped validation
 * split ({@code adult_validation}, {@code spamassassin_validation}) registered when they
 * are served and have never had a reference dataset (a deleted one counts: deleting it is
 * an administrator's decision that a restart does not undo); at start-up, and when one of
 * their versions first becomes AVAILABLE. After such a registration, a job is queued for
 * each of the model's AVAILABLE versions.</li>
 * <li>after this module's automatic job, every other {@link JobKind} (e.g. fairness
 * checks) is told about the version, to queue its own.</li>
 * </ul>
 * The work runs on a thread of its own, never on the catalogue's.
 */
@Component
class ReferenceModels implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ReferenceModels.class);

	private final ReferenceDatasets datasets;

	private final ExplainabilityJobs jobs;

	private final List<JobKind> kinds;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final ExplainabilityProperties properties;

	private final ExecutorService executor = Executors.newSingleThreadExecutor((task) -> {
		Thread thread = new Thread(task, "explainability-reference-models");
		thread.setDaemon(true);
		return thread;
	});

	ReferenceModels(ReferenceDatasets datasets, ExplainabilityJobs jobs, List<JobKind> kinds, JdbcClient jdbc,
			TransactionTemplate transactions, ExplainabilityProperties properties) {
		this.datasets = datasets;
		this.jobs = jobs;
		this.kinds = List.copyOf(kinds);
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.properties = properties;
	}

	@EventListener
	void versionAvailable(ModelVersionAvailable event) {
		this.executor.execute(() -> {
			try {
				if (registerShipped(event.model())) {
					return;
				}
				queueAutomatically(event.model(), event.version(), "first available");
			}
			catch (RuntimeException ex) {
				log.warn("No explainability report could be queued for {}/{}: {}", event.model(), event.version(),
						ex.getMessage());
			}
		});
	}

	/**
	 * An uploaded version gets its reports at once, whether or not it serves yet: a
	 * version waiting for an approved promotion is not loaded until a job holds it, and
	 * its reports are what the promotion needs. (The jobs are the same as when it first
	 * becomes AVAILABLE; queued once.)
	 */
	@EventListener
	void versionAdded(ModelVersionAdded event) {
		this.executor.execute(() -> {
			try {
				queueAutomatically(event.model(), event.version(), "uploaded");
			}
			catch (RuntimeException ex) {
				log.warn("No explainability report could be queued for {}/{}: {}", event.model(), event.version(),
						ex.getMessage());
			}
		});
	}

	private void queueAutomatically(String model, long version, String why) {
		if (this.properties.jobs().autoQueue()) {
			this.datasets.newest(model)
				.flatMap((dataset) -> this.jobs.queueAutomatically(model, version, dataset.id()))
				.ifPresent((job) -> log.info("Queued explainability report job {} for {}/{} ({})", job.id(), model,
						version, why));
		}
		otherKinds(model, version);
	}

	@EventListener(ApplicationReadyEvent.class)
	void started() {
		this.executor.execute(() -> ShippedDatasets.REFERENCE_MODELS.keySet().stream().sorted().forEach((model) -> {
			try {
				registerShipped(model);
			}
			catch (RuntimeException ex) {
				log.warn("The shipped reference dataset of {} could not be registered: {}", model, ex.getMessage());
			}
		}));
	}

	/**
	 * Registers the shipped dataset of a reference model that has an AVAILABLE version
	 * and never had a dataset, then queues a job for each AVAILABLE version.
	 * @return whether it registered the dataset
	 */
	private boolean registerShipped(String model) {
		String shipped = ShippedDatasets.REFERENCE_MODELS.get(model);
		if (shipped == null || !this.properties.referenceData().registerShipped()) {
			return false;
		}
		List<Long> available = availableVersions(model);
		if (available.isEmpty()) {
			return false;
		}
		Optional<ReferenceDataset> registered = this.transactions.execute((status) -> {
			// one replica registers it: the others wait here, then see it
			this.jdbc.sql("SELECT pg_advisory_xact_lock(hashtext('warden.reference_datasets'), hashtext(:model))")
				.param("model", model)
				.query((rs) -> {
				});
			if (this.datasets.everHad(model)) {
				return Optional.<ReferenceDataset>empty();
			}
			try {
				return Optional.of(this.datasets.importShipped(model, shipped, AuditTrail.SYSTEM_ACTOR, null));
			}
			catch (ApiException ex) {
				status.setRollbackOnly();
				log.warn("The shipped reference dataset {} of {} could not be registered: {}", shipped, model,
						ex.getMessage());
				return Optional.<ReferenceDataset>empty();
			}
		});
		if (registered.isEmpty()) {
			return false;
		}
		for (long version : available) {
			if (this.properties.jobs().autoQueue()) {
				this.jobs.queueAutomatically(model, version, registered.get().id())
					.ifPresent((job) -> log.info("Queued explainability report job {} for {}/{} on {}", job.id(), model,
							version, shipped));
			}
			otherKinds(model, version);
		}
		return true;
	}

	/**
	 * Lets the other kinds of jobs ({@link JobKind}, e.g. fairness checks) queue their
	 * automatic job of the version, after this module's.
	 */
	private void otherKinds(String model, long version) {
		for (JobKind kind : this.kinds) {
			try {
				kind.versionAvailable(model, version);
			}
			catch (RuntimeException ex) {
				log.warn("No automatic {} job could be queued for {}/{}: {}", kind.name(), model, version,
						ex.getMessage());
			}
		}
	}

	private List<Long> availableVersions(String model) {
		return this.jdbc
			.sql("SELECT v.version FROM model_versions v JOIN models m ON m.id = v.model_id "
					+ "WHERE m.name = :model AND v.state = 'AVAILABLE' ORDER BY v.version")
			.param("model", model)
			.query(Long.class)
			.list();
	}

	@Override
	public void destroy() {
		this.executor.shutdownNow();
	}

}
