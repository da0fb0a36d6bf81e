package dev.warden.worker.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The training run every reference model shares, written once: seeded mini-batches over
 * the train split (reshuffled whenever a pass runs out), softmax cross-entropy on one-hot
 * labels of the two classes minimised by Adam, a checkpoint of the variables, a clean
 * inference graph rebuilt and restored from it, validation accuracy, and the export (the
 * model's signatures and its {@code assets.extra/} files) published under the next free
 * version number (see {@link ModelStoreExport}).
 *
 * <p>
 * A model contributes only what is its own through {@link ReferenceModel}: its data, its
 * training graph (how a batch is fed), its inference graph (the signatures it exports)
 * and its extra files.
 */
final class TrainingLoop {

	/** Both reference models are binary classifiers: labels are one-hot of width 2. */
	static final int CLASSES = 2;

	/** Mixed into the seed of the batch order, so that it differs from the weights'. */
	private static final long SHUFFLE_SALT = 0x5DEECE66DL;

	/**
	 * Training runs every op in the calling thread and every kernel on one thread, in
	 * threads of its own session (not the process-wide pools the serving sessions share):
	 * how a multi-threaded kernel splits a sum depends on the number of threads, so that
	 * the same seed would give different weights on machines with different numbers of
	 * cores. Together with {@link OrderedAdam}, a seed gives the same weights bit for bit
	 * for the same library and CPU instruction set. It costs nothing measurable for these
	 * small models (300 steps of {@code income}: 4.6 s either way).
	 */
	static final ConfigProto SINGLE_THREADED = ConfigProto.newBuilder()
		.setInterOpParallelismThreads(1)
		.setIntraOpParallelismThreads(1)
		.setUsePerSessionThreads(true)
		.build();

	private TrainingLoop() {
	}

	/** The model-specific part of a training run. */
	interface ReferenceModel {

		String name();

		int batchSize();

		float learningRate();

		/** Labels (0 or 1) of the train split, one per training example. */
		int[] trainLabels();

		/** Labels (0 or 1) of the validation split. */
		int[] validationLabels();

		/**
		 * Adds the model's training graph (its inputs and its logits, with trainable
		 * variables initialised from {@code seed}); {@code labels} is the one-hot labels
		 * placeholder [-1, 2] of the batch, one row per example.
		 */
		TrainingGraph trainingGraph(Ops tf, Operand<TFloat32> labels, long seed);

		/**
		 * Adds the inference graph, whose variables have the training graph's names (so
		 * that they can be restored from its checkpoint).
		 */
		InferenceGraph inferenceGraph(Ops tf);

		/**
		 * Writes the model's files into {@code assetsExtra} (the export's
		 * {@code assets.extra/}, already created), once the SavedModel is exported.
		 */
		void writeAssets(Path assetsExtra, long seed) throws IOException;

	}

	/** The training graph of a model. */
	interface TrainingGraph {

		/** Logits [-1, 2] of the batch fed by {@link #feed}. */
		Operand<TFloat32> logits();

		/**
		 * Called once the whole graph exists and before the first step: a chance to
		 * precompute the inputs of every example with the graph's own preprocessing.
		 */
		void prepare(Session session);

		/**
		 * Feeds the training examples {@code rows} (positions in the train split) as one
		 * batch; returns the tensors to close after the step.
		 */
		List<Tensor> feed(Session.Runner runner, int[] rows);

	}

	/** The inference graph of a model. */
	interface InferenceGraph {

		/** The signatures to export, the serving signature first. */
		List<Signature> signatures();

		/** The predicted class of every validation example. */
		long[] predictValidation(Session session);

	}

	/**
	 * @param version the exported version number
	 * @param versionDir where it is
	 * @param validationAccuracy accuracy on the validation split
	 */
	record Outcome(long version, Path versionDir, double validationAccuracy) {
	}

	static Outcome run(ReferenceModel model, Path store, int steps, long seed) {
		Path modelDir = store.resolve(model.name());
		Path checkpointDir = null;
		Path exportDir = null;
		try {
			Files.createDirectories(modelDir);
			checkpointDir = Files.createTempDirectory(model.name() + "-checkpoint");
			String checkpoint = checkpointDir.resolve("ckpt").toString();
			train(model, steps, seed, checkpoint);
			exportDir = ModelStoreExport.temporaryExportDir(modelDir);
			double accuracy = export(model, checkpoint, exportDir, seed);
			Path versionDir = ModelStoreExport.publish(modelDir, exportDir);
			long version = Long.parseLong(versionDir.getFileName().toString());
			return new Outcome(version, versionDir, accuracy);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("training the " + model.name() + " model failed", ex);
		}
		finally {
			ModelStoreExport.deleteQuietly(checkpointDir);
			ModelStoreExport.deleteQuietly(exportDir);
		}
	}

	private static void train(ReferenceModel model, int steps, long seed, String checkpoint) {
		try (Graph graph = new Graph(); Session session = new Session(graph, SINGLE_THREADED)) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> labels = tf.withName("train_labels")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, CLASSES)));
			TrainingGraph training = model.trainingGraph(tf, labels, seed);
			Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(training.logits(), labels).loss(),
					tf.constant(0));
			Op minimize = OrderedAdam.minimize(graph, tf, loss, model.learningRate());
			training.prepare(session);

			int[] trainLabels = model.trainLabels();
			int n = trainLabels.length;
			int batchSize = model.batchSize();
			int[] order = new int[n];
			for (int i = 0; i < n; i++) {
				order[i] = i;
			}
			Random shuffle = new Random(seed ^ SHUFFLE_SALT);
			int[] batch = new int[batchSize];
			float[] batchLabels = new float[batchSize * CLASSES];
			int cursor = n;
			for (int step = 0; step < steps; step++) {
				if (cursor + batchSize > n) {
					shuffleInPlace(order, shuffle);
					cursor = 0;
				}
				for (int b = 0; b < batchSize; b++) {
					int row = order[cursor + b];
					batch[b] = row;
					int label = trainLabels[row];
					batchLabels[CLASSES * b] = label == 0 ? 1f : 0f;
					batchLabels[CLASSES * b + 1] = label == 1 ? 1f : 0f;
				}
				cursor += batchSize;
				Session.Runner runner = session.runner();
				List<Tensor> fed = training.feed(runner, batch);
				try (TFloat32 y = TFloat32.tensorOf(Shape.of(batchSize, CLASSES), DataBuffers.of(batchLabels))) {
					runner.feed(labels, y).addTarget(minimize).run().close();
				}
				finally {
					fed.forEach(Tensor::close);
				}
			}
			session.save(checkpoint);
		}
	}

	/**
	 * Rebuilds the clean inference graph, restores the trained variables, measures
	 * validation accuracy and exports the SavedModel with the model's signatures and
	 * extra files.
	 */
	private static double export(ReferenceModel model, String checkpoint, Path exportDir, long seed)
			throws IOException {
		try (Graph graph = new Graph(); Session session = new Session(graph, SINGLE_THREADED)) {
			Ops tf = Ops.create(graph);
			InferenceGraph inference = model.inferenceGraph(tf);
			session.restore(checkpoint);
			double accuracy = accuracy(inference.predictValidation(session), model.validationLabels());
			SavedModelBundle.exporter(exportDir.toString())
				.withTags("serve")
				.withSession(session)
				.withSignatures(inference.signatures().toArray(Signature[]::new))
				.export();
			model.writeAssets(Files.createDirectories(exportDir.resolve("assets.extra")), seed);
			return accuracy;
		}
	}

	static double accuracy(long[] predicted, int[] labels) {
		int correct = 0;
		for (int i = 0; i < predicted.length; i++) {
			if (predicted[i] == labels[i]) {
				correct++;
			}
		}
		return (double) correct / predicted.length;
	}

	private static void shuffleInPlace(int[] order, Random random) {
		for (int i = order.length - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}

}
