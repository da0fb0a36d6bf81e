package dev.warden.worker.training;

import java.util.ArrayList;
import java.util.List;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.types.TFloat32;

/**
 * One Adam step (Kingma and Ba, 2015) over every variable of a graph, computed by
 * TensorFlow's own {@code ApplyAdam} kernel, with the order of the step fixed: every
 * gradient first, then every variable's update, then the decay of the bias corrections
 * {@code β1^t} and {@code β2^t}.
 *
 * <p>
 * TensorFlow Java's {@code Adam} (1.1.0) adds the assignments of {@code β1^t} and
 * {@code β2^t} beside the updates without ordering them: some {@code ApplyAdam} ops read
 * the decayed value and others the old one, differently from one process to the next, so
 * that two training runs with the same seed gave different models (seen as a validation
 * accuracy of 0.65 to 0.77 after two steps). With the order fixed and every kernel on one
 * thread ({@link TrainingLoop#SINGLE_THREADED}), a seed gives the same weights bit for
 * bit. The hyper-parameters are Adam's usual ones, as in TensorFlow's optimizer.
 */
final class OrderedAdam {

	static final float BETA1 = 0.9f;

	static final float BETA2 = 0.999f;

	static final float EPSILON = 1e-8f;

	private static final String VARIABLE = "VariableV2";

	private OrderedAdam() {
	}

	/**
	 * Adds the step that minimises {@code loss} over every variable of {@code graph} (all
	 * of them trainable {@code float} tensors in the reference models) and returns the op
	 * to run for one step.
	 */
	static Op minimize(Graph graph, Ops tf, Operand<TFloat32> loss, float learningRate) {
		List<Output<TFloat32>> variables = variables(graph);
		if (variables.isEmpty()) {
			throw new IllegalStateException("the graph has no variable to train");
		}
		Output<?>[] gradients = graph.addGradients(loss.asOutput(), variables.toArray(Output[]::new));
		List<Op> computed = new ArrayList<>(List.of(gradients));
		Ops afterGradients = tf.withControlDependencies(computed);

		Variable<TFloat32> beta1Power = tf.withName("adam_beta1_power").variable(tf.constant(BETA1));
		Variable<TFloat32> beta2Power = tf.withName("adam_beta2_power").variable(tf.constant(BETA2));
		Operand<TFloat32> rate = tf.constant(learningRate);
		Operand<TFloat32> beta1 = tf.constant(BETA1);
		Operand<TFloat32> beta2 = tf.constant(BETA2);
		Operand<TFloat32> epsilon = tf.constant(EPSILON);

		List<Op> updates = new ArrayList<>();
		for (int i = 0; i < variables.size(); i++) {
			Output<TFloat32> variable = variables.get(i);
			String name = variable.op().name();
			Variable<TFloat32> m = tf.withName(name + "_adam_m").variable(zerosLike(tf, variable));
			Variable<TFloat32> v = tf.withName(name + "_adam_v").variable(zerosLike(tf, variable));
			updates.add(afterGradients.train.applyAdam(variable, m, v, beta1Power, beta2Power, rate, beta1, beta2,
					epsilon, gradient(gradients[i]), ApplyAdam.useLocking(true)));
		}
		Ops afterUpdates = tf.withControlDependencies(updates);
		List<Op> decays = List.of(afterUpdates.assign(beta1Power, afterUpdates.math.mul(beta1Power, beta1)),
				afterUpdates.assign(beta2Power, afterUpdates.math.mul(beta2Power, beta2)));
		return tf.withControlDependencies(decays).withName("adam_step").noOp();
	}

	@SuppressWarnings("unchecked")
	private static List<Output<TFloat32>> variables(Graph graph) {
		List<Output<TFloat32>> variables = new ArrayList<>();
		graph.operations().forEachRemaining(op -> {
			if (VARIABLE.equals(op.type())) {
				Output<?> output = op.output(0);
				if (output.type() != TFloat32.class) {
					throw new IllegalStateException("variable " + op.name() + " is not float32");
				}
				variables.add((Output<TFloat32>) output);
			}
		});
		return variables;
	}

	@SuppressWarnings("unchecked")
	private static Output<TFloat32> gradient(Output<?> gradient) {
		return (Output<TFloat32>) gradient;
	}

	private static Operand<TFloat32> zerosLike(Ops tf, Output<TFloat32> variable) {
		return tf.zeros(tf.constant(variable.shape().asArray()), TFloat32.class);
	}

}
