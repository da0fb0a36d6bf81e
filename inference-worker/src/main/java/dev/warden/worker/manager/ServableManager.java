package dev.warden.worker.manager;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warden.worker.loader.Loader;
import dev.warden.worker.loader.ServableLoadException;
import dev.warden.worker.source.AspiredModel;
import dev.warden.worker.source.AspiredVersionsSource;
import dev.warden.worker.source.LifecycleProperties;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ServableId;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;

/**
 * TF Serving's manager: reconciles the versions the {@link AspiredVersionsSource} wants
 * with the ones its {@link Loader} has loaded and hands out short-lived,
 * reference-counted {@link ServableHandle}s. It knows nothing of TensorFlow: the worker's
 * manager (see {@link ManagerConfiguration}) loads SavedModels, the unit tests fake
 * servables.
 *
 * <p>
 * Availability-preserving policy: aspired versions are loaded (and warmed up) first; a
 * version that is no longer aspired is unloaded only once its model has an aspired
 * version AVAILABLE (or the model has no aspired version left). So when {@code latest(1)}
 * moves from version 1 to 2, version 1 keeps serving until 2 is AVAILABLE, and if 2 fails
 * to load, 1 keeps serving (and 2 is reported END with its error). An unloaded version
 * goes UNLOADING and is closed when the last request holding it closes its handle.
 *
 * <p>
 * A version that fails to load is not retried by polling; the control call
 * {@link #reload} retries it. Versions that left the store are forgotten once they
 * reached END; versions still in the store that the policy no longer wants stay listed as
 * END.
 *
 * <p>
 * Threading: {@link #reconcile()} is serialized (the poller thread, the control call and
 * the startup call it); loads run on a separate loader executor, so request threads never
 * wait for a load and a load never blocks requests to other versions. After each load a
 * reconcile pass is queued so that old versions are unloaded at once rather than at the
 * next poll. {@link #handle}, the status methods and {@link #ready()} are lock-free and
 * may be called from any number of request threads. At startup the first pass is waited
 * for, so the worker starts with its aspired versions loaded (or failed: a version that
 * fails is reported in its status and logged, and the others are served without it).
 *
 * @param <S> the servable type
 */
public class ServableManager<S> implements InitializingBean, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ServableManager.class);

	static final String LOADED_VERSIONS = "warden.worker.model.versions.loaded";

	static final String LOAD_DURATION = "warden.worker.model.load.duration";

	static final String LOAD_FAILURES = "warden.worker.model.load.failures";

	private final AspiredVersionsSource source;

	private final Loader<S> loader;

	private final ModelStoreProperties store;

	private final LifecycleProperties lifecycle;

	private final MeterRegistry meters;

	private final Map<String, NavigableMap<Long, ManagedVersion<S>>> models = new ConcurrentHashMap<>();

	/** Aspired versions per model as of the last reconcile pass. */
	private final Map<String, SortedSet<Long>> aspired = new ConcurrentHashMap<>();

	/** What the source wanted at the last reconcile pass, by model. */
	private volatile SortedMap<String, AspiredModel> lastAspired = Collections.emptySortedMap();

	/** Labels per model: configured ones, changed by the control endpoint. */
	private final Map<String, Map<String, Long>> labels = new ConcurrentHashMap<>();

	private final Map<ServableId, CompletableFuture<Void>> pendingLoads = new ConcurrentHashMap<>();

	private final Set<String> gauges = ConcurrentHashMap.newKeySet();

	private volatile boolean started;

	private ExecutorService loaderExecutor;

	private ScheduledExecutorService poller;

	public ServableManager(AspiredVersionsSource source, Loader<S> loader, ModelStoreProperties store,
			LifecycleProperties lifecycle, MeterRegistry meters) {
		this.source = source;
		this.loader = loader;
		this.store = store;
		this.lifecycle = lifecycle;
		this.meters = meters;
	}

	@Override
	public void afterPropertiesSet() {
		log.info("Serving models from {} (polled every {}, default version policy {})", source.root(),
				store.pollInterval(), lifecycle.policyOf(""));
		loaderExecutor = Executors.newFixedThreadPool(lifecycle.loaderThreads(), daemon("model-loader-"));
		poller = Executors.newSingleThreadScheduledExecutor(daemon("model-store-poller-"));
		awaitAll(reconcile(false), null);
		reconcile(false);
		started = true;
		logStartup();
		long interval = store.pollInterval().toMillis();
		poller.scheduleWithFixedDelay(this::pollSafely, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public void destroy() throws InterruptedException {
		if (poller != null) {
			poller.shutdownNow();
			poller.awaitTermination(30, TimeUnit.SECONDS);
		}
		if (loaderExecutor != null) {
			loaderExecutor.shutdownNow();
			loaderExecutor.awaitTermination(60, TimeUnit.SECONDS);
		}
		synchronized (this) {
			models.values().forEach(versions -> versions.values().forEach(ManagedVersion::unload));
			models.clear();
			aspired.clear();
		}
	}

	/**
	 * A claim on the version {@code request} names. Close it when the request is done
	 * (try-with-resources).
	 * @throws ServableNotFoundException if the model, version or label is unknown, or the
	 * version it names is not AVAILABLE
	 */
	public ServableHandle<S> handle(ServableRequest request) {
		NavigableMap<Long, ManagedVersion<S>> versions = models.get(request.model());
		if (versions != null) {
			if (request.label() != null) {
				return new ServableHandle<>(acquireLabelled(request, versions));
			}
			if (request.version() == null) {
				for (ManagedVersion<S> candidate : versions.descendingMap().values()) {
					if (candidate.acquire()) {
						return new ServableHandle<>(candidate);
					}
				}
			}
			else {
				ManagedVersion<S> candidate = versions.get(request.version());
				if (candidate != null && candidate.acquire()) {
					return new ServableHandle<>(candidate);
				}
			}
		}
		throw new ServableNotFoundException("Servable not found for request: " + request);
	}

	/**
	 * {@code handle(ServableRequest.of(model, version))}: the given version, or the
	 * latest if it is null.
	 */
	public ServableHandle<S> handle(String model, Long version) {
		return handle(ServableRequest.of(model, version));
	}

	private ManagedVersion<S> acquireLabelled(ServableRequest request, NavigableMap<Long, ManagedVersion<S>> versions) {
		Long version = labels.getOrDefault(request.model(), Map.of()).get(request.label());
		if (version == null) {
			throw new ServableNotFoundException("Unknown label '" + request.label() + "' for model " + request.model());
		}
		ManagedVersion<S> candidate = versions.get(version);
		if (candidate == null || !candidate.acquire()) {
			throw new ServableNotFoundException("Label '" + request.label() + "' of model " + request.model()
					+ " points to version " + version + ", which is not AVAILABLE (state "
					+ (candidate == null ? "not loaded" : candidate.state().name()) + ")");
		}
		return candidate;
	}

	/**
	 * Status of every known version of {@code model}, highest version first.
	 * @throws ServableNotFoundException if the model is unknown
	 */
	public List<VersionStatus> status(String model) {
		NavigableMap<Long, ManagedVersion<S>> versions = models.get(model);
		if (versions == null || versions.isEmpty()) {
			throw new ServableNotFoundException("Could not find any versions of model " + model);
		}
		return versions.descendingMap().values().stream().map(ManagedVersion::status).toList();
	}

	/**
	 * Status of one version.
	 * @throws ServableNotFoundException if the model or version is unknown
	 */
	public VersionStatus status(String model, long version) {
		NavigableMap<Long, ManagedVersion<S>> versions = models.get(model);
		ManagedVersion<S> managed = versions == null ? null : versions.get(version);
		if (managed == null) {
			throw new ServableNotFoundException("Could not find version " + version + " of model " + model);
		}
		return managed.status();
	}

	/**
	 * Status of the version a request names: a version, or what a label points to (which
	 * must be AVAILABLE, as for predictions); for a request for the latest version, the
	 * status of every version.
	 * @throws ServableNotFoundException as {@link #handle(ServableRequest)} and
	 * {@link #status(String)}
	 */
	public List<VersionStatus> status(ServableRequest request) {
		if (request.label() != null) {
			try (ServableHandle<S> handle = handle(request)) {
				return List.of(status(request.model(), handle.version()));
			}
		}
		return request.version() != null ? List.of(status(request.model(), request.version()))
				: status(request.model());
	}

	/**
	 * Every model with the status of its versions (highest first), models sorted by name.
	 */
	public SortedMap<String, List<VersionStatus>> models() {
		SortedMap<String, List<VersionStatus>> all = new TreeMap<>();
		models.forEach((name, versions) -> {
			if (!versions.isEmpty()) {
				all.put(name, versions.descendingMap().values().stream().map(ManagedVersion::status).toList());
			}
		});
		return all;
	}

	/**
	 * The worker's readiness: true once the startup pass is done, i.e. every version the
	 * store aspired at start has been loaded or has failed. A version that failed to
	 * load, or one loading later (an upload, a new version), makes only its own model (or
	 * version) unable to answer; it never makes the worker unready for the models that
	 * did load. Which model can answer is per model: {@link #modelReady(String)}.
	 */
	public boolean ready() {
		return started;
	}

	/**
	 * True when {@code model} has an AVAILABLE version (so an unversioned request is
	 * answered).
	 */
	public boolean modelReady(String model) {
		NavigableMap<Long, ManagedVersion<S>> versions = models.get(model);
		return versions != null
				&& versions.values().stream().anyMatch(version -> version.state() == VersionState.AVAILABLE);
	}

	/**
	 * The aspired versions that are not AVAILABLE (loading, or failed), with their state.
	 */
	public List<VersionStatus> aspiredNotAvailable() {
		List<VersionStatus> missing = new ArrayList<>();
		aspired.forEach((model, versions) -> {
			NavigableMap<Long, ManagedVersion<S>> managed = models.getOrDefault(model, Collections.emptyNavigableMap());
			for (Long version : versions) {
				ManagedVersion<S> candidate = managed.get(version);
				if (candidate == null) {
					missing.add(new VersionStatus(model, version, VersionState.START, null));
				}
				else if (candidate.state() != VersionState.AVAILABLE) {
					missing.add(candidate.status());
				}
			}
		});
		return missing;
	}

	/**
	 * One line on what the startup pass achieved, and one warning per version that failed
	 * to load, so that an operator sees at once which model is missing and why (the
	 * others are served regardless).
	 */
	private void logStartup() {
		List<String> available = new ArrayList<>();
		models().forEach((name, statuses) -> statuses.stream()
			.filter(status -> status.state() == VersionState.AVAILABLE)
			.forEach(status -> available.add(name + "/" + status.version())));
		List<VersionStatus> failed = aspiredNotAvailable().stream().filter(VersionStatus::failed).toList();
		log.info("Startup: {} model version(s) available {}{}", available.size(), available,
				failed.isEmpty() ? "" : "; " + failed.size() + " failed to load (served without them)");
		failed.forEach(status -> log.warn("Model {} version {} failed to load: {}", status.model(), status.version(),
				status.error()));
	}

	/** Labels of {@code model} (label → version), sorted by label. */
	public SortedMap<String, Long> labels(String model) {
		return new TreeMap<>(labels.getOrDefault(model, Map.of()));
	}

	/**
	 * Points {@code label} of {@code model} to {@code version}, which must be AVAILABLE
	 * (as TF Serving requires). Labels set here live in memory until the worker restarts;
	 * configured labels are set again at startup.
	 * @throws ServableNotFoundException if the model or version is unknown
	 * @throws IllegalStateException if the version is known but not AVAILABLE
	 */
	public void setLabel(String model, String label, long version) {
		if (!LifecycleProperties.LABEL.matcher(label).matches()) {
			throw new IllegalArgumentException("invalid label '" + label
					+ "': letters, digits, '.', '_' and '-', not starting with a digit, at most 64 characters");
		}
		VersionStatus status = status(model, version);
		if (status.state() != VersionState.AVAILABLE) {
			throw new IllegalStateException("version " + version + " of model " + model + " is not AVAILABLE (state "
					+ status.state() + "); a label can only point to an available version");
		}
		labels.computeIfAbsent(model, name -> new ConcurrentHashMap<>()).put(label, version);
		log.info("Label {} of model {} now points to version {}", label, model, version);
	}

	/** Removes a label; false if it did not exist. */
	public boolean removeLabel(String model, String label) {
		Map<String, Long> modelLabels = labels.get(model);
		return modelLabels != null && modelLabels.remove(label) != null;
	}

	/**
	 * The explicit control call (after an upload): one reconcile pass that also retries
	 * versions that failed to load, then waits up to {@code timeout} for the loads it
	 * started and unloads what they replace.
	 * @return the status of every version of {@code model}
	 * @throws ServableNotFoundException if the model is neither in the store nor loaded
	 */
	public List<VersionStatus> reload(String model, Duration timeout) {
		awaitAll(reconcile(true), timeout);
		reconcile(false);
		return status(model);
	}

	/**
	 * One reconcile pass: start loading aspired versions, unload what is no longer
	 * aspired.
	 */
	public void reconcile() {
		reconcile(false);
	}

	/**
	 * What the source wanted at the last reconcile pass, by model: the aspired versions,
	 * those in the store, those the platform named that the store lacks.
	 */
	public SortedMap<String, AspiredModel> aspiredModels() {
		return lastAspired;
	}

	private synchronized List<CompletableFuture<Void>> reconcile(boolean retryFailed) {
		SortedMap<String, AspiredModel> wanted = source.aspiredVersions();
		lastAspired = Collections.unmodifiableSortedMap(new TreeMap<>(wanted));
		List<CompletableFuture<Void>> loads = new ArrayList<>();
		for (AspiredModel model : wanted.values()) {
			aspired.put(model.name(), model.aspired());
			labels.computeIfAbsent(model.name(), name -> new ConcurrentHashMap<>(source.configuredLabels(name)));
			registerGauge(model.name());
			NavigableMap<Long, ManagedVersion<S>> versions = models.computeIfAbsent(model.name(),
					name -> new ConcurrentSkipListMap<>());
			for (Long version : model.aspired()) {
				ManagedVersion<S> current = versions.get(version);
				boolean reload = current == null || current.state() == VersionState.UNLOADING
						|| (current.state() == VersionState.END && (!current.failed() || retryFailed));
				if (reload) {
					ManagedVersion<S> managed = new ManagedVersion<>(new ServableId(model.name(), version), loader);
					versions.put(version, managed);
					loads.add(startLoad(managed, model.directory(version)));
				}
				else {
					CompletableFuture<Void> pending = pendingLoads.get(current.id());
					if (pending != null) {
						loads.add(pending);
					}
				}
			}
		}
		aspired.keySet().retainAll(wanted.keySet());
		models.forEach((name, versions) -> unloadUnaspired(name, versions, wanted.get(name)));
		models.values().removeIf(Map::isEmpty);
		return loads;
	}

	private void unloadUnaspired(String name, NavigableMap<Long, ManagedVersion<S>> versions, AspiredModel model) {
		SortedSet<Long> want = model == null ? new TreeSet<>() : model.aspired();
		boolean anyAspiredAvailable = want.stream()
			.map(versions::get)
			.anyMatch(managed -> managed != null && managed.state() == VersionState.AVAILABLE);
		for (ManagedVersion<S> managed : List.copyOf(versions.values())) {
			long version = managed.id().version();
			if (want.contains(version)) {
				continue;
			}
			VersionState state = managed.state();
			if (state == VersionState.AVAILABLE && (want.isEmpty() || anyAspiredAvailable)) {
				log.info("Version {} is no longer aspired ({}): unloading", managed.id(),
						model == null ? "model left the store" : model.origin());
				managed.unload();
			}
			boolean inStore = model != null && model.inStore().containsKey(version);
			if (managed.state() == VersionState.END && !inStore) {
				versions.remove(version, managed);
			}
		}
	}

	private CompletableFuture<Void> startLoad(ManagedVersion<S> managed, Path directory) {
		CompletableFuture<Void> load = CompletableFuture.runAsync(() -> load(managed, directory), loaderExecutor);
		pendingLoads.put(managed.id(), load);
		load.whenComplete((ignored, failure) -> {
			pendingLoads.remove(managed.id(), load);
			requestReconcile();
		});
		return load;
	}

	private void load(ManagedVersion<S> managed, Path directory) {
		if (!managed.loading()) {
			return;
		}
		String model = managed.id().name();
		long started = System.nanoTime();
		try {
			if (log.isDebugEnabled()) {
				loader.estimateResources(managed.id(), directory)
					.ifPresent(bytes -> log.debug("Loading {} (about {} bytes)", managed.id(), bytes));
			}
			S servable = loader.load(managed.id(), directory);
			loadTimer(model, "success").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
			if (!managed.available(servable)) {
				loader.unload(servable);
				log.info("Version {} was unloaded while it loaded: closed", managed.id());
			}
			return;
		}
		catch (ServableLoadException ex) {
			log.warn("Failed to load {}: {}", managed.id(), ex.getMessage());
			managed.failed(withoutStorePath(ex.getMessage()));
		}
		catch (RuntimeException | LinkageError ex) {
			log.warn("Failed to load {}", managed.id(), ex);
			managed.failed(withoutStorePath("failed to load: " + ex));
		}
		loadTimer(model, "failure").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
		Counter.builder(LOAD_FAILURES)
			.description("Model versions that failed to load or to warm up")
			.tag("model", model)
			.register(meters)
			.increment();
	}

	/**
	 * A load error as the status shows it: TensorFlow's messages name files, and the
	 * status reaches tenants (through the gateway), the admin API and the console, so the
	 * model store's location is written {@code <store>} (the worker's log keeps the full
	 * message).
	 */
	private String withoutStorePath(String message) {
		String root = source.root().toString();
		return message == null || root.isEmpty() ? message : message.replace(root, "<store>");
	}

	private Timer loadTimer(String model, String outcome) {
		return Timer.builder(LOAD_DURATION)
			.description("Time to load and warm up a model version")
			.tag("model", model)
			.tag("outcome", outcome)
			.register(meters);
	}

	private void registerGauge(String model) {
		if (gauges.add(model)) {
			Gauge.builder(LOADED_VERSIONS, this, manager -> manager.loadedVersions(model))
				.description("Model versions in memory (AVAILABLE, or UNLOADING while requests finish)")
				.tag("model", model)
				.register(meters);
		}
	}

	int loadedVersions(String model) {
		NavigableMap<Long, ManagedVersion<S>> versions = models.get(model);
		return versions == null ? 0 : (int) versions.values().stream().filter(ManagedVersion::loaded).count();
	}

	private void requestReconcile() {
		ScheduledExecutorService current = poller;
		if (current != null && !current.isShutdown()) {
			try {
				current.execute(this::pollSafely);
			}
			catch (java.util.concurrent.RejectedExecutionException ex) {
				// shutting down
			}
		}
	}

	private void pollSafely() {
		try {
			reconcile(false);
		}
		catch (RuntimeException ex) {
			log.warn("Polling the model store failed", ex);
		}
	}

	private static void awaitAll(List<CompletableFuture<Void>> loads, Duration timeout) {
		CompletableFuture<Void> all = CompletableFuture.allOf(loads.toArray(CompletableFuture[]::new));
		try {
			if (timeout == null) {
				all.get();
			}
			else {
				all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
			}
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (ExecutionException | TimeoutException ex) {
			// the states tell what happened
		}
	}

	private static ThreadFactory daemon(String prefix) {
		AtomicInteger count = new AtomicInteger();
		return runnable -> {
			Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
			thread.setDaemon(true);
			return thread;
		};
	}

}
