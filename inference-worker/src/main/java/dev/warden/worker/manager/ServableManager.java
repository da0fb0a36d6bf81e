package dev.warden.worker.manager;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;

import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.SavedModelLoader;
import dev.warden.worker.loader.ServableLoadException;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ModelStoreSource;
import dev.warden.worker.source.ServableId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

/**
 * Keeps the loaded versions in line with the model store and hands out {@link ServableHandle}s.
 *
 * <p>Version policy: every version in the store is served; an unversioned request gets the highest AVAILABLE
 * version. Availability-preserving: new versions are loaded before versions that left the store are unloaded.
 * A version that fails to load stays in state END with its error until it leaves the store (it is not retried).
 *
 * <p>Threading: {@link #reconcile()} runs once synchronously at startup (so the worker starts with its models
 * loaded) and then on a single background thread every poll interval; {@link #handle} and the status methods are
 * lock-free and may be called from any number of request threads.
 */
@Component
public class ServableManager implements InitializingBean, DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(ServableManager.class);

	private final ModelStoreSource source;

	private final SavedModelLoader loader;

	private final ModelStoreProperties properties;

	private final Map<String, NavigableMap<Long, ManagedVersion>> models = new ConcurrentHashMap<>();

	private ScheduledExecutorService poller;

	public ServableManager(ModelStoreSource source, SavedModelLoader loader, ModelStoreProperties properties) {
		this.source = source;
		this.loader = loader;
		this.properties = properties;
	}

	@Override
	public void afterPropertiesSet() {
		log.info("Serving models from {} (polled every {})", source.root(), properties.pollInterval());
		reconcile();
		poller = Executors.newSingleThreadScheduledExecutor(runnable -> {
			Thread thread = new Thread(runnable, "model-store-poller");
			thread.setDaemon(true);
			return thread;
		});
		long interval = properties.pollInterval().toMillis();
		poller.scheduleWithFixedDelay(this::pollSafely, interval, interval, TimeUnit.MILLISECONDS);
	}

	@Override
	public void destroy() throws InterruptedException {
		if (poller != null) {
			poller.shutdownNow();
			poller.awaitTermination(30, TimeUnit.SECONDS);
		}
		synchronized (this) {
			models.values().forEach(versions -> versions.values().forEach(ManagedVersion::unload));
			models.clear();
		}
	}

	/**
	 * A claim on a version of {@code model}: the given version, or the latest available one if {@code version} is
	 * {@code null}. Close it when the request is done.
	 * @throws ServableNotFoundException if the model or version is unknown or not available
	 */
	public ServableHandle handle(String model, Long version) {
		NavigableMap<Long, ManagedVersion> versions = models.get(model);
		if (versions != null) {
			if (version == null) {
				for (ManagedVersion candidate : versions.descendingMap().values()) {
					if (candidate.acquire()) {
						return new ServableHandle(candidate);
					}
				}
			}
			else {
				ManagedVersion candidate = versions.get(version);
				if (candidate != null && candidate.acquire()) {
					return new ServableHandle(candidate);
				}
			}
		}
		throw new ServableNotFoundException(version == null
				? "Servable not found for request: Latest(" + model + ")"
				: "Servable not found for request: Specific(" + model + ", " + version + ")");
	}

	/**
	 * Status of every known version of {@code model}, highest version first.
	 * @throws ServableNotFoundException if the model is unknown
	 */
	public List<VersionStatus> status(String model) {
		NavigableMap<Long, ManagedVersion> versions = models.get(model);
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
		NavigableMap<Long, ManagedVersion> versions = models.get(model);
		ManagedVersion managed = versions == null ? null : versions.get(version);
		if (managed == null) {
			throw new ServableNotFoundException("Could not find version " + version + " of model " + model);
		}
		return managed.status();
	}

	/** Every model with the status of its versions (highest first), models sorted by name. */
	public SortedMap<String, List<VersionStatus>> models() {
		SortedMap<String, List<VersionStatus>> all = new TreeMap<>();
		models.forEach((name, versions) -> {
			if (!versions.isEmpty()) {
				all.put(name, versions.descendingMap().values().stream().map(ManagedVersion::status).toList());
			}
		});
		return all;
	}

	/** One pass: load versions new in the store, then unload versions that left it. */
	public synchronized void reconcile() {
		SortedMap<ServableId, Path> aspired = source.scan();
		for (var entry : aspired.entrySet()) {
			ServableId id = entry.getKey();
			NavigableMap<Long, ManagedVersion> versions = models.computeIfAbsent(id.name(),
					name -> new ConcurrentSkipListMap<>());
			if (!versions.containsKey(id.version())) {
				ManagedVersion managed = new ManagedVersion(id);
				managed.loading();
				versions.put(id.version(), managed);
				load(managed, entry.getValue());
			}
		}
		List<ServableId> gone = new ArrayList<>();
		models.forEach((name, versions) -> versions.keySet().forEach(version -> {
			ServableId id = new ServableId(name, version);
			if (!aspired.containsKey(id)) {
				gone.add(id);
			}
		}));
		for (ServableId id : gone) {
			ManagedVersion managed = models.get(id.name()).remove(id.version());
			if (managed != null) {
				log.info("Version {} left the model store: unloading", id);
				managed.unload();
			}
		}
		models.values().removeIf(Map::isEmpty);
	}

	private void load(ManagedVersion managed, Path dir) {
		try {
			LoadedServable servable = loader.load(managed.id(), dir);
			managed.available(servable);
		}
		catch (ServableLoadException ex) {
			log.warn("Failed to load {}: {}", managed.id(), ex.getMessage());
			managed.failed(ex.getMessage());
		}
		catch (RuntimeException | LinkageError ex) {
			log.warn("Failed to load {}", managed.id(), ex);
			managed.failed("failed to load: " + ex);
		}
	}

	private void pollSafely() {
		try {
			reconcile();
		}
		catch (RuntimeException ex) {
			log.warn("Polling the model store failed", ex);
		}
	}

}
