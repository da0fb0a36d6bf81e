package dev.warden.platform.monitoring.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;

/**
 * PSI, Jensen–Shannon distance and the binned KS statistic against values computed by
 * hand from the definitions in the governance notes (PSI = Σ (rᵢ − cᵢ) ln(rᵢ/cᵢ) with a
 * floor of 1e-4, JS distance = √JS divergence in base 2, D = sup |F_r − F_c|).
 */
class DriftStatisticsTests {

	@Test
	void psiOfAHalfHalfAgainstAQuarterThreeQuartersSplit() {
		// (0.5 - 0.25) ln(0.5/0.25) + (0.5 - 0.75) ln(0.5/0.75) = 0.25 ln 2 + 0.25 ln 1.5
		double expected = 0.25 * Math.log(2) + 0.25 * Math.log(1.5);
		assertThat(expected).isCloseTo(0.274653, within(1e-6));
		assertThat(DriftStatistics.psi(new long[] { 50, 50 }, new long[] { 25, 75 })).isCloseTo(expected,
				within(1e-12));
	}

	@Test
	void psiFloorsAnEmptyBinAt1e4() {
		// r = (1, 0 -> 1e-4), c = (0.5, 0.5)
		double expected = (1 - 0.5) * Math.log(1 / 0.5) + (1e-4 - 0.5) * Math.log(1e-4 / 0.5);
		assertThat(expected).isCloseTo(4.604319, within(1e-6));
		assertThat(DriftStatistics.psi(new long[] { 100, 0 }, new long[] { 7, 7 })).isCloseTo(expected, within(1e-12));
	}

	@Test
	void psiIsSymmetricAndZeroForTheSameProportions() {
		long[] a = { 10, 20, 30, 40 };
		long[] b = { 40, 30, 20, 10 };
		assertThat(DriftStatistics.psi(a, b)).isCloseTo(DriftStatistics.psi(b, a), within(1e-12));
		assertThat(DriftStatistics.psi(a, new long[] { 1, 2, 3, 4 })).isCloseTo(0, within(1e-12));
	}

	@Test
	void jensenShannonDistanceIsInBase2() {
		// m = (0.375, 0.625); JSD = 0.5 [0.5 log2(0.5/0.375) + 0.5 log2(0.5/0.625)]
		// + 0.5 [0.25 log2(0.25/0.375) + 0.75 log2(0.75/0.625)] = 0.0487946
		assertThat(DriftStatistics.jensenShannon(new long[] { 50, 50 }, new long[] { 25, 75 })).isCloseTo(0.220895,
				within(1e-6));
	}

	@Test
	void jensenShannonDistanceIsZeroForTheSameAndOneForDisjointDistributions() {
		assertThat(DriftStatistics.jensenShannon(new long[] { 3, 1 }, new long[] { 30, 10 })).isCloseTo(0,
				within(1e-9));
		assertThat(DriftStatistics.jensenShannon(new long[] { 5, 0, 0 }, new long[] { 0, 2, 9 })).isCloseTo(1,
				within(1e-12));
	}

	@Test
	void binnedKolmogorovSmirnovIsTheLargestGapOfTheCumulativeProportions() {
		assertThat(DriftStatistics.kolmogorovSmirnov(new long[] { 50, 50 }, new long[] { 25, 75 })).isEqualTo(0.25);
		// F_r = 0.1, 0.3, 0.6, 1; F_c = 0.4, 0.5, 0.6, 1
		assertThat(DriftStatistics.kolmogorovSmirnov(new long[] { 1, 2, 3, 4 }, new long[] { 4, 1, 1, 4 }))
			.isCloseTo(0.3, within(1e-12));
	}

	@Test
	void theKolmogorovTailMatchesItsTabulatedCriticalValues() {
		// the classical critical values of the Kolmogorov distribution: 1.3581 at 5 %,
		// 1.6276 at 1 %
		assertThat(DriftStatistics.kolmogorovQ(1.3581)).isCloseTo(0.05, within(2e-4));
		assertThat(DriftStatistics.kolmogorovQ(1.6276)).isCloseTo(0.01, within(1e-4));
		assertThat(DriftStatistics.kolmogorovQ(0.1)).isEqualTo(1);
		// n = m = 200: ne = 100, lambda = (10 + 0.12 + 0.011) * D; D = 0.134 gives lambda
		// = 1.3576
		assertThat(DriftStatistics.kolmogorovSmirnovPValue(0.134, 200, 200)).isCloseTo(0.05, within(1e-3));
		assertThat(DriftStatistics.kolmogorovSmirnovPValue(0.5, 0, 10)).isNaN();
	}

	@Test
	void noCountsGiveNoValueAndDifferentBinsAreRefused() {
		assertThat(DriftStatistics.psi(new long[] { 0, 0 }, new long[] { 1, 2 })).isNaN();
		assertThat(DriftStatistics.jensenShannon(new long[] { 1, 2 }, new long[] { 0, 0 })).isNaN();
		assertThat(DriftStatistics.kolmogorovSmirnov(new long[] { 0 }, new long[] { 1 })).isNaN();
		assertThatIllegalArgumentException()
			.isThrownBy(() -> DriftStatistics.psi(new long[] { 1, 2 }, new long[] { 1, 2, 3 }));
	}

}
