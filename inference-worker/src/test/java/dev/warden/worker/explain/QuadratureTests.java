package dev.warden.worker.explain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

class QuadratureTests {

	@Test
	void gaussLegendreWithNNodesIntegratesPolynomialsUpToDegree2nMinus1Exactly() {
		for (int n = 1; n <= 12; n++) {
			Quadrature rule = Quadrature.gaussLegendre(n);
			for (int degree = 0; degree <= 2 * n - 1; degree++) {
				int d = degree;
				// ∫₀¹ α^d dα = 1 / (d + 1)
				assertThat(integrate(rule, a -> Math.pow(a, d))).as("n=%d degree=%d", n, d)
					.isCloseTo(1.0 / (d + 1), within(1e-14));
			}
			// and not one degree more: the rule is exactly as strong as it should be
			int beyond = 2 * n;
			assertThat(Math.abs(integrate(rule, a -> Math.pow(a - 0.5, beyond)) - Math.pow(0.5, beyond) / (beyond + 1)))
				.as("n=%d degree=%d", n, beyond)
				.isGreaterThan(1e-15);
		}
	}

	@Test
	void gaussLegendreNodesAreKnownValuesInsideTheIntervalWithWeightsSummingToOne() {
		// the two-point rule: ±1/√3 on [-1, 1]
		Quadrature two = Quadrature.gaussLegendre(2);
		assertThat(two.nodes()[0]).isCloseTo((1 - 1 / Math.sqrt(3)) / 2, within(1e-15));
		assertThat(two.nodes()[1]).isCloseTo((1 + 1 / Math.sqrt(3)) / 2, within(1e-15));
		// three points: 0, ±√(3/5); weights 8/9, 5/9 (halved on [0, 1])
		Quadrature three = Quadrature.gaussLegendre(3);
		assertThat(three.nodes())
			.containsExactly(new double[] { (1 - Math.sqrt(0.6)) / 2, 0.5, (1 + Math.sqrt(0.6)) / 2 }, within(1e-15));
		assertThat(three.weights()).containsExactly(new double[] { 5.0 / 18, 8.0 / 18, 5.0 / 18 }, within(1e-15));
		for (int n : new int[] { 1, 7, 64, 513, 1024 }) {
			Quadrature rule = Quadrature.gaussLegendre(n);
			assertThat(Arrays.stream(rule.weights()).sum()).as("n=%d", n).isCloseTo(1.0, within(1e-12));
			for (int k = 0; k < n; k++) {
				assertThat(rule.nodes()[k]).isStrictlyBetween(0.0, 1.0);
				assertThat(rule.weights()[k]).isPositive();
				if (k > 0) {
					assertThat(rule.nodes()[k]).isGreaterThan(rule.nodes()[k - 1]);
				}
			}
		}
	}

	@Test
	void gaussLegendreConvergesOnASmoothFunctionFasterThanTheTrapezoid() {
		DoubleUnaryOperator f = a -> Math.exp(3 * a) * Math.cos(2 * a);
		// ∫₀¹ e^{3a} cos 2a da = e^{3a}(3 cos 2a + 2 sin 2a) / 13 from 0 to 1
		double exact = (Math.exp(3) * (3 * Math.cos(2) + 2 * Math.sin(2)) - 3) / 13;
		assertThat(integrate(Quadrature.gaussLegendre(8), f)).isCloseTo(exact, within(1e-12));
		double trapezoid16 = integrate(Quadrature.trapezoid(16), f) - exact;
		double trapezoid32 = integrate(Quadrature.trapezoid(32), f) - exact;
		// second order: halving the step divides the error by about 4
		assertThat(trapezoid16 / trapezoid32).isCloseTo(4.0, within(0.05));
	}

	@Test
	void trapezoidIsExactForLinearFunctionsAndItsRefinementNestsIntoTheDoubledRule() {
		Quadrature rule = Quadrature.trapezoid(5);
		assertThat(rule.size()).isEqualTo(6);
		assertThat(rule.nodes()[0]).isZero();
		assertThat(rule.nodes()[5]).isEqualTo(1.0);
		assertThat(integrate(rule, a -> 4 * a - 1)).isCloseTo(1.0, within(1e-15));

		DoubleUnaryOperator f = a -> Math.sin(5 * a);
		double refined = integrate(Quadrature.trapezoid(5), f) / 2;
		for (double node : Quadrature.trapezoidRefinement(5)) {
			refined += f.applyAsDouble(node) / 10;
		}
		assertThat(refined).isCloseTo(integrate(Quadrature.trapezoid(10), f), within(1e-15));
	}

	static double integrate(Quadrature rule, DoubleUnaryOperator f) {
		double sum = 0;
		for (int k = 0; k < rule.size(); k++) {
			sum += rule.weights()[k] * f.applyAsDouble(rule.nodes()[k]);
		}
		return sum;
	}

}
