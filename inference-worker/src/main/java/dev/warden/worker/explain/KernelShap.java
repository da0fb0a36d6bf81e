package dev.warden.worker.explain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * KernelSHAP (Lundberg and Lee, 2017): Shapley values of the M features of one input,
 * estimated by a weighted linear regression over coalitions of features.
 *
 * <p>
 * The value of a coalition z (the features taken from the input) is {@code v(z) = Σ_b w_b
 * f(x_z, b_{not z})}: the model's output averaged over the background rows b (weights
 * w_b, summing to 1), each row taking the input's values for the features in z and its
 * own values for the others (interventional, i.e. the features are treated as
 * independent). A coalition of size s gets the Shapley kernel weight
 * {@code (M − 1) / (C(M, s) · s · (M − s))}. The regression {@code min Σ_z π(z) (v(z) −
 * v(∅) − Σ_{i∈z} φ_i)²} is solved in double precision under the efficiency constraint
 * {@code Σ φ_i = v(all) − v(∅) = f(x) − E[f(background)]}, enforced exactly by
 * eliminating the last feature ({@code φ_M = Δ − Σ_{i<M} φ_i}).
 *
 * <p>
 * With at most {@link Settings#exactMaxFeatures()} features (or when the sample budget
 * covers them all) every one of the 2^M − 2 proper coalitions is evaluated, and the
 * result is the exact Shapley value of v. Beyond, {@link Settings#samples()} coalitions
 * are drawn with a seeded generator: a size s with probability proportional to the
 * kernel's total weight of that size, {@code 1 / (s (M − s))}, then a uniform subset of
 * that size, always together with its complement (paired sampling); each draw then
 * carries the same weight. The sampling error is estimated by solving the regression on
 * ten disjoint batches of the pairs: the standard error of a feature is the standard
 * deviation of its ten estimates divided by √10.
 *
 * <p>
 * For a linear model {@code f(x) = w·x + b} every v(z) is exactly linear in z, so both
 * the exact and the sampled regression give {@code φ_i = w_i (x_i − E[b_i])}.
 */
public final class KernelShap {

	/** Batches the sampled pairs are split into for the standard errors. */
	static final int ERROR_BATCHES = 10;

	/**
	 * @param exactMaxFeatures enumerate every coalition up to this many features
	 * @param samples coalitions drawn beyond (rounded up to an even number: pairs)
	 * @param seed seed of the sampling
	 * @param maxRowsPerCall most rows (coalitions × background rows) per model call
	 */
	public record Settings(int exactMaxFeatures, int samples, long seed, int maxRowsPerCall) {

		public Settings {
			if (exactMaxFeatures < 1 || exactMaxFeatures > 24) {
				throw new IllegalArgumentException("exactMaxFeatures must be in [1, 24]");
			}
			if (samples < 2 || maxRowsPerCall < 1) {
				throw new IllegalArgumentException("samples must be >= 2 and maxRowsPerCall >= 1");
			}
		}

	}

	/**
	 * @param values φ, one per feature (group)
	 * @param valueAtInput f(x)
	 * @param expectedValue E[f(background)] = v(∅)
	 * @param exact whether every coalition was evaluated
	 * @param coalitions distinct coalitions evaluated (the empty and the full one not
	 * counted)
	 * @param evaluations model rows evaluated
	 * @param calls model calls made
	 * @param standardErrors estimated standard error of each φ_i when sampled; null when
	 * exact (or when too few batches could be solved)
	 * @param efficiencyResidual {@code Σ φ − (f(x) − E[f(background)])}
	 */
	public record Result(double[] values, double valueAtInput, double expectedValue, boolean exact, int coalitions,
			long evaluations, int calls, double[] standardErrors, double efficiencyResidual) {

		/** The largest standard error, or NaN when there are none. */
		public double maxStandardError() {
			return standardErrors == null ? Double.NaN : Arrays.stream(standardErrors).max().orElse(Double.NaN);
		}

	}

	private KernelShap() {
	}

	/**
	 * Shapley values of every entry of the row.
	 * @param model the model, on rows of the input's width
	 * @param input x
	 * @param background the background rows, each of the input's width
	 * @param backgroundWeights one weight per background row (any positive scale), or
	 * null for equal weights
	 */
	public static Result explain(BatchModel model, double[] input, double[][] background, double[] backgroundWeights,
			Settings settings) {
		return explain(model, input, background, backgroundWeights, Occlusion.singletons(input.length), settings);
	}

	/**
	 * Shapley values of groups of entries: a feature is a group (the one-hot slots of a
	 * categorical column, say), which a coalition takes from the input or the background
	 * as a whole.
	 * @param groups the entries of each feature; disjoint
	 */
	public static Result explain(BatchModel model, double[] input, double[][] background, double[] backgroundWeights,
			int[][] groups, Settings settings) {
		int m = groups.length;
		if (m == 0 || background.length == 0) {
			throw new IllegalArgumentException("need at least one feature and one background row");
		}
		double[] w = normalised(backgroundWeights, background.length);
		Evaluator evaluator = new Evaluator(model, input, background, w, groups, settings.maxRowsPerCall());
		double expected = evaluator.expectation();
		double fx = evaluator.atInput();
		double delta = fx - expected;
		if (m == 1) {
			return new Result(new double[] { delta }, fx, expected, true, 0, evaluator.evaluations, evaluator.calls,
					null, 0);
		}
		boolean exact = m <= settings.exactMaxFeatures()
				|| (m < 31 && (1L << m) - 2 <= (long) roundedUpToEven(settings.samples()));
		if (exact) {
			List<BitSet> coalitions = new ArrayList<>((1 << m) - 2);
			double[] kernel = new double[(1 << m) - 2];
			for (int mask = 1; mask < (1 << m) - 1; mask++) {
				BitSet z = BitSet.valueOf(new long[] { mask });
				kernel[coalitions.size()] = shapleyKernel(m, z.cardinality());
				coalitions.add(z);
			}
			Map<BitSet, Double> values = evaluator.values(coalitions);
			double[] phi = solve(m, coalitions, kernel, values, expected, delta);
			return new Result(phi, fx, expected, true, coalitions.size(), evaluator.evaluations, evaluator.calls, null,
					sum(phi) - delta);
		}
		int pairs = roundedUpToEven(settings.samples()) / 2;
		List<BitSet> draws = samplePairs(m, pairs, new SplittableRandom(settings.seed()));
		Map<BitSet, Double> values = evaluator.values(new ArrayList<>(new LinkedHashMap<>(index(draws)).keySet()));
		double[] phi = solveDraws(m, draws, values, expected, delta);
		double[] errors = standardErrors(m, draws, values, expected, delta);
		return new Result(phi, fx, expected, false, values.size(), evaluator.evaluations, evaluator.calls, errors,
				sum(phi) - delta);
	}

	/**
	 * The Shapley kernel weight of one coalition of size s out of m:
	 * {@code (m − 1) / (C(m, s) · s · (m − s))}.
	 */
	static double shapleyKernel(int m, int s) {
		return (m - 1) / (binomial(m, s) * s * (m - s));
	}

	static double binomial(int n, int k) {
		double result = 1;
		for (int i = 1; i <= k; i++) {
			result = result * (n - k + i) / i;
		}
		return result;
	}

	/**
	 * {@code pairs} coalitions and their complements, in draw order (a coalition at an
	 * even index is followed by its complement).
	 */
	static List<BitSet> samplePairs(int m, int pairs, SplittableRandom random) {
		// P(size s) ∝ 1 / (s (m − s)): the kernel's total weight over the C(m, s)
		// coalitions of that size
		double[] cumulative = new double[m - 1];
		double total = 0;
		for (int s = 1; s < m; s++) {
			total += 1.0 / (s * (double) (m - s));
			cumulative[s - 1] = total;
		}
		int[] order = new int[m];
		List<BitSet> draws = new ArrayList<>(2 * pairs);
		for (int p = 0; p < pairs; p++) {
			double u = random.nextDouble() * total;
			int size = 1;
			while (size < m - 1 && cumulative[size - 1] < u) {
				size++;
			}
			for (int i = 0; i < m; i++) {
				order[i] = i;
			}
			BitSet z = new BitSet(m);
			// partial Fisher–Yates: the first `size` positions are a uniform subset
			for (int i = 0; i < size; i++) {
				int j = i + random.nextInt(m - i);
				int tmp = order[i];
				order[i] = order[j];
				order[j] = tmp;
				z.set(order[i]);
			}
			BitSet complement = (BitSet) z.clone();
			complement.flip(0, m);
			draws.add(z);
			draws.add(complement);
		}
		return draws;
	}

	private static Map<BitSet, Integer> index(List<BitSet> draws) {
		Map<BitSet, Integer> counts = new LinkedHashMap<>();
		draws.forEach(z -> counts.merge(z, 1, Integer::sum));
		return counts;
	}

	private static double[] solveDraws(int m, List<BitSet> draws, Map<BitSet, Double> values, double expected,
			double delta) {
		Map<BitSet, Integer> counts = index(draws);
		List<BitSet> coalitions = new ArrayList<>(counts.keySet());
		double[] weights = new double[coalitions.size()];
		for (int k = 0; k < weights.length; k++) {
			weights[k] = counts.get(coalitions.get(k));
		}
		return solve(m, coalitions, weights, values, expected, delta);
	}

	private static double[] standardErrors(int m, List<BitSet> draws, Map<BitSet, Double> values, double expected,
			double delta) {
		int pairs = draws.size() / 2;
		if (pairs < ERROR_BATCHES * 2) {
			return null;
		}
		List<double[]> estimates = new ArrayList<>();
		for (int b = 0; b < ERROR_BATCHES; b++) {
			int from = 2 * (int) ((long) pairs * b / ERROR_BATCHES);
			int to = 2 * (int) ((long) pairs * (b + 1) / ERROR_BATCHES);
			try {
				estimates.add(solveDraws(m, draws.subList(from, to), values, expected, delta));
			}
			catch (SingularSystemException ex) {
				// a batch too small to determine every feature says nothing about the
				// error
			}
		}
		if (estimates.size() < 2) {
			return null;
		}
		double[] errors = new double[m];
		for (int i = 0; i < m; i++) {
			double mean = 0;
			for (double[] e : estimates) {
				mean += e[i];
			}
			mean /= estimates.size();
			double squares = 0;
			for (double[] e : estimates) {
				squares += (e[i] - mean) * (e[i] - mean);
			}
			double sd = Math.sqrt(squares / (estimates.size() - 1));
			errors[i] = sd / Math.sqrt(estimates.size());
		}
		return errors;
	}

	/**
	 * The constrained weighted least squares: with d = z_M, the unknowns φ_1 … φ_{M−1}
	 * have the design row {@code z_i − d} and the target {@code v(z) − v(∅) − d·Δ};
	 * normal equations solved by Cholesky; φ_M = Δ − Σ φ_i.
	 */
	static double[] solve(int m, List<BitSet> coalitions, double[] weights, Map<BitSet, Double> values, double expected,
			double delta) {
		int n = m - 1;
		double[][] normal = new double[n][n];
		double[] rhs = new double[n];
		double[] a = new double[n];
		for (int k = 0; k < coalitions.size(); k++) {
			BitSet z = coalitions.get(k);
			double weight = weights[k];
			int last = z.get(m - 1) ? 1 : 0;
			double y = values.get(z) - expected - last * delta;
			for (int i = 0; i < n; i++) {
				a[i] = (z.get(i) ? 1 : 0) - last;
			}
			for (int i = 0; i < n; i++) {
				if (a[i] == 0) {
					continue;
				}
				double wa = weight * a[i];
				rhs[i] += wa * y;
				for (int j = 0; j <= i; j++) {
					normal[i][j] += wa * a[j];
				}
			}
		}
		for (int i = 0; i < n; i++) {
			for (int j = 0; j < i; j++) {
				normal[j][i] = normal[i][j];
			}
		}
		double[] solution = cholesky(normal, rhs);
		double[] phi = new double[m];
		System.arraycopy(solution, 0, phi, 0, n);
		phi[m - 1] = delta - sum(solution);
		return phi;
	}

	/** Solves the symmetric positive definite system {@code a x = b}. */
	static double[] cholesky(double[][] a, double[] b) {
		int n = b.length;
		double[][] l = new double[n][n];
		double scale = 0;
		for (int i = 0; i < n; i++) {
			scale = Math.max(scale, Math.abs(a[i][i]));
		}
		for (int i = 0; i < n; i++) {
			for (int j = 0; j <= i; j++) {
				double s = a[i][j];
				for (int k = 0; k < j; k++) {
					s -= l[i][k] * l[j][k];
				}
				if (i == j) {
					if (s <= 1e-12 * scale) {
						throw new SingularSystemException();
					}
					l[i][i] = Math.sqrt(s);
				}
				else {
					l[i][j] = s / l[j][j];
				}
			}
		}
		double[] y = new double[n];
		for (int i = 0; i < n; i++) {
			double s = b[i];
			for (int k = 0; k < i; k++) {
				s -= l[i][k] * y[k];
			}
			y[i] = s / l[i][i];
		}
		double[] x = new double[n];
		for (int i = n - 1; i >= 0; i--) {
			double s = y[i];
			for (int k = i + 1; k < n; k++) {
				s -= l[k][i] * x[k];
			}
			x[i] = s / l[i][i];
		}
		return x;
	}

	private static double[] normalised(double[] weights, int n) {
		double[] w = new double[n];
		if (weights == null) {
			Arrays.fill(w, 1.0 / n);
			return w;
		}
		if (weights.length != n) {
			throw new IllegalArgumentException("need one weight per background row");
		}
		double total = 0;
		for (double v : weights) {
			if (!(v > 0) || !Double.isFinite(v)) {
				throw new IllegalArgumentException("background weights must be positive and finite");
			}
			total += v;
		}
		for (int i = 0; i < n; i++) {
			w[i] = weights[i] / total;
		}
		return w;
	}

	private static int roundedUpToEven(int n) {
		return n % 2 == 0 ? n : n + 1;
	}

	private static double sum(double[] values) {
		double s = 0;
		for (double v : values) {
			s += v;
		}
		return s;
	}

	/**
	 * The regression's normal equations are singular: the coalitions drawn do not
	 * determine every feature.
	 */
	static final class SingularSystemException extends RuntimeException {

		SingularSystemException() {
			super("the sampled coalitions do not determine every feature; draw more samples", null, false, false);
		}

	}

	/** Evaluates coalition values in batched model calls and counts them. */
	private static final class Evaluator {

		private final BatchModel model;

		private final double[] input;

		private final double[][] background;

		private final double[] weights;

		private final int[][] groups;

		private final int maxRowsPerCall;

		long evaluations;

		int calls;

		Evaluator(BatchModel model, double[] input, double[][] background, double[] weights, int[][] groups,
				int maxRowsPerCall) {
			this.model = model;
			this.input = input;
			this.background = background;
			this.weights = weights;
			this.groups = groups;
			this.maxRowsPerCall = maxRowsPerCall;
			for (double[] row : background) {
				if (row.length != input.length) {
					throw new IllegalArgumentException(
							"a background row has " + row.length + " features, the input " + input.length);
				}
			}
		}

		double expectation() {
			double[] outputs = evaluate(background);
			double e = 0;
			for (int b = 0; b < outputs.length; b++) {
				e += weights[b] * outputs[b];
			}
			return e;
		}

		double atInput() {
			return evaluate(new double[][] { input })[0];
		}

		/** v(z) for every coalition, in calls of at most maxRowsPerCall rows. */
		Map<BitSet, Double> values(List<BitSet> coalitions) {
			Map<BitSet, Double> values = new HashMap<>(coalitions.size() * 2);
			int n = background.length;
			int perCall = Math.max(1, maxRowsPerCall / n);
			for (int from = 0; from < coalitions.size(); from += perCall) {
				int to = Math.min(coalitions.size(), from + perCall);
				double[][] rows = new double[(to - from) * n][];
				for (int k = from; k < to; k++) {
					BitSet z = coalitions.get(k);
					for (int b = 0; b < n; b++) {
						double[] row = background[b].clone();
						for (int g = z.nextSetBit(0); g >= 0; g = z.nextSetBit(g + 1)) {
							for (int i : groups[g]) {
								row[i] = input[i];
							}
						}
						rows[(k - from) * n + b] = row;
					}
				}
				double[] outputs = evaluate(rows);
				for (int k = from; k < to; k++) {
					double v = 0;
					for (int b = 0; b < n; b++) {
						v += weights[b] * outputs[(k - from) * n + b];
					}
					values.put(coalitions.get(k), v);
				}
			}
			return values;
		}

		private double[] evaluate(double[][] rows) {
			double[] outputs = new double[rows.length];
			for (int from = 0; from < rows.length; from += maxRowsPerCall) {
				int to = Math.min(rows.length, from + maxRowsPerCall);
				double[][] chunk = (from == 0 && to == rows.length) ? rows : Arrays.copyOfRange(rows, from, to);
				double[] out = model.evaluate(chunk);
				calls++;
				evaluations += chunk.length;
				for (int r = 0; r < out.length; r++) {
					if (!Double.isFinite(out[r])) {
						throw new NonFiniteOutputException(
								"the model's output is not finite on a row mixing the input with a background row");
					}
				}
				System.arraycopy(out, 0, outputs, from, out.length);
			}
			return outputs;
		}

	}

}
