package dev.warden.platform.fairness.internal;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

class WilsonIntervalTests {

	private static final double Z95 = 1.959963984540054;

	@Test
	void zIsComputedFromTheConfidenceLevel() {
		assertThat(WilsonInterval.z(0.95)).isCloseTo(Z95, within(1e-12));
		assertThat(WilsonInterval.z(0.99)).isCloseTo(2.5758293035489004, within(1e-12));
		assertThat(WilsonInterval.z(0.90)).isCloseTo(1.6448536269514722, within(1e-12));
		assertThat(WilsonInterval.z(0.5)).isCloseTo(0.6744897501960817, within(1e-12));
		assertThatIllegalArgumentException().isThrownBy(() -> WilsonInterval.z(1.0));
		assertThatIllegalArgumentException().isThrownBy(() -> WilsonInterval.z(0));
		assertThatIllegalArgumentException().isThrownBy(() -> WilsonInterval.z(Double.NaN));
	}

	@Test
	void knownValues() {
		WilsonInterval none = WilsonInterval.of(0, 10, Z95);
		assertThat(none.low()).isZero();
		assertThat(none.high()).isCloseTo(0.2775327998628892, within(1e-12));
		WilsonInterval half = WilsonInterval.of(5, 10, Z95);
		assertThat(half.low()).isCloseTo(0.236593090512564, within(1e-12));
		assertThat(half.high()).isCloseTo(0.7634069094874361, within(1e-12));
		WilsonInterval all = WilsonInterval.of(10, 10, Z95);
		assertThat(all.low()).isCloseTo(0.7224672001371107, within(1e-12));
		assertThat(all.high()).isEqualTo(1.0);
		WilsonInterval three = WilsonInterval.of(3, 7, Z95);
		assertThat(three.low()).isCloseTo(0.15821985525146975, within(1e-12));
		assertThat(three.high()).isCloseTo(0.7495416354723428, within(1e-12));
	}

	@Test
	void aWiderLevelGivesAWiderInterval() {
		WilsonInterval ninety = WilsonInterval.of(30, 100, WilsonInterval.z(0.90));
		WilsonInterval ninetyNine = WilsonInterval.of(30, 100, WilsonInterval.z(0.99));
		assertThat(ninetyNine.low()).isLessThan(ninety.low());
		assertThat(ninetyNine.high()).isGreaterThan(ninety.high());
	}

	@Test
	void refusesImpossibleCounts() {
		assertThatIllegalArgumentException().isThrownBy(() -> WilsonInterval.of(0, 0, Z95));
		assertThatIllegalArgumentException().isThrownBy(() -> WilsonInterval.of(11, 10, Z95));
	}

	@Test
	void coversTheTrueRateAboutAsOftenAsItsLevelSays() {
		SplittableRandom random = new SplittableRandom(20240611L);
		double rate = 0.3;
		int n = 40;
		int samples = 4000;
		int covered = 0;
		for (int s = 0; s < samples; s++) {
			int k = 0;
			for (int i = 0; i < n; i++) {
				if (random.nextDouble() < rate) {
					k++;
				}
			}
			WilsonInterval interval = WilsonInterval.of(k, n, Z95);
			if (interval.low() <= rate && rate <= interval.high()) {
				covered++;
			}
		}
		assertThat(covered / (double) samples).isBetween(0.92, 0.975);
	}

}
