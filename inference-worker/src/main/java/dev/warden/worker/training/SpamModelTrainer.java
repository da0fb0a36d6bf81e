package dev.warden.worker.training;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.NdArrays;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
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
		TrainingLoop.Trained trained = TrainingLoop.trainAndExport(store, options.steps(), options.seed(),
				() -> new SpamModel(config));
		return new TrainingResult(trained.model(), trained.version(), trained.versionDir(),
				trained.validationAccuracy(), options, trained.trainingTime());
	}

	/**
	 * What is specific to {@code spam}: the SpamAssassin splits, the embedding and dense
	 * layers trained on token ids hashed once from the train split, and an exported graph
	 * that takes raw text.
	 */
	private static final class SpamModel extends TrainingLoop.Model<SpamDataset> {

		private final SpamGraph.Config config;

		SpamModel(SpamGraph.Config config) {
			super(SpamSchema.MODEL_NAME, BATCH_SIZE, LEARNING_RATE, SpamDataset.train(), SpamDataset.validation());
			this.config = config;
		}

		/**
		 * The embedding and dense layers on mini-batches of token ids; the preprocessing
		 * part of the graph hashes the train split's tokens once, before the first step.
		 */
		@Override
		TrainingLoop.TrainingGraph trainingGraph(Ops tf, long seed) {
			Placeholder<TString> text = SpamGraph.textInput(tf);
			SpamGraph.Tokens tokens = SpamGraph.tokens(tf, text, config);
			Placeholder<TInt64> ids = tf.withName("train_ids")
				.placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
			Placeholder<TInt64> rows = tf.withName("train_rows")
				.placeholder(TInt64.class, Placeholder.shape(Shape.of(-1)));
			Placeholder<TFloat32> labels = TrainingLoop.labels(tf);
			Operand<TInt64> batchSize = tf.reshape(
					tf.stridedSlice(tf.shape(labels, TInt64.class), org.tensorflow.ndarray.index.Indices.at(0)),
					tf.constant(new long[0]));
			SpamGraph.Parameters parameters = SpamGraph.Parameters.initialised(tf, config, seed);
			Operand<TFloat32> logits = SpamGraph.logits(tf, ids, rows, batchSize, parameters);
			return new TrainingLoop.TrainingGraph() {

				private long[][] documents;

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
					documents = hashTokens(session, text, tokens, train.texts());
				}

				@Override
				public void feedBatch(Session.Runner runner, int[] batch, TrainingLoop.Tensors tensors) {
					int total = 0;
					for (int doc : batch) {
						total += documents[doc].length;
					}
					long[] batchIds = new long[total];
					long[] batchRows = new long[total];
					int k = 0;
					for (int b = 0; b < batch.length; b++) {
						for (long id : documents[batch[b]]) {
							batchIds[k] = id;
							batchRows[k++] = b;
						}
					}
					runner.feed(ids, tensors.add(TInt64.vectorOf(batchIds)))
						.feed(rows, tensors.add(TInt64.vectorOf(batchRows)));
				}

			};
		}

		/**
		 * Raw text → preprocessing → embedding mean → dense → probabilities, spam
		 * probability, class id and label; signature {@code serving_default} over
		 * {@code text}.
		 */
		@Override
		TrainingLoop.InferenceGraph<SpamDataset> inferenceGraph(Ops tf) {
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
			Signature signature = Signature.builder(SpamSchema.SIGNATURE)
				.methodName(SpamSchema.METHOD_NAME)
				.input(SpamSchema.INPUT_TEXT, text)
				.output(SpamSchema.OUTPUT_PROBABILITIES, probabilities)
				.output(SpamSchema.OUTPUT_SPAM_PROBABILITY, spamProbability)
				.output(SpamSchema.OUTPUT_CLASS_ID, classId)
				.output(SpamSchema.OUTPUT_LABEL, label)
				.build();
			return new TrainingLoop.InferenceGraph<>(List.of(signature), classId,
					(runner, data, tensors) -> runner.feed(text, tensors.add(texts(data.texts()))));
		}

		/**
		 * The hashed token ids of every text, by running the graph's preprocessing once
		 * over all of them.
		 */
		private static long[][] hashTokens(Session session, Placeholder<TString> text, SpamGraph.Tokens tokens,
				String[] texts) {
			try (TString input = texts(texts);
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

		private static TString texts(String[] texts) {
			return TString.tensorOf(StandardCharsets.UTF_8, NdArrays.vectorOfObjects(texts));
		}

	}

}
