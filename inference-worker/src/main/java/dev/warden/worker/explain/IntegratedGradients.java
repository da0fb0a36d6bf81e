package dev.warden.worker.explain;

import java.util.Locale;

/**
 * Integrated gradients (Sundararajan et al., 2017): for an input x, a baseline x' and a
 * differentiable target output f,
 * {@code IG_i = (x_i − x'_i) · ∫₀¹ ∂f(x' + α (x − x'))/∂x_i dα}, the integral taken with
 * a {@link Quadrature} rule. Completeness says {@code Σ IG_i = f(x) − f(x')}; the
 * difference of the two sides (the completeness delta) measures the quadrature's error
 * and is always reported.
 *
 * <p>
 * When the delta exceeds the tolerance, the number of steps is doubled, up to
 * {@link Settings#maxSteps()}, and the integral computed again; the result says how many
 * steps were used. With the trapezoidal rule a doubling reuses every gradient already
 * computed (its nodes are nested); Gauss–Legendre starts afresh. Either way every round
 * is one call of the {@link PathIntegrand} (which may batch it into a few model calls).
 */
public final class IntegratedGradients {

	/** How the path integral is computed. */
	public enum Rule {

		/** {@link Quadrature#trapezoid}: steps + 1 gradients, both ends included. */
		TRAPEZOID("trapezoid"),
		/**
		 * {@link Quadrature#gaussLegendre}: steps gradients at interior points, plus the
		 * two ends evaluated for f(x) and f(x').
		 */
		GAUSS_LEGENDRE("gauss_legendre");

		private final String id;

		Rule(String id) {
			this.id = id;
		}

		public String id() {
			return id;
		}

		/** The rule named {@code id}, or null. */
		public static Rule of(String id) {
			for (Rule rule : values()) {
				if (rule.id.equals(id)) {
					return rule;
				}
			}
			return null;
		}

	}

	/**
	 * @param steps steps asked for (trapezoid intervals or Gauss–Legendre nodes)
	 * @param rule the quadrature rule
	 * @param maxSteps the most steps the delta may raise the count to (at least
	 * {@code steps})
	 * @param relativeTolerance the delta is acceptable when
	 * {@code |delta| <= relativeTolerance · |f(x) − f(x')|} …
	 * @param absoluteTolerance … or when {@code |delta| <= absoluteTolerance} (the model
	 * computes in single precision: a delta of this size is rounding, not quadrature
	 * error)
	 */
	public record Settings(int steps, Rule rule, int maxSteps, double relativeTolerance, double absoluteTolerance) {

		public Settings {
			if (steps < 1 || maxSteps < steps) {
				throw new IllegalArgumentException("need 1 <= steps <= maxSteps, got " + steps + " and " + maxSteps);
			}
		}

	}

	/**
	 * @param attributions IG of every input entry
	 * @param valueAtInput f(x)
	 * @param valueAtBaseline f(x')
	 * @param delta {@code Σ attributions − (f(x) − f(x'))}
	 * @param steps steps used
	 * @param requestedSteps steps asked for
	 * @param rule the rule used
	 * @param evaluations gradients (and values) computed: points on the path
	 * @param rounds calls of the path integrand (1, plus one per doubling)
	 * @param withinTolerance whether the delta is within the tolerance
	 */
	public record Result(double[] attributions, double valueAtInput, double valueAtBaseline, double delta, int steps,
			int requestedSteps, Rule rule, long evaluations, int rounds, boolean withinTolerance) {

		/** Whether the delta made the steps go up. */
		public boolean raised() {
			return steps > requestedSteps;
		}

		/**
		 * {@code |delta| / |f(x) − f(x')|}; infinite when the two ends are equal and the
		 * delta is not 0.
		 */
		public double relativeDelta() {
			double change = Math.abs(valueAtInput - valueAtBaseline);
			double size = Math.abs(delta);
			return size == 0 ? 0 : size / change;
		}

	}

	private IntegratedGradients() {
	}

	/**
	 * Integrated gradients of {@code path}'s model from {@code baseline} to
	 * {@code input}.
	 * @param input x
	 * @param baseline x', of the same width
	 */
	public static Result explain(PathIntegrand path, double[] input, double[] baseline, Settings settings) {
		if (input.length != baseline.length) {
			throw new IllegalArgumentException(
					"input has " + input.length + " features but the baseline " + baseline.length);
		}
		int steps = settings.steps();
		long evaluations = 0;
		int rounds = 0;
		double[] averageGradient;
		double fx;
		double fBaseline;
		if (settings.rule() == Rule.TRAPEZOID) {
			Quadrature rule = Quadrature.trapezoid(steps);
			PathIntegrand.PathSums sums = checked(path.evaluate(rule.nodes(), rule.weights()), input.length);
			evaluations += rule.size();
			rounds++;
			averageGradient = sums.weightedGradients();
			fBaseline = sums.values()[0];
			fx = sums.values()[steps];
			Result result = result(input, baseline, averageGradient, fx, fBaseline, steps, settings, evaluations,
					rounds);
			while (!result.withinTolerance() && steps * 2 <= settings.maxSteps()) {
				double[] refinement = Quadrature.trapezoidRefinement(steps);
				double[] weights = new double[steps];
				java.util.Arrays.fill(weights, 0.5 / steps);
				PathIntegrand.PathSums added = checked(path.evaluate(refinement, weights), input.length);
				evaluations += refinement.length;
				rounds++;
				double[] refined = new double[averageGradient.length];
				for (int i = 0; i < refined.length; i++) {
					refined[i] = averageGradient[i] / 2 + added.weightedGradients()[i];
				}
				averageGradient = refined;
				steps *= 2;
				result = result(input, baseline, averageGradient, fx, fBaseline, steps, settings, evaluations, rounds);
			}
			return result;
		}
		Result result = null;
		while (true) {
			Quadrature rule = Quadrature.gaussLegendre(steps);
			// the two ends are evaluated in the same call, with weight 0, for f(x) and
			// f(x')
			double[] alphas = new double[rule.size() + 2];
			double[] weights = new double[rule.size() + 2];
			System.arraycopy(rule.nodes(), 0, alphas, 1, rule.size());
			System.arraycopy(rule.weights(), 0, weights, 1, rule.size());
			alphas[rule.size() + 1] = 1;
			PathIntegrand.PathSums sums = checked(path.evaluate(alphas, weights), input.length);
			evaluations += alphas.length;
			rounds++;
			result = result(input, baseline, sums.weightedGradients(), sums.values()[rule.size() + 1], sums.values()[0],
					steps, settings, evaluations, rounds);
			if (result.withinTolerance() || steps * 2 > settings.maxSteps()) {
				return result;
			}
			steps *= 2;
		}
	}

	private static Result result(double[] input, double[] baseline, double[] averageGradient, double fx,
			double fBaseline, int steps, Settings settings, long evaluations, int rounds) {
		double[] attributions = new double[input.length];
		double sum = 0;
		for (int i = 0; i < input.length; i++) {
			attributions[i] = (input[i] - baseline[i]) * averageGradient[i];
			sum += attributions[i];
		}
		double delta = sum - (fx - fBaseline);
		double size = Math.abs(delta);
		boolean within = size <= settings.relativeTolerance() * Math.abs(fx - fBaseline)
				|| size <= settings.absoluteTolerance();
		return new Result(attributions, fx, fBaseline, delta, steps, settings.steps(), settings.rule(), evaluations,
				rounds, within);
	}

	private static PathIntegrand.PathSums checked(PathIntegrand.PathSums sums, int width) {
		if (sums.weightedGradients().length != width) {
			throw new IllegalStateException(
					"the model's gradient has " + sums.weightedGradients().length + " entries, expected " + width);
		}
		for (double value : sums.values()) {
			if (!Double.isFinite(value)) {
				throw new NonFiniteOutputException(String.format(Locale.ROOT,
						"the model's output is not finite (%s) on the path from the baseline to the input", value));
			}
		}
		for (double value : sums.weightedGradients()) {
			if (!Double.isFinite(value)) {
				throw new NonFiniteOutputException(
						"the model's gradient is not finite on the path from the baseline to the input");
			}
		}
		return sums;
	}

}
