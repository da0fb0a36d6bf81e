package dev.warden.worker.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;

/**
 * The training skeleton the reference models share, in TensorFlow Java's graph mode:
 * <ol>
 * <li>the model's training graph, minimised with Adam;</li>
 * <li>seeded mini-batches: the train split is shuffled at the start of every epoch (a
 * {@link Random} seeded from the run's seed) and cut into batches of the model's size,
 * for the given number of steps;</li>
 * <li>the trained variables saved into a checkpoint;</li>
 * <li>a clean inference graph rebuilt (raw inputs → preprocessing → model → outputs), the
 * checkpoint restored into it and its validation accuracy measured;</li>
 * <li>the SavedModel exported with every signature the model contributes and published
 * into the model store under the next free version ({@link ModelStoreExport}).</li>
 * </ol>
 * A {@link Model} supplies what is specific: its data, both graphs, how a batch and a
 * split are fed, and the exported signatures.
 */
final class TrainingLoop {

	/** A labelled split: label 0 or 1 per example. */
	interface LabelledData {

		int size();

		int[] labels();

	}

	/**
	 * One training run of one model, prepared (data loaded, statistics fitted) before the
	 * loop starts: its name, batch size, learning rate and splits, and its graphs.
	 */
	abstract static class Model<D extends LabelledData> {

		final String name;

		final int batchSize;

		final float learningRate;

		final D train;

		final D validation;

		Model(String name, int batchSize, float learningRate, D train, D validation) {
			this.name = name;
			this.batchSize = batchSize;
			this.learningRate = learningRate;
			this.train = train;
			this.validation = validation;
		}

		/**
		 * Builds the training graph (with the variables initialised from {@code seed}) up
		 * to its loss.
		 */
		abstract TrainingGraph trainingGraph(Ops tf, long seed);

		/**
		 * Builds the inference graph, with variables that the checkpoint restores, and
		 * the signatures to export.
		 */
		abstract InferenceGraph<D> inferenceGraph(Ops tf);

	}

	/**
	 * The model's training graph: its logits, trained with softmax cross-entropy against
	 * one-hot labels (the loop computes the loss and feeds the labels).
	 */
	interface TrainingGraph {

		Operand<TFloat32> logits();

		/** The one-hot labels, made by {@link TrainingLoop#labels}. */
		Placeholder<TFloat32> labels();

		/**
		 * Runs what can be computed once for the whole train split before the first step
		 * (e.g. its preprocessing), in the training session.
		 */
		void prepare(Session session);

		/** Feeds the model's inputs of the train split's {@code rows}. */
		void feedBatch(Session.Runner runner, int[] rows, Tensors tensors);

	}

	/**
	 * The model's inference graph, as it is exported.
	 *
	 * @param signatures every signature the SavedModel exports ({@code serving_default}
	 * among them); a model adds signatures here
	 * @param classId the predicted class (0 or 1) of each example
	 * @param feeder feeds every example of a split into the graph's raw inputs
	 */
	record InferenceGraph<D>(List<Signature> signatures, Operand<TInt64> classId, Feeder<D> feeder) {

		InferenceGraph {
			signatures = List.copyOf(signatures);
		}

	}

	@FunctionalInterface
	interface Feeder<D> {

		void feed(Session.Runner runner, D data, Tensors tensors);

	}

	/** Tensors made for one run of the session, closed together after it. */
	static final class Tensors implements AutoCloseable {

		private final List<Tensor> open = new ArrayList<>();

		<T extends Tensor> T add(T tensor) {
			open.add(tensor);
			return tensor;
		}

		@Override
		public void close() {
			open.forEach(Tensor::close);
			open.clear();
		}

	}

	/**
	 * What a run produced.
	 *
	 * @param trainingTime wall time of data loading, training, evaluation and export
	 */
	record Trained(String model, long version, Path versionDir, double validationAccuracy, Duration trainingTime) {
	}

	private TrainingLoop() {
	}

	/**
	 * Prepares the model, trains it for {@code steps} mini-batches and exports a new
	 * version of it into {@code store} ({@code <store>/<model>/<version>/}).
	 */
	static <D extends LabelledData> Trained trainAndExport(Path store, int steps, long seed,
			Supplier<? extends Model<D>> prepare) {
		long started = System.nanoTime();
		Model<D> model = prepare.get();
		Path modelDir = store.resolve(model.name);
		Path checkpointDir = null;
		Path exportDir = null;
		try {
			Files.createDirectories(modelDir);
			checkpointDir = Files.createTempDirectory(model.name + "-checkpoint");
			String checkpoint = checkpointDir.resolve("ckpt").toString();
			train(model, steps, seed, checkpoint);
			exportDir = ModelStoreExport.temporaryExportDir(modelDir);
			double accuracy = exportInferenceModel(model, checkpoint, exportDir);
			Path versionDir = ModelStoreExport.publish(modelDir, exportDir);
			long version = Long.parseLong(versionDir.getFileName().toString());
			return new Trained(model.name, version, versionDir, accuracy,
					Duration.ofNanos(System.nanoTime() - started));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("training the " + model.name + " model failed", ex);
		}
		finally {
			ModelStoreExport.deleteQuietly(checkpointDir);
			ModelStoreExport.deleteQuietly(exportDir);
		}
	}

	private static void train(Model<?> model, int steps, long seed, String checkpoint) {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			TrainingGraph training = model.trainingGraph(tf, seed);
			Operand<TFloat32> loss = tf.math
				.mean(tf.nn.softmaxCrossEntropyWithLogits(training.logits(), training.labels()).loss(), tf.constant(0));
			Op minimize = new Adam(graph, model.learningRate).minimize(loss);
			training.prepare(session);
			int n = model.train.size();
			int batchSize = model.batchSize;
			int[] order = new int[n];
			for (int i = 0; i < n; i++) {
				order[i] = i;
			}
			Random shuffle = new Random(seed ^ 0x5DEECE66DL);
			int[] rows = new int[batchSize];
			float[] labels = new float[batchSize * 2];
			int cursor = n;
			for (int step = 0; step < steps; step++) {
				if (cursor + batchSize > n) {
					shuffleInPlace(order, shuffle);
					cursor = 0;
				}
				System.arraycopy(order, cursor, rows, 0, batchSize);
				cursor += batchSize;
				try (Tensors tensors = new Tensors()) {
					Session.Runner runner = session.runner();
					training.feedBatch(runner, rows, tensors);
					runner.feed(training.labels(), tensors.add(TFloat32.tensorOf(Shape.of(batchSize, 2),
							DataBuffers.of(oneHotLabels(model.train.labels(), rows, labels)))));
					runner.addTarget(minimize).run().close();
				}
			}
			session.save(checkpoint);
		}
	}

	private static <D extends LabelledData> double exportInferenceModel(Model<D> model, String checkpoint,
			Path exportDir) throws IOException {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			InferenceGraph<D> inference = model.inferenceGraph(tf);
			session.restore(checkpoint);
			double accuracy = accuracy(session, inference, model.validation);
			SavedModelBundle.Exporter exporter = SavedModelBundle.exporter(exportDir.toString())
				.withTags("serve")
				.withSession(session);
			inference.signatures().forEach(exporter::withSignature);
			exporter.export();
			return accuracy;
		}
	}

	private static <D extends LabelledData> double accuracy(Session session, InferenceGraph<D> inference, D data) {
		try (Tensors tensors = new Tensors()) {
			Session.Runner runner = session.runner();
			inference.feeder().feed(runner, data, tensors);
			try (Result result = runner.fetch(inference.classId()).run()) {
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
	}

	/**
	 * The placeholder of the one-hot labels, {@code train_labels} of shape
	 * {@code [-1, 2]}; a model creates it where its graph needs it (e.g. to take the
	 * batch size from it).
	 */
	static Placeholder<TFloat32> labels(Ops tf) {
		return tf.withName("train_labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
	}

	/**
	 * The one-hot labels (≤50K/>50K, or ham/spam) of {@code rows}: {@code [1, 0]} for
	 * label 0, {@code [0, 1]} for label 1, written into {@code into}.
	 */
	private static float[] oneHotLabels(int[] labels, int[] rows, float[] into) {
		for (int b = 0; b < rows.length; b++) {
			int label = labels[rows[b]];
			into[2 * b] = (label == 0) ? 1f : 0f;
			into[2 * b + 1] = (label == 1) ? 1f : 0f;
		}
		return into;
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
