package dev.warden.worker.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * {@link OrderedAdam} against Adam computed by hand: several variables (so that a step
 * has several {@code ApplyAdam} ops that could see the bias corrections before or after
 * their decay), a quadratic loss whose gradient is known, three steps.
 */
class OrderedAdamTests {

	private static final int VARIABLES = 8;

	private static final int SIZE = 64;

	private static final float RATE = 0.1f;

	@Test
	void everyUpdateOfAStepUsesThatStepsBiasCorrectionAndThePowersDecayAfterwards() {
		Random random = new Random(11);
		float[][] start = new float[VARIABLES][SIZE];
		float[][] target = new float[VARIABLES][SIZE];
		for (int k = 0; k < VARIABLES; k++) {
			for (int i = 0; i < SIZE; i++) {
				start[k][i] = random.nextFloat() * 4 - 2;
				target[k][i] = random.nextFloat() * 4 - 2;
			}
		}
		int steps = 3;
		double[][] expected = adamByHand(start, target, steps);

		try (Graph graph = new Graph(); Session session = new Session(graph, TrainingLoop.SINGLE_THREADED)) {
			Ops tf = Ops.create(graph);
			List<Variable<TFloat32>> variables = new ArrayList<>();
			Operand<TFloat32> loss = null;
			for (int k = 0; k < VARIABLES; k++) {
				Variable<TFloat32> w = tf.withName("w" + k).variable(tf.constant(start[k]));
				variables.add(w);
				// 0.5 * sum((w - c)^2): the gradient is w - c
				Operand<TFloat32> term = tf.math.mul(tf.constant(0.5f),
						tf.reduceSum(tf.math.square(tf.math.sub(w, tf.constant(target[k]))), tf.constant(0)));
				loss = (loss == null) ? term : tf.math.add(loss, term);
			}
			Op step = OrderedAdam.minimize(graph, tf, loss, RATE);
			for (int s = 0; s < steps; s++) {
				session.runner().addTarget(step).run().close();
			}
			for (int k = 0; k < VARIABLES; k++) {
				try (Result result = session.runner().fetch(variables.get(k)).run()) {
					TFloat32 w = (TFloat32) result.get(0);
					for (int i = 0; i < SIZE; i++) {
						assertThat((double) w.getFloat(i)).as("w%d[%d]", k, i).isCloseTo(expected[k][i], within(1e-5));
					}
				}
			}
			try (Result result = session.runner().fetch("adam_beta1_power").fetch("adam_beta2_power").run()) {
				assertThat((double) ((TFloat32) result.get(0)).getFloat())
					.isCloseTo(Math.pow(OrderedAdam.BETA1, steps + 1), within(1e-6));
				assertThat((double) ((TFloat32) result.get(1)).getFloat())
					.isCloseTo(Math.pow(OrderedAdam.BETA2, steps + 1), within(1e-6));
			}
		}
	}

	/**
	 * Adam as TensorFlow's ApplyAdam kernel defines it, step t = 1, 2, ...: m = β1 m + (1
	 * - β1) g; v = β2 v + (1 - β2) g²; w -= rate · √(1 - β2^t) / (1 - β1^t) · m / (√v +
	 * ε).
	 */
	private static double[][] adamByHand(float[][] start, float[][] target, int steps) {
		double b1 = OrderedAdam.BETA1;
		double b2 = OrderedAdam.BETA2;
		double[][] w = new double[start.length][];
		for (int k = 0; k < start.length; k++) {
			w[k] = new double[start[k].length];
			for (int i = 0; i < w[k].length; i++) {
				w[k][i] = start[k][i];
			}
		}
		double[][] m = new double[start.length][start[0].length];
		double[][] v = new double[start.length][start[0].length];
		for (int t = 1; t <= steps; t++) {
			double rate = RATE * Math.sqrt(1 - Math.pow(b2, t)) / (1 - Math.pow(b1, t));
			for (int k = 0; k < w.length; k++) {
				for (int i = 0; i < w[k].length; i++) {
					double g = w[k][i] - target[k][i];
					m[k][i] = b1 * m[k][i] + (1 - b1) * g;
					v[k][i] = b2 * v[k][i] + (1 - b2) * g * g;
					w[k][i] -= rate * m[k][i] / (Math.sqrt(v[k][i]) + OrderedAdam.EPSILON);
				}
			}
		}
		return w;
	}

}
