package dev.warden.worker.training;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;
import org.tensorflow.types.family.TType;

/**
 * Trains the {@code income} reference model with TensorFlow Java in graph mode on the
 * Adult train split and exports it as an inference-only SavedModel into a TF Serving
 * style model store: {@code <store>/income/<version>/}.
 *
 * <p>
 * The exported graph takes raw census records (one placeholder per column) and does all
 * preprocessing itself. An existing version is never overwritten: the model is written
 * into a temporary directory next to the versions and moved into place atomically under
 * the next free version number.
 *
 * <p>
 * Instances are stateless and may be shared. Two trainers exporting into the same store
 * at once never overwrite each other: the one that loses the race for a version number
 * takes the next one.
 */
public final class IncomeModelTrainer {

	/** Validation accuracy that a full (default) training run must reach. */
	public static final double ACCURACY_GATE = 0.84;

	public static final int DEFAULT_STEPS = 3000;

	public static final long DEFAULT_SEED = 42L;

	static final int BATCH_SIZE = 256;

	static final float LEARNING_RATE = 0.003f;

	/**
	 * Training options.
	 *
	 * @param steps number of mini-batch steps (batch size 256); {@link #DEFAULT_STEPS}
	 * for a full run
	 * @param seed seed of weight initialisation and shuffling
	 */
	public record Options(int steps, long seed) {

		public Options {
			if (steps < 1) {
				throw new IllegalArgumentException("steps must be >= 1, got " + steps);
			}
		}

		public static Options defaults() {
			return new Options(DEFAULT_STEPS, DEFAULT_SEED);
		}

		/** Whether this is a full training run, to which the accuracy gate applies. */
		public boolean isFullTraining() {
			return steps >= DEFAULT_STEPS;
		}

	}

	/**
	 * Outcome of one training run.
	 *
	 * @param model model name ({@code income})
	 * @param version the exported version number
	 * @param versionDir directory holding {@code saved_model.pb} and {@code variables/}
	 * @param validationAccuracy accuracy of the exported model on the validation split
	 * @param trainingTime wall time of training, evaluation and export
	 */
	public record TrainingResult(String model, long version, Path versionDir, double validationAccuracy,
			Options options, Duration trainingTime) {

		public boolean passesAccuracyGate() {
			return validationAccuracy >= ACCURACY_GATE;
		}

	}

	/**
	 * Trains with the given options and exports a new version of {@code income} into
	 * {@code store}.
	 */
	public TrainingResult trainAndExport(Path store, Options options) {
		TrainingLoop.Trained trained = TrainingLoop.trainAndExport(store, options.steps(), options.seed(),
				IncomeModel::new);
		return new TrainingResult(trained.model(), trained.version(), trained.versionDir(),
				trained.validationAccuracy(), options, trained.trainingTime());
	}

	/**
	 * What is specific to {@code income}: the Adult splits and the feature statistics of
	 * the train split, an MLP trained on pre-computed features, and an exported graph
	 * that takes one raw placeholder per census column.
	 */
	private static final class IncomeModel extends TrainingLoop.Model<AdultDataset> {

		private final FeatureStats stats;

		IncomeModel() {
			super(IncomeSchema.MODEL_NAME, BATCH_SIZE, LEARNING_RATE, AdultDataset.train(), AdultDataset.validation());
			this.stats = FeatureStats.fit(train);
		}

		/**
		 * The MLP on a feature matrix; the preprocessing part of the graph computes the
		 * matrix of the whole train split once, before the first step.
		 */
		@Override
		TrainingLoop.TrainingGraph trainingGraph(Ops tf, long seed) {
			int featureCount = stats.featureCount();
			Map<String, Operand<? extends TType>> raw = IncomeGraph.rawInputs(tf);
			Operand<TFloat32> rawFeatures = IncomeGraph.features(tf, raw, stats);
			Placeholder<TFloat32> features = tf.withName("train_features")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, featureCount)));
			Placeholder<TFloat32> labels = TrainingLoop.labels(tf);
			IncomeGraph.Parameters parameters = IncomeGraph.Parameters.initialised(tf, featureCount, seed);
			Operand<TFloat32> logits = IncomeGraph.logits(tf, features, parameters);
			return new TrainingLoop.TrainingGraph() {

				private float[] matrix;

				private final float[] batchFeatures = new float[BATCH_SIZE * featureCount];

				@Override
				public Operand<TFloat32> logits() {
					return logits;
				}

				@Override
				public Placeholder<TFloat32> labels() {
					return labels;
				}

				@Override
				public void prepare(Session session) {
					try (TrainingLoop.Tensors tensors = new TrainingLoop.Tensors()) {
						Session.Runner runner = session.runner();
						feedRaw(runner, raw, train, tensors);
						try (Result result = runner.fetch(rawFeatures).run()) {
							matrix = new float[train.size() * featureCount];
							((TFloat32) result.get(0)).copyTo(DataBuffers.of(matrix, false, false));
						}
					}
				}

				@Override
				public void feedBatch(Session.Runner runner, int[] rows, TrainingLoop.Tensors tensors) {
					for (int b = 0; b < rows.length; b++) {
						System.arraycopy(matrix, rows[b] * featureCount, batchFeatures, b * featureCount, featureCount);
					}
					runner.feed(features, tensors
						.add(TFloat32.tensorOf(Shape.of(rows.length, featureCount), DataBuffers.of(batchFeatures))));
				}

			};
		}

		/**
		 * Raw inputs → preprocessing → MLP → probabilities, probability and class id;
		 * signature {@code serving_default} over every raw input.
		 */
		@Override
		TrainingLoop.InferenceGraph<AdultDataset> inferenceGraph(Ops tf) {
			Map<String, Operand<? extends TType>> raw = IncomeGraph.rawInputs(tf);
			Operand<TFloat32> features = IncomeGraph.features(tf, raw, stats);
			IncomeGraph.Parameters parameters = IncomeGraph.Parameters.restorable(tf, stats.featureCount());
			Operand<TFloat32> logits = IncomeGraph.logits(tf, features, parameters);
			Operand<TFloat32> probabilities = tf.withName(IncomeSchema.OUTPUT_PROBABILITIES).nn.softmax(logits);
			Operand<TFloat32> probability = tf.withName(IncomeSchema.OUTPUT_PROBABILITY)
				.gather(probabilities, tf.constant(1), tf.constant(1));
			Operand<TInt64> classId = tf.withName(IncomeSchema.OUTPUT_CLASS_ID).math.argMax(logits, tf.constant(1));
			Signature.Builder signature = Signature.builder(IncomeSchema.SIGNATURE)
				.methodName(IncomeSchema.METHOD_NAME);
			raw.forEach(signature::input);
			signature.output(IncomeSchema.OUTPUT_PROBABILITY, probability)
				.output(IncomeSchema.OUTPUT_CLASS_ID, classId)
				.output(IncomeSchema.OUTPUT_PROBABILITIES, probabilities);
			return new TrainingLoop.InferenceGraph<>(List.of(signature.build()), classId,
					(runner, data, tensors) -> feedRaw(runner, raw, data, tensors));
		}

		/** Every column of {@code data} into its raw placeholder. */
		private static void feedRaw(Session.Runner runner, Map<String, Operand<? extends TType>> raw, AdultDataset data,
				TrainingLoop.Tensors tensors) {
			data.numeric()
				.forEach((name, values) -> runner.feed(raw.get(name), tensors.add(TFloat32.vectorOf(values))));
			data.categorical()
				.forEach((name, values) -> runner.feed(raw.get(name), tensors.add(TString.vectorOf(values))));
		}

	}

}
