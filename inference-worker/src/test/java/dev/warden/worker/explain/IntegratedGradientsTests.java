package dev.warden.worker.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.concurrent.atomic.AtomicInteger;

import dev.warden.worker.explain.IntegratedGradients.Rule;
import dev.warden.worker.explain.IntegratedGradients.Settings;

import org.junit.jupiter.api.Test;

class IntegratedGradientsTests {

	@Test
	void forALinearModelAttributionsAreWeightTimesDifferenceWithOneStep() {
		double[] w = { 0.5, -2, 3, 0 };
		GradientModel linear = rows -> {
			double[] values = new double[rows.length];
			double[][] gradients = new double[rows.length][];
			for (int r = 0; r < rows.length; r++) {
				for (int i = 0; i < w.length; i++) {
					values[r] += w[i] * rows[r][i];
				}
				values[r] += 7;
				gradients[r] = w.clone();
			}
			return new GradientModel.ValuesAndGradients(values, gradients);
		};
		double[] x = { 1, 2, 3, 4 };
		double[] baseline = { -1, 0.5, 1, 10 };
		for (Rule rule : Rule.values()) {
			IntegratedGradients.Result result = IntegratedGradients
				.explain(PathIntegrand.along(linear, x, baseline, 64), x, baseline, new Settings(1, rule, 1, 0.01, 0));
			assertThat(result.attributions()).containsExactly(new double[] { 1, -3, 6, 0 }, within(1e-12));
			assertThat(result.valueAtInput()).isCloseTo(0.5 - 4 + 9 + 7, within(1e-12));
			assertThat(result.valueAtBaseline()).isCloseTo(-0.5 - 1 + 3 + 7, within(1e-12));
			assertThat(result.delta()).isCloseTo(0, within(1e-12));
			assertThat(result.withinTolerance()).isTrue();
		}
	}

	@Test
	void aQuadraticIntegrandIsExactWithTwoGaussLegendreNodesAndConvergesQuadraticallyWithTheTrapezoid() {
		// f(x) = x0² · x1: along the path ∂f/∂x0 = 2 x0 x1 is quadratic in α
		double[] x = { 2, 3 };
		double[] b = { 0.5, -1 };
		double d0 = x[0] - b[0];
		double d1 = x[1] - b[1];
		// IG_0 = d0 ∫ 2 (b0 + α d0)(b1 + α d1) dα, IG_1 = d1 ∫ (b0 + α d0)² dα
		double ig0 = d0 * 2 * (b[0] * b[1] + (b[0] * d1 + d0 * b[1]) / 2 + d0 * d1 / 3);
		double ig1 = d1 * (b[0] * b[0] + b[0] * d0 + d0 * d0 / 3);
		PathIntegrand path = PathIntegrand.along(IntegratedGradientsTests::cubic, x, b, 1000);

		IntegratedGradients.Result gauss = IntegratedGradients.explain(path, x, b,
				new Settings(2, Rule.GAUSS_LEGENDRE, 2, 0.01, 0));
		assertThat(gauss.attributions()).containsExactly(new double[] { ig0, ig1 }, within(1e-12));
		assertThat(gauss.valueAtInput()).isEqualTo(12.0);
		assertThat(gauss.valueAtBaseline()).isEqualTo(-0.25);
		assertThat(gauss.delta()).isCloseTo(0, within(1e-12));
		assertThat(gauss.evaluations()).isEqualTo(4);

		double error8 = Math
			.abs(IntegratedGradients.explain(path, x, b, new Settings(8, Rule.TRAPEZOID, 8, 0, 0)).attributions()[0]
					- ig0);
		double error64 = Math
			.abs(IntegratedGradients.explain(path, x, b, new Settings(64, Rule.TRAPEZOID, 64, 0, 0)).attributions()[0]
					- ig0);
		assertThat(error8 / error64).isCloseTo(64.0, within(0.5));
	}

	@Test
	void aSmoothNonLinearModelConvergesToTheIntegralComputedIndependently() {
		// f(x) = sin(x0) · exp(x1) + x0 x2
		GradientModel model = rows -> {
			double[] values = new double[rows.length];
			double[][] gradients = new double[rows.length][];
			for (int r = 0; r < rows.length; r++) {
				double[] p = rows[r];
				values[r] = Math.sin(p[0]) * Math.exp(p[1]) + p[0] * p[2];
				gradients[r] = new double[] { Math.cos(p[0]) * Math.exp(p[1]) + p[2], Math.sin(p[0]) * Math.exp(p[1]),
						p[0] };
			}
			return new GradientModel.ValuesAndGradients(values, gradients);
		};
		double[] x = { 1.3, 0.7, -2 };
		double[] b = { 0, 0, 0 };
		// the reference: Simpson's rule with 20,000 intervals on each integrand
		double[] reference = new double[3];
		int n = 20_000;
		for (int k = 0; k <= n; k++) {
			double a = (double) k / n;
			double weight = (k == 0 || k == n) ? 1 : (k % 2 == 1 ? 4 : 2);
			double[] gradient = model.evaluate(new double[][] { { a * x[0], a * x[1], a * x[2] } }).gradients()[0];
			for (int i = 0; i < 3; i++) {
				reference[i] += weight * gradient[i] * x[i] / (3.0 * n);
			}
		}
		PathIntegrand path = PathIntegrand.along(model, x, b, 1000);
		IntegratedGradients.Result result = IntegratedGradients.explain(path, x, b,
				new Settings(16, Rule.GAUSS_LEGENDRE, 16, 0, 0));
		assertThat(result.attributions()).containsExactly(reference, within(1e-10));
		double fx = Math.sin(1.3) * Math.exp(0.7) - 2.6;
		assertThat(result.delta()).isCloseTo(0, within(1e-10));
		assertThat(result.valueAtInput()).isCloseTo(fx, within(1e-15));
	}

	@Test
	void aDeltaOverTheToleranceDoublesTheStepsAndTheTrapezoidReusesEveryGradient() {
		double[] x = { 2, 3 };
		double[] b = { 0.5, -1 };
		AtomicInteger rows = new AtomicInteger();
		GradientModel counted = points -> {
			rows.addAndGet(points.length);
			return cubic(points);
		};
		IntegratedGradients.Result result = IntegratedGradients.explain(PathIntegrand.along(counted, x, b, 1000), x, b,
				new Settings(2, Rule.TRAPEZOID, 1024, 1e-4, 0));

		assertThat(result.raised()).isTrue();
		assertThat(result.requestedSteps()).isEqualTo(2);
		assertThat(result.withinTolerance()).isTrue();
		assertThat(Math.abs(result.delta())).isLessThanOrEqualTo(1e-4 * Math.abs(12.25));
		// nested rules: steps + 1 points in all, however many rounds
		assertThat(result.evaluations()).isEqualTo(result.steps() + 1);
		assertThat(rows.get()).isEqualTo(result.steps() + 1);
		assertThat(result.rounds()).isEqualTo(Integer.numberOfTrailingZeros(result.steps() / 2) + 1);
		// and the same answer as asking for that many steps at once
		IntegratedGradients.Result direct = IntegratedGradients.explain(PathIntegrand.along(counted, x, b, 1000), x, b,
				new Settings(result.steps(), Rule.TRAPEZOID, result.steps(), 0, 0));
		assertThat(result.attributions()).containsExactly(direct.attributions(), within(1e-12));
	}

	@Test
	void theStepsStopAtTheCapAndTheResultSaysTheDeltaIsOutsideTheTolerance() {
		double[] x = { 2, 3 };
		double[] b = { 0.5, -1 };
		IntegratedGradients.Result result = IntegratedGradients.explain(
				PathIntegrand.along(IntegratedGradientsTests::cubic, x, b, 7), x, b,
				new Settings(4, Rule.TRAPEZOID, 16, 1e-9, 0));
		assertThat(result.steps()).isEqualTo(16);
		assertThat(result.withinTolerance()).isFalse();
		assertThat(result.relativeDelta()).isGreaterThan(1e-9);
	}

	/** f(x) = x0² · x1 and its gradient. */
	private static GradientModel.ValuesAndGradients cubic(double[][] rows) {
		double[] values = new double[rows.length];
		double[][] gradients = new double[rows.length][];
		for (int r = 0; r < rows.length; r++) {
			double[] p = rows[r];
			values[r] = p[0] * p[0] * p[1];
			gradients[r] = new double[] { 2 * p[0] * p[1], p[0] * p[0] };
		}
		return new GradientModel.ValuesAndGradients(values, gradients);
	}

}
