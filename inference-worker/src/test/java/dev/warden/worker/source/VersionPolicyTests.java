package dev.warden.worker.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class VersionPolicyTests {

	private static final List<Long> IN_STORE = List.of(3L, 1L, 7L, 2L);

	@Test
	void latestSelectsTheNHighestVersions() {
		assertThat(VersionPolicy.latest(1).select(IN_STORE)).containsExactly(7L);
		assertThat(VersionPolicy.latest(2).select(IN_STORE)).containsExactly(3L, 7L);
		assertThat(VersionPolicy.latest(10).select(IN_STORE)).containsExactly(1L, 2L, 3L, 7L);
		assertThat(VersionPolicy.latest(1).select(List.of())).isEmpty();
	}

	@Test
	void allSelectsEveryVersion() {
		assertThat(VersionPolicy.all().select(IN_STORE)).containsExactly(1L, 2L, 3L, 7L);
	}

	@Test
	void specificSelectsTheListedVersionsThatAreInTheStore() {
		assertThat(VersionPolicy.specific(List.of(2L, 3L, 9L)).select(IN_STORE)).containsExactly(2L, 3L);
	}

	@Test
	void policiesThatCanSelectNothingAreRejected() {
		assertThatIllegalArgumentException().isThrownBy(() -> VersionPolicy.latest(0));
		assertThatIllegalArgumentException().isThrownBy(() -> VersionPolicy.specific(List.of()));
	}

	@Test
	void modelsWithoutSettingsGetTheDefaultPolicyAndModelSettingsOverrideIt() {
		var income = new LifecycleProperties.ModelSettings(VersionPolicy.Kind.SPECIFIC, null, List.of(1L, 4L),
				Map.of("stable", 1L));
		var spam = new LifecycleProperties.ModelSettings(null, 3, null, null);
		var properties = new LifecycleProperties(VersionPolicy.Kind.LATEST, 2, 1, Duration.ofSeconds(5),
				Map.of("income", income, "spam", spam));

		assertThat(properties.policyOf("other")).isEqualTo(VersionPolicy.latest(2));
		assertThat(properties.policyOf("income")).isEqualTo(VersionPolicy.specific(List.of(1L, 4L)));
		assertThat(properties.policyOf("spam")).isEqualTo(VersionPolicy.latest(3));
		assertThat(properties.labelsOf("income")).containsEntry("stable", 1L);
		assertThat(properties.labelsOf("other")).isEmpty();
	}

	@Test
	void invalidLabelsAndAGlobalSpecificPolicyAreRejectedAtStartup() {
		var badLabel = new LifecycleProperties.ModelSettings(null, null, null, Map.of("1st", 1L));
		assertThatIllegalArgumentException().isThrownBy(() -> new LifecycleProperties(VersionPolicy.Kind.LATEST, 1, 1,
				Duration.ofSeconds(5), Map.of("income", badLabel)));
		assertThatIllegalArgumentException().isThrownBy(
				() -> new LifecycleProperties(VersionPolicy.Kind.SPECIFIC, 1, 1, Duration.ofSeconds(5), Map.of()));
	}

}
