package dev.warden.worker.source;

import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The source of aspired versions (TF Serving's {@code Source}): the versions in the model
 * store, filtered by each model's version policy, unless the platform's desired state
 * ({@link PlatformDesiredState}) names the model: then its versions are the aspired ones,
 * as far as they are in the store. A model the platform names none of whose versions is
 * in the store falls back to its policy (so that the model keeps being served), and the
 * missing versions are reported.
 *
 * <p>
 * Thread-safe and stateless: each call reads the store afresh. The manager calls it on
 * every poll, on the explicit control call ({@code :reload}) and when the desired state
 * changes; it never loads anything itself.
 */
@Component
public class AspiredVersionsSource {

	private final ModelStoreSource store;

	private final LifecycleProperties properties;

	private final PlatformDesiredState platform;

	@Autowired
	public AspiredVersionsSource(ModelStoreSource store, LifecycleProperties properties,
			PlatformDesiredState platform) {
		this.store = store;
		this.properties = properties;
		this.platform = platform;
	}

	/** A source driven by the store and the policies only (no platform). */
	public AspiredVersionsSource(ModelStoreSource store, LifecycleProperties properties) {
		this(store, properties, new PlatformDesiredState());
	}

	public Path root() {
		return store.root();
	}

	/**
	 * Every model in the store (and every model the platform names, even if the store has
	 * none of its versions) with its aspired versions, by model name.
	 */
	public SortedMap<String, AspiredModel> aspiredVersions() {
		Map<String, SortedMap<Long, Path>> byModel = new TreeMap<>();
		store.scan()
			.forEach((id, dir) -> byModel.computeIfAbsent(id.name(), name -> new TreeMap<>()).put(id.version(), dir));
		DesiredState desired = platform.current().orElse(null);
		if (desired != null) {
			desired.models().forEach((name, versions) -> {
				if (!versions.isEmpty()) {
					byModel.computeIfAbsent(name, n -> new TreeMap<>());
				}
			});
		}
		SortedMap<String, AspiredModel> aspired = new TreeMap<>();
		byModel.forEach((name, versions) -> {
			VersionPolicy policy = properties.policyOf(name);
			SortedSet<Long> named = (desired != null) ? desired.versionsOf(name) : null;
			if (named == null || named.isEmpty()) {
				aspired.put(name, new AspiredModel(name, policy, versions, policy.select(versions.keySet())));
				return;
			}
			SortedSet<Long> present = new TreeSet<>(named);
			present.retainAll(versions.keySet());
			SortedSet<Long> missing = new TreeSet<>(named);
			missing.removeAll(present);
			boolean byPlatform = !present.isEmpty();
			aspired.put(name, new AspiredModel(name, policy, versions,
					byPlatform ? present : policy.select(versions.keySet()), missing, byPlatform));
		});
		return aspired;
	}

	/** Labels configured for {@code model} (label → version). */
	public Map<String, Long> configuredLabels(String model) {
		return properties.labelsOf(model);
	}

}
