package dev.warden.worker.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class KernelShapTests {

	private static final KernelShap.Settings EXACT_UP_TO_12 = new KernelShap.Settings(12, 2048, 1, 4096);

	@Test
	void forALinearModelExactEnumerationGivesWeightTimesDistanceFromTheBackgroundMean() {
		Random random = new Random(3);
		double[] w = { 1.5, -2, 0.25, 4, 0, -0.75 };
		double[] x = { 3, 1, -2, 0.5, 9, 2 };
		double[][] background = randomRows(random, 25, w.length);
		KernelShap.Result result = KernelShap.explain(linear(w, 0.3), x, background, null, EXACT_UP_TO_12);

		double[] mean = columnMeans(background, null);
		for (int i = 0; i < w.length; i++) {
			assertThat(result.values()[i]).as("φ%d", i).isCloseTo(w[i] * (x[i] - mean[i]), within(1e-9));
		}
		assertThat(result.exact()).isTrue();
		assertThat(result.coalitions()).isEqualTo((1 << 6) - 2);
		assertThat(result.standardErrors()).isNull();
		assertThat(Math.abs(result.efficiencyResidual())).isLessThan(1e-12);
		assertThat(sum(result.values())).isCloseTo(result.valueAtInput() - result.expectedValue(), within(1e-12));
	}

	@Test
	void forALinearModelWithWeightedBackgroundTheExpectationIsTheWeightedMean() {
		Random random = new Random(5);
		double[] w = { 2, -1, 0.5 };
		double[] x = { 1, 1, 1 };
		double[][] background = randomRows(random, 4, w.length);
		double[] weights = { 1, 3, 0.5, 5.5 };
		KernelShap.Result result = KernelShap.explain(linear(w, 0), x, background, weights, EXACT_UP_TO_12);

		double[] mean = columnMeans(background, weights);
		for (int i = 0; i < w.length; i++) {
			assertThat(result.values()[i]).isCloseTo(w[i] * (x[i] - mean[i]), within(1e-12));
		}
	}

	@Test
	void forALinearModelBeyondTheExactLimitPairedSamplingIsExactToo() {
		Random random = new Random(11);
		int m = 20;
		double[] w = new double[m];
		double[] x = new double[m];
		for (int i = 0; i < m; i++) {
			w[i] = random.nextGaussian();
			x[i] = random.nextGaussian() * 3;
		}
		double[][] background = randomRows(random, 30, m);
		KernelShap.Result result = KernelShap.explain(linear(w, -1), x, background, null,
				new KernelShap.Settings(12, 512, 42, 4096));

		assertThat(result.exact()).isFalse();
		double[] mean = columnMeans(background, null);
		for (int i = 0; i < m; i++) {
			assertThat(result.values()[i]).as("φ%d", i).isCloseTo(w[i] * (x[i] - mean[i]), within(1e-9));
		}
		assertThat(Math.abs(result.efficiencyResidual())).isLessThan(1e-9);
	}

	@Test
	void groupsOfEntriesAreFeaturesTakenTogether() {
		Random random = new Random(7);
		double[] w = { 1, -2, 3, 0.5, -1, 2 };
		double[] x = { 1, 2, 3, 4, 5, 6 };
		double[][] background = randomRows(random, 10, w.length);
		int[][] groups = { { 0, 3 }, { 1 }, { 2, 4, 5 } };
		KernelShap.Result result = KernelShap.explain(linear(w, 1), x, background, null, groups, EXACT_UP_TO_12);

		double[] mean = columnMeans(background, null);
		assertThat(result.values()).hasSize(3);
		for (int g = 0; g < groups.length; g++) {
			double expected = 0;
			for (int i : groups[g]) {
				expected += w[i] * (x[i] - mean[i]);
			}
			assertThat(result.values()[g]).as("group %d", g).isCloseTo(expected, within(1e-9));
		}
		assertThat(result.coalitions()).isEqualTo(6);
	}

	@Test
	void aProductOfTwoFeaturesHasItsClosedFormShapleyValues() {
		BatchModel product = rows -> {
			double[] out = new double[rows.length];
			for (int r = 0; r < rows.length; r++) {
				out[r] = rows[r][0] * rows[r][1];
			}
			return out;
		};
		double[] x = { 3, 5 };
		double[] b = { 1, -2 };
		KernelShap.Result result = KernelShap.explain(product, x, new double[][] { b }, null, EXACT_UP_TO_12);
		// φ0 = ½ (x0 − b0)(b1 + x1), φ1 = ½ (x1 − b1)(b0 + x0)
		assertThat(result.values()).containsExactly(new double[] { 0.5 * 2 * 3, 0.5 * 7 * 4 }, within(1e-12));
	}

	@Test
	void exactEnumerationEqualsShapleyValuesComputedFromTheirDefinition() {
		Random random = new Random(17);
		int m = 7;
		double[] x = randomRows(random, 1, m)[0];
		double[][] background = randomRows(random, 6, m);
		BatchModel model = nonLinear(m);
		KernelShap.Result result = KernelShap.explain(model, x, background, null, EXACT_UP_TO_12);

		double[] shapley = shapleyByDefinition(model, x, background);
		assertThat(result.values()).containsExactly(shapley, within(1e-9));
	}

	@Test
	void sampledEstimatesAgreeWithExactEnumerationWithinTheirStatedError() {
		Random random = new Random(23);
		int m = 12;
		double[] x = randomRows(random, 1, m)[0];
		double[][] background = randomRows(random, 8, m);
		BatchModel model = nonLinear(m);
		KernelShap.Result exact = KernelShap.explain(model, x, background, null, EXACT_UP_TO_12);
		KernelShap.Result sampled = KernelShap.explain(model, x, background, null,
				new KernelShap.Settings(4, 400, 7, 4096));

		assertThat(exact.exact()).isTrue();
		assertThat(sampled.exact()).isFalse();
		assertThat(sampled.standardErrors()).hasSize(m);
		double scale = max(abs(exact.values()));
		for (int i = 0; i < m; i++) {
			double error = Math.abs(sampled.values()[i] - exact.values()[i]);
			// the stated error is a standard error: four of them cover the truth
			assertThat(error)
				.as("φ%d: |%s − %s| vs se %s", i, sampled.values()[i], exact.values()[i], sampled.standardErrors()[i])
				.isLessThanOrEqualTo(4 * sampled.standardErrors()[i]);
			// and the sampling is informative: the stated error is small against the
			// values
			assertThat(sampled.standardErrors()[i]).isLessThan(0.1 * scale);
		}
		assertThat(sum(sampled.values())).isCloseTo(exact.valueAtInput() - exact.expectedValue(), within(1e-9));
		// more samples: smaller stated error
		KernelShap.Result more = KernelShap.explain(model, x, background, null,
				new KernelShap.Settings(4, 3200, 7, 4096));
		assertThat(more.maxStandardError()).isLessThan(sampled.maxStandardError() / 2);
	}

	@Test
	void theSameSeedGivesTheSameEstimateAndAnotherSeedAnother() {
		Random random = new Random(29);
		int m = 14;
		double[] x = randomRows(random, 1, m)[0];
		double[][] background = randomRows(random, 5, m);
		KernelShap.Settings seven = new KernelShap.Settings(8, 300, 7, 4096);
		double[] first = KernelShap.explain(nonLinear(m), x, background, null, seven).values();
		double[] again = KernelShap.explain(nonLinear(m), x, background, null, seven).values();
		double[] other = KernelShap.explain(nonLinear(m), x, background, null, new KernelShap.Settings(8, 300, 8, 4096))
			.values();
		assertThat(again).containsExactly(first);
		assertThat(other).isNotEqualTo(first);
	}

	@Test
	void coalitionsAreEvaluatedInFewLargeCallsOfAtMostTheChunkSize() {
		Random random = new Random(31);
		int m = 10;
		double[][] background = randomRows(random, 20, m);
		AtomicInteger calls = new AtomicInteger();
		AtomicInteger largest = new AtomicInteger();
		BatchModel counted = rows -> {
			calls.incrementAndGet();
			largest.accumulateAndGet(rows.length, Math::max);
			return nonLinear(m).evaluate(rows);
		};
		KernelShap.Result result = KernelShap.explain(counted, randomRows(random, 1, m)[0], background, null,
				new KernelShap.Settings(12, 2048, 1, 4096));

		// (2^10 − 2) coalitions × 20 rows, plus the background and the input
		assertThat(result.evaluations()).isEqualTo(1022L * 20 + 20 + 1);
		assertThat(largest.get()).isLessThanOrEqualTo(4096);
		assertThat(calls.get()).isEqualTo(result.calls()).isEqualTo(2 + (int) Math.ceil(1022 / 204.0));
	}

	@Test
	void theKernelWeightsAreTheShapleyKernel() {
		assertThat(KernelShap.shapleyKernel(4, 1)).isCloseTo(3.0 / (4 * 1 * 3), within(1e-15));
		assertThat(KernelShap.shapleyKernel(4, 2)).isCloseTo(3.0 / (6 * 2 * 2), within(1e-15));
		assertThat(KernelShap.binomial(20, 10)).isEqualTo(184756.0);
	}

	/** Σ over S ⊆ N∖{i} of |S|! (M − |S| − 1)! / M! · (v(S ∪ {i}) − v(S)). */
	private static double[] shapleyByDefinition(BatchModel model, double[] x, double[][] background) {
		int m = x.length;
		double[] v = new double[1 << m];
		for (int mask = 0; mask < (1 << m); mask++) {
			double[][] rows = new double[background.length][];
			for (int b = 0; b < background.length; b++) {
				rows[b] = background[b].clone();
				for (int i = 0; i < m; i++) {
					if ((mask & (1 << i)) != 0) {
						rows[b][i] = x[i];
					}
				}
			}
			double[] out = model.evaluate(rows);
			for (double o : out) {
				v[mask] += o / background.length;
			}
		}
		double[] phi = new double[m];
		double[] factorial = new double[m + 1];
		factorial[0] = 1;
		for (int k = 1; k <= m; k++) {
			factorial[k] = factorial[k - 1] * k;
		}
		for (int i = 0; i < m; i++) {
			for (int mask = 0; mask < (1 << m); mask++) {
				if ((mask & (1 << i)) != 0) {
					continue;
				}
				int s = Integer.bitCount(mask);
				phi[i] += factorial[s] * factorial[m - s - 1] / factorial[m] * (v[mask | (1 << i)] - v[mask]);
			}
		}
		return phi;
	}

	/** A model with interactions: Σ a_i x_i + x0 x1 − 0.5 x2 x3 x4 + sin(x5 + x6) + … */
	private static BatchModel nonLinear(int m) {
		return rows -> {
			double[] out = new double[rows.length];
			for (int r = 0; r < rows.length; r++) {
				double[] p = rows[r];
				double value = 0;
				for (int i = 0; i < m; i++) {
					value += (i % 3 - 1) * 0.7 * p[i];
				}
				value += p[0] * p[1] - 0.5 * p[2] * p[3] * p[4] + Math.sin(p[5] + p[6]);
				if (m > 8) {
					value += Math.tanh(p[7] * p[8]) * 2;
				}
				out[r] = value;
			}
			return out;
		};
	}

	private static BatchModel linear(double[] w, double bias) {
		return rows -> {
			double[] out = new double[rows.length];
			for (int r = 0; r < rows.length; r++) {
				double value = bias;
				for (int i = 0; i < w.length; i++) {
					value += w[i] * rows[r][i];
				}
				out[r] = value;
			}
			return out;
		};
	}

	private static double[][] randomRows(Random random, int n, int m) {
		double[][] rows = new double[n][m];
		for (double[] row : rows) {
			for (int i = 0; i < m; i++) {
				row[i] = random.nextGaussian() * 2 + 1;
			}
		}
		return rows;
	}

	private static double[] columnMeans(double[][] rows, double[] weights) {
		double[] mean = new double[rows[0].length];
		double total = 0;
		for (int r = 0; r < rows.length; r++) {
			double w = weights == null ? 1 : weights[r];
			total += w;
			for (int i = 0; i < mean.length; i++) {
				mean[i] += w * rows[r][i];
			}
		}
		for (int i = 0; i < mean.length; i++) {
			mean[i] /= total;
		}
		return mean;
	}

	private static double sum(double[] values) {
		double s = 0;
		for (double v : values) {
			s += v;
		}
		return s;
	}

	private static double[] abs(double[] values) {
		double[] a = new double[values.length];
		for (int i = 0; i < a.length; i++) {
			a[i] = Math.abs(values[i]);
		}
		return a;
	}

	private static double max(double[] values) {
		double m = Double.NEGATIVE_INFINITY;
		for (double v : values) {
			m = Math.max(m, v);
		}
		return m;
	}

}
