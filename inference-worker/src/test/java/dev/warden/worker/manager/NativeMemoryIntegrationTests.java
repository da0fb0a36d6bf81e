package dev.warden.worker.manager;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.LoaderProperties;
import dev.warden.worker.loader.SavedModelLoader;
import dev.warden.worker.source.AspiredVersionsSource;
import dev.warden.worker.source.LifecycleProperties;
import dev.warden.worker.source.ModelStoreProperties;
import dev.warden.worker.source.ModelStoreSource;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * Loads and unloads 50 versions in a row through the manager (policy latest 1: each new
 * version replaces the previous one, which is closed) with a prediction on each, and
 * compares the process's resident memory before and after. The bound was measured (see
 * docs/worker.md, "Native memory"); it catches a bundle that is never closed (each leaks
 * several MB of native memory), not small allocator noise.
 */
class NativeMemoryIntegrationTests {

	static final int CYCLES = 50;

	static final long BOUND_MB = 150;

	static final int WARM_UP = 10;

	@Test
	void loadingAndUnloadingFiftyVersionsKeepsResidentMemoryWithinTheMeasuredBound(@TempDir Path store)
			throws Exception {
		Path trained = TrainedModels.income();
		ModelStoreProperties storeProperties = new ModelStoreProperties(store, Duration.ofHours(1));
		LifecycleProperties lifecycle = LifecycleProperties.defaults();
		ServableManager<LoadedServable> manager = new ServableManager<>(
				new AspiredVersionsSource(new ModelStoreSource(storeProperties), lifecycle),
				new SavedModelLoader(new LoaderProperties(-1, 1, 1_048_576)), storeProperties, lifecycle,
				new SimpleMeterRegistry());
		TrainedModels.copyInto(trained, store, "income", 1);
		manager.afterPropertiesSet();
		try {
			// a few cycles first, so that one-off allocations of the runtime are not
			// counted as growth
			for (long v = 2; v <= WARM_UP + 1; v++) {
				cycle(manager, trained, store, v);
			}
			System.gc();
			long before = residentMemoryKb();
			long peak = before;
			for (long v = WARM_UP + 2; v < WARM_UP + 2 + CYCLES; v++) {
				cycle(manager, trained, store, v);
				peak = Math.max(peak, residentMemoryKb());
			}
			System.gc();
			long after = residentMemoryKb();
			long growthMb = (after - before) / 1024;
			System.out.printf(
					"native memory: %d load/unload cycles, VmRSS before %d MB, after %d MB, peak %d MB, "
							+ "growth %d MB (bound %d MB)%n",
					CYCLES, before / 1024, after / 1024, peak / 1024, growthMb, BOUND_MB);
			assertThat(manager.loadedVersions("income")).isEqualTo(1);
			assertThat(growthMb).isLessThan(BOUND_MB);
		}
		finally {
			manager.destroy();
		}
	}

	/**
	 * Adds version {@code v}, lets the manager swap to it, predicts once, removes version
	 * {@code v - 1}.
	 */
	private static void cycle(ServableManager<LoadedServable> manager, Path trained, Path store, long v)
			throws IOException {
		TrainedModels.copyInto(trained, store, "income", v);
		manager.reload("income", Duration.ofMinutes(1));
		assertThat(manager.status("income", v - 1).state()).isEqualTo(VersionState.END);
		try (ServableHandle<LoadedServable> handle = manager.handle(ServableRequest.latest("income"))) {
			assertThat(handle.version()).isEqualTo(v);
			handle.servable().run("serving_default", ServableManagerIntegrationTests.oneRow(handle.servable()));
		}
		FileSystemUtils.deleteRecursively(version(store, v - 1));
		manager.reconcile();
	}

	private static Path version(Path store, long v) {
		return store.resolve("income").resolve(Long.toString(v));
	}

	/** VmRSS of this process in kB, from /proc/self/status (Linux). */
	static long residentMemoryKb() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmRSS:")) {
				return Long.parseLong(line.replaceAll("[^0-9]", ""));
			}
		}
		throw new IllegalStateException("no VmRSS in /proc/self/status");
	}

}
