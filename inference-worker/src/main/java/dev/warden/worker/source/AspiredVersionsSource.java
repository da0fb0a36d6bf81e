package dev.warden.worker.source;

import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

import org.springframework.stereotype.Component;

/**
 * The source of aspired versions (TF Serving's {@code Source}): the versions in the model
 * store, filtered by each model's version policy.
 *
 * <p>
 * Thread-safe and stateless: each call reads the store afresh. The manager calls it on
 * every poll and on the explicit control call ({@code :reload}); it never loads anything
 * itself.
 */
@Component
public class AspiredVersionsSource {

	private final ModelStoreSource store;

	private final LifecycleProperties properties;

	public AspiredVersionsSource(ModelStoreSource store, LifecycleProperties properties) {
		this.store = store;
		this.properties = properties;
	}

	public Path root() {
		return store.root();
	}

	/** Every model in the store with its aspired versions, by model name. */
	public SortedMap<String, AspiredModel> aspiredVersions() {
		Map<String, SortedMap<Long, Path>> byModel = new TreeMap<>();
		store.scan()
			.forEach((id, dir) -> byModel.computeIfAbsent(id.name(), name -> new TreeMap<>()).put(id.version(), dir));
		SortedMap<String, AspiredModel> aspired = new TreeMap<>();
		byModel.forEach((name, versions) -> {
			VersionPolicy policy = properties.policyOf(name);
			aspired.put(name, new AspiredModel(name, policy, versions, policy.select(versions.keySet())));
		});
		return aspired;
	}

	/** Labels configured for {@code model} (label → version). */
	public Map<String, Long> configuredLabels(String model) {
		return properties.labelsOf(model);
	}

}
