package dev.warden.worker.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.loader.DeclaredShapeModels;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.LoaderProperties;
import dev.warden.worker.loader.SavedModelLoader;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.source.AspiredVersionsSource;
import dev.warden.worker.source.DesiredState;
import dev.warden.worker.source.LifecycleProperties;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ModelStoreSource;
import dev.warden.worker.source.PlatformDesiredState;
import dev.warden.worker.source.VersionPolicy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The manager with the real loader and real (small, trained) SavedModels in a temporary
 * store.
 */
class ServableManagerIntegrationTests {

	@TempDir
	Path store;

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private ServableManager<LoadedServable> manager;

	private final PlatformDesiredState platform = new PlatformDesiredState();

	@AfterEach
	void stop() throws InterruptedException {
		if (manager != null) {
			manager.destroy();
		}
	}

	@Test
	void latestPolicyServesTheNewestVersionAndEndsTheOneItReplaces() throws IOException {
		addVersion("income", 1);
		addVersion("income", 2);
		start(LifecycleProperties.defaults());

		assertThat(states("income")).containsExactly(Map.entry(2L, VersionState.AVAILABLE));
		addVersion("income", 3);
		List<VersionStatus> statuses = manager.reload("income", Duration.ofMinutes(1));

		assertThat(statuses).extracting(VersionStatus::version, VersionStatus::state)
			.containsExactly(org.assertj.core.groups.Tuple.tuple(3L, VersionState.AVAILABLE),
					org.assertj.core.groups.Tuple.tuple(2L, VersionState.END));
		try (ServableHandle<LoadedServable> handle = manager.handle(ServableRequest.latest("income"))) {
			assertThat(handle.version()).isEqualTo(3);
		}
		assertThatThrownBy(() -> manager.handle(ServableRequest.version("income", 2)))
			.isInstanceOf(ServableNotFoundException.class);
		assertThat(manager.aspiredNotAvailable()).isEmpty();
	}

	/**
	 * The failure found in use: the routing says version 1, the worker's policy (latest
	 * 1) loads version 2. Once the platform's desired state names version 1, the manager
	 * loads it and unloads version 2 only when version 1 is AVAILABLE; the other model
	 * keeps its policy.
	 */
	@Test
	void thePlatformsDesiredStateDecidesWhichVersionsOfTheModelsItNamesAreLoaded() throws IOException {
		addVersion("income", 1);
		addVersion("income", 2);
		addVersion("census", 1);
		addVersion("census", 2);
		start(LifecycleProperties.defaults());
		assertThat(states("income")).containsExactly(Map.entry(2L, VersionState.AVAILABLE));

		platform.offer(desired(3, "income", 1L));
		manager.reload("income", Duration.ofMinutes(1));

		assertThat(states("income")).containsExactly(Map.entry(2L, VersionState.END),
				Map.entry(1L, VersionState.AVAILABLE));
		try (ServableHandle handle = manager.handle(ServableRequest.latest("income"))) {
			assertThat(handle.version()).isEqualTo(1);
		}
		assertThat(states("census")).containsExactly(Map.entry(2L, VersionState.AVAILABLE));
		assertThat(manager.aspiredModels().get("income").byPlatform()).isTrue();
		assertThat(manager.aspiredModels().get("census").byPlatform()).isFalse();
		assertThat(manager.aspiredNotAvailable()).isEmpty();
		assertThat(manager.loadedVersions("income")).isEqualTo(1);

		// a canary: both versions aspired, both loaded
		platform.offer(desired(4, "income", 1L, 2L));
		manager.reload("income", Duration.ofMinutes(1));
		assertThat(states("income")).containsExactly(Map.entry(2L, VersionState.AVAILABLE),
				Map.entry(1L, VersionState.AVAILABLE));
	}

	@Test
	void allAndSpecificPoliciesServeTheirVersions() throws IOException {
		for (long version : List.of(1L, 2L, 3L)) {
			addVersion("income", version);
			addVersion("census", version);
		}
		start(properties(Map.of("income", settings(VersionPolicy.Kind.ALL, null, Map.of()), "census",
				settings(VersionPolicy.Kind.SPECIFIC, List.of(1L, 3L, 9L), Map.of()))));

		assertThat(states("income")).containsOnlyKeys(1L, 2L, 3L).containsValues(VersionState.AVAILABLE);
		assertThat(states("census")).containsOnlyKeys(1L, 3L).containsValues(VersionState.AVAILABLE);
		try (ServableHandle<LoadedServable> handle = manager.handle("census", null)) {
			assertThat(handle.version()).isEqualTo(3);
		}
	}

	@Test
	void versionThatFailsToLoadIsEndWithItsErrorAndThePreviousVersionKeepsServing() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());
		Path broken = Files.createDirectories(store.resolve("income").resolve("2"));
		Files.writeString(broken.resolve("saved_model.pb"), "not a protobuf");

		manager.reload("income", Duration.ofMinutes(1));

		VersionStatus failed = manager.status("income", 2);
		assertThat(failed.state()).isEqualTo(VersionState.END);
		assertThat(failed.error()).contains("income/2");
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.AVAILABLE);
		try (ServableHandle<LoadedServable> handle = manager.handle(ServableRequest.latest("income"))) {
			assertThat(handle.version()).isEqualTo(1);
		}
		// only the model's version 2 is missing: the worker stays ready and the model
		// answers with version 1
		assertThat(manager.ready()).isTrue();
		assertThat(manager.modelReady("income")).isTrue();
		assertThat(manager.aspiredNotAvailable()).extracting(VersionStatus::version).containsExactly(2L);
		// a poll queued after the first load may have tried version 2 before the control
		// call retried it
		assertThat(meters.counter(ServableManager.LOAD_FAILURES, "model", "income").count()).isBetween(1.0, 2.0);
	}

	/**
	 * Finding 10: a version in the store whose signature declares an absurd input is
	 * refused at start-up, before its warm-up allocates anything, with a reason naming
	 * the input; the other models load as usual.
	 */
	@Test
	void versionDeclaringAnAbsurdlyWideInputFailsAloneAtStartUp() throws IOException {
		addVersion("income", 1);
		DeclaredShapeModels.export(store.resolve("wide").resolve("1"), "pixels", 20_000_000);

		start(LifecycleProperties.defaults());

		VersionStatus wide = manager.status("wide", 1);
		assertThat(wide.state()).isEqualTo(VersionState.END);
		assertThat(wide.error()).contains("wide/1", "input 'pixels'", "shape [-1, 20000000]",
				"warden.worker.tensorflow.max-input-elements");
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.AVAILABLE);
		try (ServableHandle<LoadedServable> handle = manager.handle(ServableRequest.latest("income"))) {
			assertThat(handle.servable().run("serving_default", oneRow(handle.servable()))).containsKey("probability");
		}
		assertThat(manager.aspiredNotAvailable()).extracting(VersionStatus::model, VersionStatus::version)
			.containsExactly(org.assertj.core.groups.Tuple.tuple("wide", 1L));
	}

	@Test
	void labelsResolveToAvailableVersionsOnly() throws IOException {
		addVersion("income", 1);
		addVersion("income", 2);
		start(properties(Map.of("income",
				settings(VersionPolicy.Kind.ALL, null, Map.of("stable", 1L, "canary", 2L, "next", 5L)))));

		try (ServableHandle<LoadedServable> stable = manager.handle(ServableRequest.label("income", "stable"));
				ServableHandle<LoadedServable> canary = manager.handle(ServableRequest.label("income", "canary"))) {
			assertThat(stable.version()).isEqualTo(1);
			assertThat(canary.version()).isEqualTo(2);
		}
		assertThatThrownBy(() -> manager.handle(ServableRequest.label("income", "beta")))
			.isInstanceOf(ServableNotFoundException.class)
			.hasMessage("Unknown label 'beta' for model income");
		assertThatThrownBy(() -> manager.handle(ServableRequest.label("income", "next")))
			.isInstanceOf(ServableNotFoundException.class)
			.hasMessageContaining("points to version 5, which is not AVAILABLE");

		manager.setLabel("income", "stable", 2);
		try (ServableHandle<LoadedServable> stable = manager.handle(ServableRequest.label("income", "stable"))) {
			assertThat(stable.version()).isEqualTo(2);
		}
		assertThatThrownBy(() -> manager.setLabel("income", "next", 5)).isInstanceOf(ServableNotFoundException.class);
		assertThat(manager.removeLabel("income", "next")).isTrue();
		assertThat(manager.labels("income")).containsExactly(Map.entry("canary", 2L), Map.entry("stable", 2L));
	}

	@Test
	void labelCannotPointToAVersionThatIsNotAvailable() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());
		addVersion("income", 2);
		manager.reload("income", Duration.ofMinutes(1));

		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.END);
		assertThatIllegalStateException().isThrownBy(() -> manager.setLabel("income", "old", 1))
			.withMessageContaining("not AVAILABLE");
	}

	@Test
	void unloadedVersionHeldByARequestIsClosedOnlyWhenTheRequestReleasesIt() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());
		ServableHandle<LoadedServable> inFlight = manager.handle(ServableRequest.latest("income"));

		addVersion("income", 2);
		manager.reload("income", Duration.ofMinutes(1));

		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.UNLOADING);
		assertThat(inFlight.servable().run("serving_default", oneRow(inFlight.servable()))).containsKey("probability");
		assertThat(manager.loadedVersions("income")).isEqualTo(2);
		inFlight.close();
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.END);
		assertThat(manager.loadedVersions("income")).isEqualTo(1);
	}

	@Test
	void versionsThatLeaveTheStoreAreForgottenOnceUnloaded() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());

		FileSystemUtils.deleteRecursively(store.resolve("income"));
		manager.reconcile();

		assertThat(manager.models()).doesNotContainKey("income");
		assertThat(manager.aspiredNotAvailable()).isEmpty();
	}

	@Test
	void loadsAreMeasuredAndLoadedVersionsCounted() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());

		assertThat(meters.timer(ServableManager.LOAD_DURATION, "model", "income", "outcome", "success").count())
			.isEqualTo(1);
		assertThat(meters.get(ServableManager.LOADED_VERSIONS).tag("model", "income").gauge().value()).isEqualTo(1);
		assertThat(manager.aspiredNotAvailable()).isEmpty();
	}

	private void start(LifecycleProperties lifecycle) {
		ModelStoreProperties storeProperties = new ModelStoreProperties(store, Duration.ofHours(1));
		manager = new ServableManager<>(
				new AspiredVersionsSource(new ModelStoreSource(storeProperties), lifecycle, platform),
				new SavedModelLoader(new LoaderProperties(-1, 1, 1_048_576)), storeProperties, lifecycle, meters);
		manager.afterPropertiesSet();
	}

	private static DesiredState desired(long generation, String model, Long... versions) {
		return new DesiredState(generation, new TreeMap<>(Map.of(model, new TreeSet<>(List.of(versions)))));
	}

	private static LifecycleProperties properties(Map<String, LifecycleProperties.ModelSettings> models) {
		return new LifecycleProperties(VersionPolicy.Kind.LATEST, 1, 1, Duration.ofMinutes(1), models);
	}

	private static LifecycleProperties.ModelSettings settings(VersionPolicy.Kind kind, List<Long> versions,
			Map<String, Long> labels) {
		return new LifecycleProperties.ModelSettings(kind, null, versions, labels);
	}

	private Map<Long, VersionState> states(String model) {
		Map<Long, VersionState> states = new LinkedHashMap<>();
		manager.status(model).forEach(status -> states.put(status.version(), status.state()));
		return states;
	}

	/**
	 * Copies the trained version in, through a staging directory and a rename, as the
	 * trainer does.
	 */
	private void addVersion(String model, long version) {
		TrainedModels.copyInto(TrainedModels.income(), store, model, version);
	}

	/** One row of zeros and empty strings for every input of serving_default. */
	static Map<String, InputColumn> oneRow(LoadedServable servable) {
		SignatureSpec signature = servable.signatures().get("serving_default");
		Map<String, InputColumn> inputs = new LinkedHashMap<>();
		for (TensorSpec input : signature.inputs().values()) {
			Object values = input.elementKind() == TensorSpec.ElementKind.STRING ? new String[] { "" } : new float[1];
			inputs.put(input.name(), new InputColumn(input, new long[] { 1 }, values));
		}
		return inputs;
	}

}
