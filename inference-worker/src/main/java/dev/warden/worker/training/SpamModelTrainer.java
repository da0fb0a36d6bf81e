package dev.warden.worker.training;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
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

/**
 * Trains the {@code spam} reference model with TensorFlow Java in graph mode on the
 * SpamAssassin train split and exports it as an inference-only SavedModel into a TF
 * Serving style model store: {@code <store>/spam/<version>/}.
 *
 * <p>
 * The exported graph takes raw e-mail text (one DT_STRING input, {@code text}) and does
 * all preprocessing itself: lower-casing, cleaning, tokenisation, truncation and hashing
 * (see {@link SpamGraph}), then an embedding mean over the tokens, Dense(64, ReLU) and a
 * softmax over (ham, spam). An existing version is never overwritten (see
 * {@link ModelStoreExport}).
 *
 * <p>
 * Instances are stateless and may be shared.
 */
public final class SpamModelTrainer {

	/** Validation accuracy that a full (default) training run must reach. */
	public static final double ACCURACY_GATE = 0.95;

	public static final int DEFAULT_STEPS = 1000;

	public static final long DEFAULT_SEED = 42L;

	static final int BATCH_SIZE = 32;

	static final float LEARNING_RATE = 0.002f;

	static final SpamGraph.Config CONFIG = new SpamGraph.Config(1 << 16, 32);

	/**
	 * Training options.
	 *
	 * @param steps number of mini-batch steps (batch size 32); {@link #DEFAULT_STEPS} for
	 * a full run
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
	 * @param model model name ({@code spam})
	 * @param version the exported version number
	 * @param versionDir directory holding {@code saved_model.pb} and {@code variables/}
	 * @param validationAccuracy accuracy of the exported model on the validation split
	 * @param trainingTime wall time of data loading, training, evaluation and export
	 */
	public record TrainingResult(String model, long version, Path versionDir, double validationAccuracy,
			Options options, Duration trainingTime) {

		public boolean passesAccuracyGate() {
			return validationAccuracy >= ACCURACY_GATE;
		}

	}

	private final SpamGraph.Config config;

	public SpamModelTrainer() {
		this(CONFIG);
	}

	SpamModelTrainer(SpamGraph.Config config) {
		this.config = config;
	}

	/**
	 * Trains with the given options and exports a new version of {@code spam} into
	 * {@code store}.
	 */
	public TrainingResult trainAndExport(Path store, Options options) {
		long started = System.nanoTime();
		SpamDataset train = SpamDataset.train();
		SpamDataset validation = SpamDataset.validation();
		Path modelDir = store.resolve(SpamSchema.MODEL_NAME);
		Path checkpointDir = null;
		Path exportDir = null;
		try {
			Files.createDirectories(modelDir);
			checkpointDir = Files.createTempDirectory("spam-checkpoint");
			String checkpoint = checkpointDir.resolve("ckpt").toString();
			train(train, options, checkpoint);
			exportDir = ModelStoreExport.temporaryExportDir(modelDir);
			double accuracy = exportInferenceModel(checkpoint, exportDir, validation);
			Path versionDir = ModelStoreExport.publish(modelDir, exportDir);
			long version = Long.parseLong(versionDir.getFileName().toString());
			return new TrainingResult(SpamSchema.MODEL_NAME, version, versionDir, accuracy, options,
					Duration.ofNanos(System.nanoTime() - started));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("training the spam model failed", ex);
		}
		finally {
			ModelStoreExport.deleteQuietly(checkpointDir);
			ModelStoreExport.deleteQuietly(exportDir);
		}
	}

	/**
	 * Hashes the train split's tokens once (by running the preprocessing part of the
	 * graph), then trains the embedding and dense layers on mini-batches of token ids and
	 * saves the variables into a checkpoint.
	 */
	private void train(SpamDataset train, Options options, String checkpoint) {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Placeholder<TString> text = SpamGraph.textInput(tf);
			SpamGraph.Tokens tokens = SpamGraph.tokens(tf, text, config);

			Placeholder<TInt64> ids = tf.withName("train_ids")
				.placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
			Placeholder<TInt64> rows = tf.withName("train_rows")
				.placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
			Placeholder<TFloat32> labels = tf.withName("train_labels")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, 2)));
			Operand<TInt64> batchSize = tf.reshape(
					tf.stridedSlice(tf.shape(labels, TInt64.class), org.tensorflow.ndarray.index.Indices.at(0)),
					tf.constant(new long[0]));
			SpamGraph.Parameters parameters = SpamGraph.Parameters.initialised(tf, config, options.seed());
			Operand<TFloat32> logits = SpamGraph.logits(tf, ids, rows, batchSize, parameters);
			Operand<TFloat32> loss = tf.math.mean(tf.nn.softmaxCrossEntropyWithLogits(logits, labels).loss(),
					tf.constant(0));
			Op minimize = new Adam(graph, LEARNING_RATE).minimize(loss);

			long[][] documents = hashTokens(session, text, tokens, train.texts());
			int n = train.size();
			int[] order = new int[n];
			for (int i = 0; i < n; i++) {
				order[i] = i;
			}
			Random shuffle = new Random(options.seed() ^ 0x5DEECE66DL);
			float[] batchLabels = new float[BATCH_SIZE * 2];
			int cursor = n;
			for (int step = 0; step < options.steps(); step++) {
				if (cursor + BATCH_SIZE > n) {
					shuffleInPlace(order, shuffle);
					cursor = 0;
				}
				int total = 0;
				for (int b = 0; b < BATCH_SIZE; b++) {
					total += documents[order[cursor + b]].length;
				}
				long[] batchIds = new long[total];
				long[] batchRows = new long[total];
				int k = 0;
				for (int b = 0; b < BATCH_SIZE; b++) {
					int doc = order[cursor + b];
					for (long id : documents[doc]) {
						batchIds[k] = id;
						batchRows[k++] = b;
					}
					int label = train.labels()[doc];
					batchLabels[2 * b] = label == 0 ? 1f : 0f;
					batchLabels[2 * b + 1] = label == 1 ? 1f : 0f;
				}
				cursor += BATCH_SIZE;
				try (TInt64 x = TInt64.vectorOf(batchIds);
						TInt64 r = TInt64.vectorOf(batchRows);
						TFloat32 y = TFloat32.tensorOf(Shape.of(BATCH_SIZE, 2), DataBuffers.of(batchLabels))) {
					session.runner().feed(ids, x).feed(rows, r).feed(labels, y).addTarget(minimize).run().close();
				}
			}
			session.save(checkpoint);
		}
	}

	/**
	 * The hashed token ids of every text, by running the graph's preprocessing once over
	 * all of them.
	 */
	private static long[][] hashTokens(Session session, Placeholder<TString> text, SpamGraph.Tokens tokens,
			String[] texts) {
		try (TString input = TString.tensorOf(StandardCharsets.UTF_8,
				org.tensorflow.ndarray.NdArrays.vectorOfObjects(texts));
				Result result = session.runner().feed(text, input).fetch(tokens.ids()).fetch(tokens.rows()).run()) {
			long[] ids = StdArrays.array1dCopyOf((TInt64) result.get(0));
			long[] rows = StdArrays.array1dCopyOf((TInt64) result.get(1));
			int[] counts = new int[texts.length];
			for (long row : rows) {
				counts[(int) row]++;
			}
			long[][] documents = new long[texts.length][];
			for (int i = 0; i < texts.length; i++) {
				documents[i] = new long[counts[i]];
			}
			int[] filled = new int[texts.length];
			for (int k = 0; k < ids.length; k++) {
				int row = (int) rows[k];
				documents[row][filled[row]++] = ids[k];
			}
			return documents;
		}
	}

	/**
	 * Rebuilds a clean inference graph (raw text → preprocessing → embedding mean → dense
	 * → outputs), restores the trained variables, measures validation accuracy and
	 * exports the SavedModel.
	 */
	private double exportInferenceModel(String checkpoint, Path exportDir, SpamDataset validation) throws IOException {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Placeholder<TString> text = SpamGraph.textInput(tf);
			SpamGraph.Tokens tokens = SpamGraph.tokens(tf, text, config);
			SpamGraph.Parameters parameters = SpamGraph.Parameters.restorable(tf, config);
			Operand<TFloat32> logits = SpamGraph.logits(tf, tokens.ids(), tokens.rows(), tokens.batchSize(),
					parameters);
			Operand<TFloat32> probabilities = tf.withName(SpamSchema.OUTPUT_PROBABILITIES).nn.softmax(logits);
			Operand<TFloat32> spamProbability = tf.withName(SpamSchema.OUTPUT_SPAM_PROBABILITY)
				.gather(probabilities, tf.constant(1), tf.constant(1));
			Operand<TInt64> classId = tf.withName(SpamSchema.OUTPUT_CLASS_ID).math.argMax(logits, tf.constant(1));
			Operand<TString> label = tf.withName(SpamSchema.OUTPUT_LABEL)
				.gather(tf.constant(StandardCharsets.UTF_8, SpamSchema.LABELS.toArray(String[]::new)), classId,
						tf.constant(0));
			session.restore(checkpoint);

			Signature signature = Signature.builder(SpamSchema.SIGNATURE)
				.methodName(SpamSchema.METHOD_NAME)
				.input(SpamSchema.INPUT_TEXT, text)
				.output(SpamSchema.OUTPUT_PROBABILITIES, probabilities)
				.output(SpamSchema.OUTPUT_SPAM_PROBABILITY, spamProbability)
				.output(SpamSchema.OUTPUT_CLASS_ID, classId)
				.output(SpamSchema.OUTPUT_LABEL, label)
				.build();

			double accuracy = accuracy(session, text, classId, validation);
			SavedModelBundle.exporter(exportDir.toString())
				.withTags("serve")
				.withSession(session)
				.withSignature(signature)
				.export();
			return accuracy;
		}
	}

	private static double accuracy(Session session, Placeholder<TString> text, Operand<TInt64> classId,
			SpamDataset data) {
		try (TString input = TString.tensorOf(StandardCharsets.UTF_8,
				org.tensorflow.ndarray.NdArrays.vectorOfObjects(data.texts()));
				Result result = session.runner().feed(text, input).fetch(classId).run()) {
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

	private static void shuffleInPlace(int[] order, Random random) {
		for (int i = order.length - 1; i > 0; i--) {
			int j = random.nextInt(i + 1);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
		}
	}

}
