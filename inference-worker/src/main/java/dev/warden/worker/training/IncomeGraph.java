package dev.warden.worker.training;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * The pieces of the income model's graph, shared by the training graph and the inference
 * graph so that both use the same preprocessing constants and the same (flat) variable
 * names.
 */
final class IncomeGraph {

	static final int HIDDEN_UNITS = 64;

	static final String HIDDEN_WEIGHTS = "hidden_weights";

	static final String HIDDEN_BIAS = "hidden_bias";

	static final String OUTPUT_WEIGHTS = "output_weights";

	static final String OUTPUT_BIAS = "output_bias";

	private IncomeGraph() {
	}

	/** One placeholder per raw column, named after the column, each of shape [-1]. */
	static Map<String, Operand<? extends TType>> rawInputs(Ops tf) {
		Map<String, Operand<? extends TType>> inputs = new LinkedHashMap<>();
		for (String column : IncomeSchema.INPUT_COLUMNS) {
			Placeholder.Options shape = Placeholder.shape(Shape.of(-1));
			inputs.put(column,
					IncomeSchema.NUMERIC_COLUMNS.contains(column)
							? tf.withName(column).placeholder(TFloat32.class, shape)
							: tf.withName(column).placeholder(TString.class, shape));
		}
		return inputs;
	}

	/**
	 * Raw columns to a [-1, featureCount] float matrix: numeric columns standardised
	 * (after log1p where configured), categorical columns one-hot against constant
	 * vocabularies plus an out-of-vocabulary slot.
	 */
	@SuppressWarnings("unchecked")
	static Operand<TFloat32> features(Ops tf, Map<String, Operand<? extends TType>> inputs, FeatureStats stats) {
		Operand<TFloat32> one = tf.constant(1f);
		Operand<TFloat32> zero = tf.constant(0f);
		List<Operand<TFloat32>> parts = new ArrayList<>();
		for (String column : IncomeSchema.NUMERIC_COLUMNS) {
			Operand<TFloat32> x = (Operand<TFloat32>) inputs.get(column);
			if (IncomeSchema.LOG_COLUMNS.contains(column)) {
				x = tf.math.log1p(tf.math.maximum(x, zero));
			}
			float[] moments = stats.meanAndStd().get(column);
			Operand<TFloat32> scaled = tf.math.div(tf.math.sub(x, tf.constant(moments[0])), tf.constant(moments[1]));
			parts.add(tf.expandDims(scaled, tf.constant(1)));
		}
		for (String column : IncomeSchema.CATEGORICAL_COLUMNS) {
			Operand<TString> s = (Operand<TString>) inputs.get(column);
			Operand<TString> vocabulary = tf.constant(StandardCharsets.UTF_8, stats.vocabularies().get(column));
			Operand<TFloat32> oneHot = tf.dtypes.cast(tf.math.equal(tf.expandDims(s, tf.constant(1)), vocabulary),
					TFloat32.class);
			Operand<TFloat32> outOfVocabulary = tf.math.sub(one,
					tf.reduceSum(oneHot, tf.constant(1), ReduceSum.keepDims(true)));
			parts.add(oneHot);
			parts.add(outOfVocabulary);
		}
		return tf.concat(parts, tf.constant(1));
	}

	/**
	 * The trainable parameters, created with flat names (Adam's slot names break under
	 * sub-scopes).
	 */
	record Parameters(Variable<TFloat32> hiddenWeights, Variable<TFloat32> hiddenBias, Variable<TFloat32> outputWeights,
			Variable<TFloat32> outputBias) {

		/**
		 * Glorot-uniform weights from a seeded generator, zero biases: deterministic for
		 * a given seed.
		 */
		static Parameters initialised(Ops tf, int featureCount, long seed) {
			Random random = new Random(seed);
			return new Parameters(
					tf.withName(HIDDEN_WEIGHTS).variable(tf.constant(glorot(random, featureCount, HIDDEN_UNITS))),
					tf.withName(HIDDEN_BIAS).variable(tf.constant(new float[HIDDEN_UNITS])),
					tf.withName(OUTPUT_WEIGHTS).variable(tf.constant(glorot(random, HIDDEN_UNITS, 2))),
					tf.withName(OUTPUT_BIAS).variable(tf.constant(new float[2])));
		}

		/**
		 * Uninitialised variables of the right shapes, to be restored from a checkpoint.
		 */
		static Parameters restorable(Ops tf, int featureCount) {
			return new Parameters(
					tf.withName(HIDDEN_WEIGHTS).variable(Shape.of(featureCount, HIDDEN_UNITS), TFloat32.class),
					tf.withName(HIDDEN_BIAS).variable(Shape.of(HIDDEN_UNITS), TFloat32.class),
					tf.withName(OUTPUT_WEIGHTS).variable(Shape.of(HIDDEN_UNITS, 2), TFloat32.class),
					tf.withName(OUTPUT_BIAS).variable(Shape.of(2), TFloat32.class));
		}

		private static float[][] glorot(Random random, int fanIn, int fanOut) {
			float limit = (float) Math.sqrt(6.0 / (fanIn + fanOut));
			float[][] w = new float[fanIn][fanOut];
			for (float[] row : w) {
				for (int j = 0; j < fanOut; j++) {
					row[j] = (random.nextFloat() * 2 - 1) * limit;
				}
			}
			return w;
		}

	}

	/** features [-1, n] → ReLU hidden layer → logits [-1, 2]. */
	static Operand<TFloat32> logits(Ops tf, Operand<TFloat32> features, Parameters p) {
		Operand<TFloat32> hidden = tf.nn
			.relu(tf.nn.biasAdd(tf.linalg.matMul(features, p.hiddenWeights()), p.hiddenBias()));
		return tf.nn.biasAdd(tf.linalg.matMul(hidden, p.outputWeights()), p.outputBias());
	}

}
