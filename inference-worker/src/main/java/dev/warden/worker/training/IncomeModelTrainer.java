package dev.warden.worker.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.op.Op;
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
		long started = System.nanoTime();
		AdultDataset train = AdultDataset.train();
		AdultDataset validation = AdultDataset.validation();
		FeatureStats stats = FeatureStats.fit(train);
		Path modelDir = store.resolve(IncomeSchema.MODEL_NAME);
		Path checkpointDir = null;
		Path exportDir = null;
		try {
			Files.createDirectories(modelDir);
			checkpointDir = Files.createTempDirectory("income-checkpoint");
			String checkpoint = checkpointDir.resolve("ckpt").toString();
			train(train, stats, options, checkpoint);
			exportDir = ModelStoreExport.temporaryExportDir(modelDir);
			double accuracy = exportInferenceModel(stats, checkpoint, exportDir, validation);
			Path versionDir = ModelStoreExport.publish(modelDir, exportDir);
			long version = Long.parseLong(versionDir.getFileName().toString());
			return new TrainingResult(IncomeSchema.MODEL_NAME, version, versionDir, accuracy, options,
					Duration.ofNanos(System.nanoTime() - started));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("training the income model failed", ex);
		}
		finally {
			ModelStoreExport.deleteQuietly(checkpointDir);
			ModelStoreExport.deleteQuietly(exportDir);
		}
	}

	/**
	 * Trains the MLP on pre-computed features and saves its variables into a checkpoint.
	 */
	private void train(AdultDataset train, FeatureStats stats, Options options, String checkpoint) {
		int featureCount = stats.featureCount();
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Map<String, Operand<? extends TType>> raw = IncomeGraph.rawInputs(tf);
			Operand<TFloat32> rawFeatures = IncomeGraph.features(tf, raw, stats);

			Placeholder<TFloat32> features = tf.withName("train_features")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, featureCount)));
			Placeholder<TFloat32> labels = tf.withName("train_labels")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
			IncomeGraph.Parameters parameters = IncomeGraph.Parameters.initialised(tf, featureCount, options.seed());
			Operand<TFloat32> logits = IncomeGraph.logits(tf, features, parameters);
			Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss(),
					tf.constant(0));
			Op minimize = new Adam(graph, LEARNING_RATE).minimize(loss);

			float[] matrix = computeFeatures(session, raw, rawFeatures, train, featureCount);
			int n = train.size();
			int[] order = new int[n];
			for (int i = 0; i < n; i++) {
				order[i] = i;
			}
			Random shuffle = new Random(options.seed() ^ 0x5DEECE66DL);
			float[] batchFeatures = new float[BATCH_SIZE * featureCount];
			float[] batchLabels = new float[BATCH_SIZE * 2];
			int cursor = n;
			for (int step = 0; step < options.steps(); step++) {
				if (cursor + BATCH_SIZE > n) {
					shuffleInPlace(order, shuffle);
					cursor = 0;
				}
				for (int b = 0; b < BATCH_SIZE; b++) {
					int row = order[cursor + b];
					System.arraycopy(matrix, row * featureCount, batchFeatures, b * featureCount, featureCount);
					int label = train.labels()[row];
					batchLabels[2 * b] = label == 0 ? 1f : 0f;
					batchLabels[2 * b + 1] = label == 1 ? 1f : 0f;
				}
				cursor += BATCH_SIZE;
				try (TFloat32 x = TFloat32.tensorOf(Shape.of(BATCH_SIZE, featureCount), DataBuffers.of(batchFeatures));
						TFloat32 y = TFloat32.tensorOf(Shape.of(BATCH_SIZE, 2), DataBuffers.of(batchLabels))) {
					session.runner().feed(features, x).feed(labels, y).addTarget(minimize).run().close();
				}
			}
			session.save(checkpoint);
		}
	}

	private static float[] computeFeatures(Session session, Map<String, Operand<? extends TType>> raw,
			Operand<TFloat32> rawFeatures, AdultDataset data, int featureCount) {
		Map<String, Tensor> inputs = rawTensors(data);
		try {
			Session.Runner runner = session.runner();
			raw.forEach((name, placeholder) -> runner.feed(placeholder, inputs.get(name)));
			try (Result result = runner.fetch(rawFeatures).run()) {
				TFloat32 out = (TFloat32) result.get(0);
				float[] matrix = new float[data.size() * featureCount];
				out.copyTo(DataBuffers.of(matrix, false, false));
				return matrix;
			}
		}
		finally {
			inputs.values().forEach(Tensor::close);
		}
	}

	/**
	 * Rebuilds a clean inference graph (raw inputs → preprocessing → MLP → outputs),
	 * restores the trained variables, measures validation accuracy and exports the
	 * SavedModel.
	 */
	private double exportInferenceModel(FeatureStats stats, String checkpoint, Path exportDir, AdultDataset validation)
			throws IOException {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Map<String, Operand<? extends TType>> raw = IncomeGraph.rawInputs(tf);
			Operand<TFloat32> features = IncomeGraph.features(tf, raw, stats);
			IncomeGraph.Parameters parameters = IncomeGraph.Parameters.restorable(tf, stats.featureCount());
			Operand<TFloat32> logits = IncomeGraph.logits(tf, features, parameters);
			Operand<TFloat32> probabilities = tf.withName(IncomeSchema.OUTPUT_PROBABILITIES).nn.softmax(logits);
			Operand<TFloat32> probability = tf.withName(IncomeSchema.OUTPUT_PROBABILITY)
				.gather(probabilities, tf.constant(1), tf.constant(1));
			Operand<TInt64> classId = tf.withName(IncomeSchema.OUTPUT_CLASS_ID).math.argMax(logits, tf.constant(1));
			session.restore(checkpoint);

			Signature.Builder signature = Signature.builder(IncomeSchema.SIGNATURE)
				.methodName(IncomeSchema.METHOD_NAME);
			raw.forEach(signature::input);
			signature.output(IncomeSchema.OUTPUT_PROBABILITY, probability)
				.output(IncomeSchema.OUTPUT_CLASS_ID, classId)
				.output(IncomeSchema.OUTPUT_PROBABILITIES, probabilities);

			double accuracy = accuracy(session, raw, classId, validation);
			SavedModelBundle.exporter(exportDir.toString())
				.withTags("serve")
				.withSession(session)
				.withSignature(signature.build())
				.export();
			return accuracy;
		}
	}

	private static double accuracy(Session session, Map<String, Operand<? extends TType>> raw, Operand<TInt64> classId,
			AdultDataset data) {
		Map<String, Tensor> inputs = rawTensors(data);
		try {
			Session.Runner runner = session.runner();
			raw.forEach((name, placeholder) -> runner.feed(placeholder, inputs.get(name)));
			try (Result result = runner.fetch(classId).run()) {
				long[] predicted = StdArrays.array1dCopyOf((TInt64) result.get(0));
				int correct = 0;
				for (int i = 0; i < predicted.length; i++) {
					if (predicted[i] == data.labels()[i]) {
						correct++;
					}
				}
				return (double) correct / predicted.length;
			}
		}
		finally {
			inputs.values().forEach(Tensor::close);
		}
	}

	private static Map<String, Tensor> rawTensors(AdultDataset data) {
		Map<String, Tensor> tensors = new HashMap<>();
		data.numeric().forEach((name, values) -> tensors.put(name, TFloat32.vectorOf(values)));
		data.categorical().forEach((name, values) -> tensors.put(name, TString.vectorOf(values)));
		return tensors;
	}

	private static void shuffleInPlace(int[] order, Random random) {
		for (int i = order.length - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}

	static long nextVersion(Path modelDir) throws IOException {
		return ModelStoreExport.nextVersion(modelDir);
	}

}
