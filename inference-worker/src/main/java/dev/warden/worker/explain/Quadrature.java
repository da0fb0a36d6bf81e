package dev.warden.worker.explain;

import java.util.Arrays;

/**
 * Nodes and weights of a quadrature rule on [0, 1]: {@code ∫₀¹ g(α) dα ≈ Σ weights[k] ·
 * g(nodes[k])}. Integrated gradients integrates the model's gradient along the straight
 * path from the baseline to the input with one of these rules.
 *
 * @param nodes the points α at which the integrand is evaluated, ascending
 * @param weights one weight per node; they sum to 1
 */
public record Quadrature(double[] nodes, double[] weights) {

	/**
	 * Largest number of Gauss–Legendre nodes computed (beyond it the Newton iteration
	 * still converges, but no caller needs more).
	 */
	static final int MAX_GAUSS_LEGENDRE_NODES = 4096;

	public Quadrature {
		if (nodes.length != weights.length || nodes.length == 0) {
			throw new IllegalArgumentException("need one weight per node and at least one node");
		}
	}

	public int size() {
		return nodes.length;
	}

	/**
	 * The trapezoidal rule with {@code steps} intervals: nodes {@code k / steps} for k =
	 * 0 … steps (steps + 1 nodes, both ends included), weights {@code 1 / steps} and half
	 * that at the two ends (Captum's "riemann_trapezoid").
	 */
	public static Quadrature trapezoid(int steps) {
		if (steps < 1) {
			throw new IllegalArgumentException("steps must be >= 1, got " + steps);
		}
		double[] nodes = new double[steps + 1];
		double[] weights = new double[steps + 1];
		for (int k = 0; k <= steps; k++) {
			nodes[k] = (double) k / steps;
			weights[k] = (k == 0 || k == steps) ? 0.5 / steps : 1.0 / steps;
		}
		return new Quadrature(nodes, weights);
	}

	/**
	 * The nodes a trapezoidal rule of {@code 2 · steps} intervals adds to one of
	 * {@code steps}: the odd multiples of {@code 1 / (2 · steps)}. The finer rule's sum
	 * is half the coarser one's plus {@code 1 / (2 · steps)} times the integrand summed
	 * over these nodes, so doubling the steps reuses every gradient already computed.
	 */
	static double[] trapezoidRefinement(int steps) {
		double[] nodes = new double[steps];
		for (int k = 0; k < steps; k++) {
			nodes[k] = (2.0 * k + 1) / (2.0 * steps);
		}
		return nodes;
	}

	/**
	 * Gauss–Legendre quadrature with {@code n} nodes, mapped from [-1, 1] to [0, 1]:
	 * exact for polynomials of degree up to 2n − 1. The nodes are the roots of the
	 * Legendre polynomial P_n, found by Newton's method from Chebyshev-like starting
	 * points (P_n and its derivative by the three-term recurrence); the weights are
	 * {@code 2 / ((1 − t²) P_n'(t)²)}, halved for the interval of length 1. Neither end
	 * of the interval is a node.
	 */
	public static Quadrature gaussLegendre(int n) {
		if (n < 1 || n > MAX_GAUSS_LEGENDRE_NODES) {
			throw new IllegalArgumentException("nodes must be in [1, " + MAX_GAUSS_LEGENDRE_NODES + "], got " + n);
		}
		double[] nodes = new double[n];
		double[] weights = new double[n];
		int half = (n + 1) / 2;
		for (int i = 0; i < half; i++) {
			// initial guess for the i-th largest root (Tricomi's approximation)
			double t = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
			double derivative = 0;
			for (int iteration = 0; iteration < 100; iteration++) {
				double[] p = legendre(n, t);
				derivative = p[1];
				double step = p[0] / derivative;
				t -= step;
				if (Math.abs(step) <= 1e-16 * Math.max(1, Math.abs(t))) {
					break;
				}
			}
			derivative = legendre(n, t)[1];
			double w = 2.0 / ((1 - t * t) * derivative * derivative);
			// roots are symmetric: t and -t; map [-1, 1] to [0, 1]
			nodes[i] = (1 - t) / 2;
			nodes[n - 1 - i] = (1 + t) / 2;
			weights[i] = w / 2;
			weights[n - 1 - i] = w / 2;
		}
		if (n % 2 == 1) {
			nodes[n / 2] = 0.5;
		}
		return new Quadrature(nodes, weights);
	}

	/** P_n(t) and P_n'(t), by the recurrence (k+1) P_{k+1} = (2k+1) t P_k − k P_{k−1}. */
	private static double[] legendre(int n, double t) {
		double previous = 1;
		double current = t;
		if (n == 0) {
			return new double[] { 1, 0 };
		}
		for (int k = 1; k < n; k++) {
			double next = ((2.0 * k + 1) * t * current - k * previous) / (k + 1);
			previous = current;
			current = next;
		}
		double derivative = n * (t * current - previous) / (t * t - 1);
		return new double[] { current, derivative };
	}

	@Override
	public boolean equals(Object other) {
		return other instanceof Quadrature q && Arrays.equals(nodes, q.nodes) && Arrays.equals(weights, q.weights);
	}

	@Override
	public int hashCode() {
		return 31 * Arrays.hashCode(nodes) + Arrays.hashCode(weights);
	}

	@Override
	public String toString() {
		return "Quadrature(" + nodes.length + " nodes)";
	}

}
