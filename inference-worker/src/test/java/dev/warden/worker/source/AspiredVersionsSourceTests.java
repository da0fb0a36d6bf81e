package dev.warden.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's desired state replaces the version policy for the models it names, as
 * far as their versions are in the store; the other models keep their policy.
 */
class AspiredVersionsSourceTests {

	@TempDir
	Path store;

	private final PlatformDesiredState platform = new PlatformDesiredState();

	@Test
	void withoutAPlatformEachModelFollowsItsPolicy() throws IOException {
		versions("income", 1, 2, 3);

		AspiredModel income = source().aspiredVersions().get("income");

		assertThat(income.aspired()).containsExactly(3L);
		assertThat(income.byPlatform()).isFalse();
		assertThat(income.missing()).isEmpty();
		assertThat(income.inStore()).containsOnlyKeys(1L, 2L, 3L);
	}

	@Test
	void theVersionsThePlatformNamesReplaceThePolicyOfThatModelOnly() throws IOException {
		versions("income", 1, 2, 3);
		versions("spam", 1, 2);
		platform.offer(state(5, Map.of("income", List.of(1L, 2L))));

		SortedMap<String, AspiredModel> aspired = source().aspiredVersions();

		assertThat(aspired.get("income").aspired()).containsExactly(1L, 2L);
		assertThat(aspired.get("income").byPlatform()).isTrue();
		assertThat(aspired.get("income").origin()).isEqualTo("the platform's desired state");
		// not named: latest(1) as before
		assertThat(aspired.get("spam").aspired()).containsExactly(2L);
		assertThat(aspired.get("spam").byPlatform()).isFalse();
	}

	@Test
	void versionsMissingFromTheStoreAreReportedAndAModelWithNoneLeftFallsBackToItsPolicy() throws IOException {
		versions("income", 1, 2);
		versions("spam", 3);
		platform.offer(state(7, Map.of("income", List.of(1L, 9L), "spam", List.of(8L), "gone", List.of(4L))));

		SortedMap<String, AspiredModel> aspired = source().aspiredVersions();

		assertThat(aspired.get("income").aspired()).containsExactly(1L);
		assertThat(aspired.get("income").missing()).containsExactly(9L);
		// none of spam's named versions exists: the model keeps being served by its
		// policy, and the missing one is reported
		assertThat(aspired.get("spam").aspired()).containsExactly(3L);
		assertThat(aspired.get("spam").byPlatform()).isFalse();
		assertThat(aspired.get("spam").missing()).containsExactly(8L);
		// a model the store lacks entirely is listed so that its missing version is
		// reported
		assertThat(aspired.get("gone").inStore()).isEmpty();
		assertThat(aspired.get("gone").aspired()).isEmpty();
		assertThat(aspired.get("gone").missing()).containsExactly(4L);
	}

	@Test
	void anOlderGenerationNeverReplacesANewerOne() {
		assertThat(platform.offer(state(10, Map.of("income", List.of(1L)))))
			.isEqualTo(PlatformDesiredState.Offer.CHANGED);
		assertThat(platform.offer(state(9, Map.of("income", List.of(2L))))).isEqualTo(PlatformDesiredState.Offer.STALE);
		assertThat(platform.current().orElseThrow().versionsOf("income")).containsExactly(1L);
		assertThat(platform.offer(state(10, Map.of("income", List.of(1L)))))
			.isEqualTo(PlatformDesiredState.Offer.UNCHANGED);
		assertThat(platform.offer(state(11, Map.of("income", List.of(1L)))))
			.isEqualTo(PlatformDesiredState.Offer.UNCHANGED);
		assertThat(platform.offer(state(12, Map.of("income", List.of(2L)))))
			.isEqualTo(PlatformDesiredState.Offer.CHANGED);
		assertThat(platform.generation()).isEqualTo(12L);
	}

	private AspiredVersionsSource source() {
		return new AspiredVersionsSource(new ModelStoreSource(new ModelStoreProperties(store, Duration.ofSeconds(5))),
				LifecycleProperties.defaults(), platform);
	}

	private static DesiredState state(long generation, Map<String, List<Long>> models) {
		SortedMap<String, SortedSet<Long>> sorted = new TreeMap<>();
		models.forEach((name, versions) -> sorted.put(name, new TreeSet<>(versions)));
		return new DesiredState(generation, sorted);
	}

	private void versions(String model, long... versions) throws IOException {
		for (long version : versions) {
			Path dir = Files.createDirectories(store.resolve(model).resolve(Long.toString(version)));
			Files.writeString(dir.resolve("saved_model.pb"), "");
		}
	}

}
