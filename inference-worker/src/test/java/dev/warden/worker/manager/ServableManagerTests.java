package dev.warden.worker.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.warden.worker.manager.FakeLoader.FakeServable;
import dev.warden.worker.source.AspiredVersionsSource;
import dev.warden.worker.source.LifecycleProperties;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ModelStoreSource;
import dev.warden.worker.source.ServableId;
import dev.warden.worker.source.VersionPolicy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * The manager's version transitions with a {@link FakeLoader} (fake servables, no
 * TensorFlow) and the real model store source over a temporary store whose versions are
 * empty placeholders. Polling is off; a test that watches a load in progress holds it at
 * a gate, so nothing depends on timing. The same manager with real SavedModels:
 * {@link ServableManagerIntegrationTests}.
 */
class ServableManagerTests {

	private static final Duration RELOAD_TIMEOUT = Duration.ofMinutes(1);

	@TempDir
	Path store;

	private final FakeLoader loader = new FakeLoader();

	private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

	private ServableManager<FakeServable> manager;

	@AfterEach
	void stop() throws InterruptedException {
		if (manager != null) {
			manager.destroy();
		}
	}

	@Test
	void aspiredVersionsAreLoadedAtStartAndServed() throws IOException {
		addVersion("income", 1);

		start(LifecycleProperties.defaults());

		assertThat(loader.loads()).containsExactly(id("income", 1));
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.AVAILABLE);
		assertThat(servedVersion("income")).isEqualTo(1);
		assertThat(manager.ready()).isTrue();
		assertThat(manager.modelReady("income")).isTrue();
		assertThat(manager.aspiredNotAvailable()).isEmpty();
	}

	@Test
	void anAspiredVersionWaitsInStartThenLoadsThenIsAvailable() throws Exception {
		FakeLoader.Gate gate = serveOneWhileTwoLoads();
		// one loader thread: while income/2 is held, spam/1 waits for its turn
		addVersion("spam", 1);

		manager.reconcile();

		assertThat(manager.status("income", 2).state()).isEqualTo(VersionState.LOADING);
		assertThat(manager.status("spam", 1).state()).isEqualTo(VersionState.START);
		assertThat(manager.aspiredNotAvailable()).extracting(VersionStatus::model, VersionStatus::state)
			.containsExactlyInAnyOrder(tuple("income", VersionState.LOADING), tuple("spam", VersionState.START));
		assertThat(manager.modelReady("spam")).isFalse();
		gate.open();
		manager.reload("spam", RELOAD_TIMEOUT);
		manager.reload("income", RELOAD_TIMEOUT);

		assertThat(manager.status("income", 2).state()).isEqualTo(VersionState.AVAILABLE);
		assertThat(manager.status("spam", 1).state()).isEqualTo(VersionState.AVAILABLE);
		assertThat(manager.aspiredNotAvailable()).isEmpty();
	}

	@Test
	void theOldVersionKeepsServingUntilTheNewOneIsAvailable() throws Exception {
		FakeLoader.Gate gate = serveOneWhileTwoLoads();

		manager.reconcile();

		assertThat(manager.status("income", 2).state()).isEqualTo(VersionState.LOADING);
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.AVAILABLE);
		assertThat(servedVersion("income")).isEqualTo(1);
		assertThat(loader.unloads()).isEmpty();
		gate.open();
		List<VersionStatus> statuses = manager.reload("income", RELOAD_TIMEOUT);

		assertThat(statuses).extracting(VersionStatus::version, VersionStatus::state)
			.containsExactly(tuple(2L, VersionState.AVAILABLE), tuple(1L, VersionState.END));
		assertThat(servedVersion("income")).isEqualTo(2);
		assertThat(loader.unloads()).containsExactly(id("income", 1));
	}

	@Test
	void aFailedLoadIsReportedAndTheVersionItWouldReplaceKeepsServing() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());
		loader.fail(id("income", 2));
		addVersion("income", 2);

		VersionStatus failed = manager.reload("income", RELOAD_TIMEOUT).get(0);

		assertThat(failed.version()).isEqualTo(2);
		assertThat(failed.state()).isEqualTo(VersionState.END);
		assertThat(failed.error()).startsWith("cannot load income/2: <store>").doesNotContain(store.toString());
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.AVAILABLE);
		assertThat(servedVersion("income")).isEqualTo(1);
		assertThat(loader.unloads()).isEmpty();
		assertThat(meters.counter(ServableManager.LOAD_FAILURES, "model", "income").count()).isEqualTo(1.0);

		// a polling pass does not retry it; the control call does, and then the swap
		// completes
		manager.reconcile();
		assertThat(manager.status("income", 2).failed()).isTrue();
		loader.heal(id("income", 2));
		manager.reload("income", RELOAD_TIMEOUT);

		assertThat(manager.status("income", 2).state()).isEqualTo(VersionState.AVAILABLE);
		assertThat(manager.status("income", 2).failed()).isFalse();
		assertThat(loader.unloads()).containsExactly(id("income", 1));
	}

	@Test
	void aModelThatFailsToLoadNeverTakesTheOthersDown() throws IOException {
		addVersion("income", 1);
		addVersion("broken", 1);
		loader.fail(id("broken", 1));

		start(LifecycleProperties.defaults());

		assertThat(manager.ready()).isTrue();
		assertThat(manager.modelReady("income")).isTrue();
		assertThat(manager.modelReady("broken")).isFalse();
		assertThat(servedVersion("income")).isEqualTo(1);
		assertThat(manager.aspiredNotAvailable()).singleElement().satisfies(status -> {
			assertThat(status.model()).isEqualTo("broken");
			assertThat(status.state()).isEqualTo(VersionState.END);
			assertThat(status.failed()).isTrue();
		});
		assertThatThrownBy(() -> manager.handle(ServableRequest.latest("broken")))
			.isInstanceOf(ServableNotFoundException.class);
	}

	@Test
	void aVersionStillHeldByARequestIsUnloadedWhenItsHandleCloses() throws IOException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());
		ServableHandle<FakeServable> inFlight = manager.handle(ServableRequest.latest("income"));
		addVersion("income", 2);

		manager.reload("income", RELOAD_TIMEOUT);

		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.UNLOADING);
		assertThat(servedVersion("income")).isEqualTo(2);
		assertThat(inFlight.servable().unloaded()).isFalse();
		assertThat(loader.unloads()).isEmpty();
		FakeServable held = inFlight.servable();
		inFlight.close();
		assertThat(manager.status("income", 1).state()).isEqualTo(VersionState.END);
		assertThat(held.unloaded()).isTrue();
		assertThat(loader.unloads()).containsExactly(id("income", 1));
	}

	@Test
	void versionsThatAreNoLongerAspiredAreUnloaded() throws IOException {
		addVersion("income", 1);
		addVersion("income", 2);
		start(new LifecycleProperties(VersionPolicy.Kind.LATEST, 1, 1, RELOAD_TIMEOUT, Map.of("income",
				new LifecycleProperties.ModelSettings(VersionPolicy.Kind.ALL, null, List.of(), Map.of()))));
		assertThat(loader.loads()).containsExactlyInAnyOrder(id("income", 1), id("income", 2));

		FileSystemUtils.deleteRecursively(store.resolve("income").resolve("1"));
		manager.reconcile();

		assertThat(loader.unloads()).containsExactly(id("income", 1));
		assertThat(manager.status("income")).extracting(VersionStatus::version).containsExactly(2L);
		FileSystemUtils.deleteRecursively(store.resolve("income"));
		manager.reconcile();

		assertThat(loader.unloads()).containsExactly(id("income", 1), id("income", 2));
		assertThat(manager.models()).doesNotContainKey("income");
	}

	@Test
	void theLoadersCaveatsAreShownInTheVersionsStatus() throws IOException {
		addVersion("income", 1);
		loader.warn(id("income", 1), "signature 'legacy' cannot be served: no such tensor");

		start(LifecycleProperties.defaults());

		assertThat(manager.status("income", 1).warnings())
			.containsExactly("signature 'legacy' cannot be served: no such tensor");
	}

	private void start(LifecycleProperties lifecycle) {
		ModelStoreProperties storeProperties = new ModelStoreProperties(store, Duration.ofHours(1));
		manager = new ServableManager<>(new AspiredVersionsSource(new ModelStoreSource(storeProperties), lifecycle),
				loader, storeProperties, lifecycle, meters);
		manager.afterPropertiesSet();
	}

	/**
	 * Starts serving income/1, then adds income/2 and holds its load at the returned
	 * gate: it is LOADING until the test opens the gate.
	 */
	private FakeLoader.Gate serveOneWhileTwoLoads() throws IOException, InterruptedException {
		addVersion("income", 1);
		start(LifecycleProperties.defaults());
		FakeLoader.Gate gate = loader.hold(id("income", 2));
		addVersion("income", 2);
		manager.reconcile();
		gate.awaitEntered();
		return gate;
	}

	/** The version an unversioned request gets, checked against the servable it holds. */
	private long servedVersion(String model) {
		try (ServableHandle<FakeServable> handle = manager.handle(ServableRequest.latest(model))) {
			assertThat(handle.servable().id()).isEqualTo(id(model, handle.version()));
			assertThat(handle.servable().unloaded()).isFalse();
			return handle.version();
		}
	}

	/**
	 * A placeholder version (only the {@code saved_model.pb} the store scanner looks
	 * for), moved into place in one rename.
	 */
	private void addVersion(String model, long version) throws IOException {
		Path staging = Files.createDirectories(store.resolve(model).resolve(".staging-" + version));
		Files.writeString(staging.resolve("saved_model.pb"), "placeholder");
		Files.move(staging, store.resolve(model).resolve(Long.toString(version)), StandardCopyOption.ATOMIC_MOVE);
	}

	private static ServableId id(String model, long version) {
		return new ServableId(model, version);
	}

}
