package dev.warden.platform.explainability.internal;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class StatisticsTests {

	@Test
	void poissonBootstrapIntervalsDependOnTheSeedAndCoverTheMean() {
		PoissonBootstrap a = new PoissonBootstrap(500, 1, 1);
		PoissonBootstrap b = new PoissonBootstrap(500, 1, 1);
		PoissonBootstrap c = new PoissonBootstrap(500, 1, 2);
		double sum = 0;
		for (int i = 0; i < 400; i++) {
			double value = (i * 37 % 100) / 10.0;
			sum += value;
			a.add(new double[] { value });
			b.add(new double[] { value });
			c.add(new double[] { value });
		}
		double mean = sum / 400;

		assertThat(a.interval(0, 0.95)).containsExactly(b.interval(0, 0.95));
		assertThat(a.interval(0, 0.95)).isNotEqualTo(c.interval(0, 0.95));
		assertThat(a.interval(0, 0.95)[0]).isLessThan(mean);
		assertThat(a.interval(0, 0.95)[1]).isGreaterThan(mean);
		// the standard error of this mean is about 0.14: the interval is about ±0.28
		assertThat(a.interval(0, 0.95)[1] - a.interval(0, 0.95)[0]).isBetween(0.4, 0.75);
	}

	@Test
	void errorSketchHasExactMaxAndMeanAndABoundedP95() {
		ErrorSketch sketch = new ErrorSketch();
		for (int i = 1; i <= 1000; i++) {
			sketch.add((i % 2 == 0) ? i * 1e-6 : -i * 1e-6);
		}

		assertThat(sketch.max()).isEqualTo(1e-3);
		assertThat(sketch.mean()).isCloseTo(500.5e-6, within(1e-15));
		assertThat(sketch.quantile(0.95)).isBetween(950e-6, 950e-6 * 1.123);
	}

	@Test
	void tokenTallyKeepsTheFrequentTokensWhenItPrunes() {
		TokenTally tally = new TokenTally(10);
		for (int round = 0; round < 50; round++) {
			tally.add("free", 2.0);
			tally.add("win", 1.0);
			tally.add("rare-" + round, 5.0);
		}

		assertThat(tally.tracked()).isLessThanOrEqualTo(10);
		List<TokenTally.Entry> top = tally.top(5, 3);
		assertThat(top).extracting(TokenTally.Entry::token).containsExactly("free", "win");
		assertThat(top.get(0).count()).isEqualTo(50);
		assertThat(top.get(0).meanAttribution()).isEqualTo(2.0);
	}

	@Test
	void histogramCountsEveryValueOnce() {
		FixedHistogram histogram = FixedHistogram.fitting(-1, 1, 4);
		for (double v : new double[] { -2, -1, -0.25, 0.25, 0.75, 1, 3 }) {
			histogram.add(v);
		}

		assertThat(histogram.below()).isEqualTo(1);
		assertThat(histogram.above()).isEqualTo(1);
		assertThat(histogram.counts()).containsExactly(1, 1, 1, 2);
		assertThat(histogram.edges()[0]).isEqualTo(-1);
	}

}
