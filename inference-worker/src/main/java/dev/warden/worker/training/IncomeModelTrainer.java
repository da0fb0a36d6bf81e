package dev.warden.worker.training;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import dev.warden.worker.explain.ExplainContract;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.StdArrays;
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
 * preprocessing itself. Besides {@code serving_default} it exports the explain signatures
 * and {@code assets.extra/warden-explain.json} (the column → feature map, the training
 * baseline, the training data's fingerprint) and
 * {@code assets.extra/warden-background.csv} (a seeded sample of
 * {@value #BACKGROUND_ROWS} validation rows, KernelSHAP's reference data). The training
 * run itself is {@link TrainingLoop}'s; this class holds what is the income model's own.
 * An existing version is never overwritten: the model is written into a temporary
 * directory next to the versions and moved into place atomically under the next free
 * version number.
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

	/** Validation rows sampled into the version's KernelSHAP background. */
	static final int BACKGROUND_ROWS = 1000;

	/**
	 * Integrated gradients' defaults written into the contract: 512 trapezoid steps is
	 * the smallest power of two with a completeness delta within 1% on at least 95% of
	 * the validation rows (96.4% for P(>50K), 97.4% for its logit, on 500 rows); the ReLU
	 * network's gradient jumps along the path, so the error falls only with 1/steps. The
	 * worker raises the steps up to 4096 for the rows that need more (99.8% are within 1%
	 * there). Measured with {@code bench/explain.sh}, see docs/explainability.md.
	 */
	static final ExplainContract.Steps INTEGRATED_GRADIENTS = new ExplainContract.Steps(512, 4096, "trapezoid");

	/**
	 * Training options.
	 *
	 * @param steps number of mini-batch steps (batch size 256); {@link #DEFAULT_STEPS}
	 * for a full run
	 * @param seed seed of weight initialisation, shuffling and the background sample
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
	 * @param trainingTime wall time of data loading, training, evaluation and export
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
		TrainingLoop.Outcome outcome = TrainingLoop.run(new Income(train, validation, FeatureStats.fit(train)), store,
				options.steps(), options.seed());
		return new TrainingResult(IncomeSchema.MODEL_NAME, outcome.version(), outcome.versionDir(),
				outcome.validationAccuracy(), options, Duration.ofNanos(System.nanoTime() - started));
	}

	static long nextVersion(Path modelDir) throws IOException {
		return ModelStoreExport.nextVersion(modelDir);
	}

	/**
	 * The income model's part of a training run: an MLP trained on features computed once
	 * by the graph's own preprocessing.
	 */
	private record Income(AdultDataset train, AdultDataset validation,
			FeatureStats stats) implements TrainingLoop.ReferenceModel {

		@Override
		public String name() {
			return IncomeSchema.MODEL_NAME;
		}

		@Override
		public int batchSize() {
			return BATCH_SIZE;
		}

		@Override
		public float learningRate() {
			return LEARNING_RATE;
		}

		@Override
		public int[] trainLabels() {
			return train.labels();
		}

		@Override
		public int[] validationLabels() {
			return validation.labels();
		}

		@Override
		public TrainingLoop.TrainingGraph trainingGraph(Ops tf, Operand<TFloat32> labels, long seed) {
			int featureCount = stats.featureCount();
			Map<String, Operand<? extends TType>> raw = IncomeGraph.rawInputs(tf);
			Operand<TFloat32> rawFeatures = IncomeGraph.features(tf, raw, stats);
			Placeholder<TFloat32> features = tf.withName("train_features")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, featureCount)));
			IncomeGraph.Parameters parameters = IncomeGraph.Parameters.initialised(tf, featureCount, seed);
			Operand<TFloat32> logits = IncomeGraph.logits(tf, features, parameters);
			return new TrainingLoop.TrainingGraph() {

				private float[] matrix;

				private float[] batch;

				@Override
				public Operand<TFloat32> logits() {
					return logits;
				}

				@Override
				public void prepare(Session session) {
					matrix = computeFeatures(session, raw, rawFeatures, train, featureCount);
				}

				@Override
				public List<Tensor> feed(Session.Runner runner, int[] rows) {
					if (batch == null || batch.length != rows.length * featureCount) {
						batch = new float[rows.length * featureCount];
					}
					for (int b = 0; b < rows.length; b++) {
						System.arraycopy(matrix, rows[b] * featureCount, batch, b * featureCount, featureCount);
					}
					TFloat32 x = TFloat32.tensorOf(Shape.of(rows.length, featureCount), DataBuffers.of(batch));
					runner.feed(features, x);
					return List.of(x);
				}

			};
		}

		@Override
		public TrainingLoop.InferenceGraph inferenceGraph(Ops tf) {
			Map<String, Operand<? extends TType>> raw = IncomeGraph.rawInputs(tf);
			Operand<TFloat32> features = IncomeGraph.features(tf, raw, stats);
			IncomeGraph.Parameters parameters = IncomeGraph.Parameters.restorable(tf, stats.featureCount());
			Operand<TFloat32> logits = IncomeGraph.logits(tf, features, parameters);
			Operand<TFloat32> probabilities = tf.withName(IncomeSchema.OUTPUT_PROBABILITIES).nn.softmax(logits);
			Operand<TFloat32> probability = tf.withName(IncomeSchema.OUTPUT_PROBABILITY)
				.gather(probabilities, tf.constant(1), tf.constant(1));
			Operand<TInt64> classId = tf.withName(IncomeSchema.OUTPUT_CLASS_ID).math.argMax(logits, tf.constant(1));

			Signature.Builder serving = Signature.builder(IncomeSchema.SIGNATURE).methodName(IncomeSchema.METHOD_NAME);
			raw.forEach(serving::input);
			serving.output(IncomeSchema.OUTPUT_PROBABILITY, probability)
				.output(IncomeSchema.OUTPUT_CLASS_ID, classId)
				.output(IncomeSchema.OUTPUT_PROBABILITIES, probabilities);

			Signature.Builder encode = Signature.builder(ExplainContract.ENCODE_SIGNATURE)
				.methodName(IncomeSchema.METHOD_NAME);
			raw.forEach(encode::input);
			encode.output(ExplainContract.FEATURES, features);

			Placeholder<TFloat32> explainFeatures = tf.withName("explain_features")
				.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, stats.featureCount())));
			Signature gradients = ExplainExport.gradientsSignature(tf,
					Map.of(ExplainContract.FEATURES, explainFeatures), explainFeatures,
					IncomeGraph.logits(tf, explainFeatures, parameters), ExplainExport.targetClass(tf));

			List<Signature> signatures = List.of(serving.build(), encode.build(), gradients);
			return new TrainingLoop.InferenceGraph() {

				@Override
				public List<Signature> signatures() {
					return signatures;
				}

				@Override
				public long[] predictValidation(Session session) {
					return predict(session, raw, classId, validation);
				}

			};
		}

		@Override
		public void writeAssets(Path assetsExtra, long seed) throws IOException {
			byte[] background = backgroundCsv(seed);
			Files.write(assetsExtra.resolve(ExplainContract.BACKGROUND_FILE), background);
			ExplainExport.writeContract(assetsExtra,
					new ExplainContract(ExplainContract.Kind.TABULAR, IncomeSchema.SIGNATURE,
							ExplainContract.ENCODE_SIGNATURE, ExplainContract.GRADIENTS_SIGNATURE,
							IncomeSchema.OUTPUT_PROBABILITIES, IncomeSchema.LABELS, 1, featureNames(), columns(),
							Map.of("training", trainingBaseline()), null,
							ExplainExport.resource(AdultDataset.TRAIN_RESOURCE, train.size()),
							new ExplainContract.DataFile(ExplainContract.BACKGROUND_FILE,
									Math.min(BACKGROUND_ROWS, validation.size()), ExplainExport.sha256(background),
									Path.of(AdultDataset.VALIDATION_RESOURCE).getFileName().toString(), seed),
							INTEGRATED_GRADIENTS));
		}

		/**
		 * Names of the encoded features in the order {@link IncomeGraph#features} builds
		 * them: the numeric columns, then per categorical column one per vocabulary entry
		 * ({@code workclass=Private}) and the out-of-vocabulary slot
		 * ({@code workclass=<other>}).
		 */
		private List<String> featureNames() {
			List<String> names = new ArrayList<>(IncomeSchema.NUMERIC_COLUMNS);
			for (String column : IncomeSchema.CATEGORICAL_COLUMNS) {
				for (String value : stats.vocabularies().get(column)) {
					names.add(column + "=" + value);
				}
				names.add(column + "=<other>");
			}
			return names;
		}

		/** Each raw input (in the CSV's order) and the encoded features it becomes. */
		private List<ExplainContract.Column> columns() {
			Map<String, int[]> groups = new HashMap<>();
			int next = 0;
			for (String column : IncomeSchema.NUMERIC_COLUMNS) {
				groups.put(column, new int[] { next++ });
			}
			for (String column : IncomeSchema.CATEGORICAL_COLUMNS) {
				int width = stats.vocabularies().get(column).length + 1;
				int[] indices = new int[width];
				for (int i = 0; i < width; i++) {
					indices[i] = next++;
				}
				groups.put(column, indices);
			}
			return IncomeSchema.INPUT_COLUMNS.stream().map(c -> new ExplainContract.Column(c, groups.get(c))).toList();
		}

		/**
		 * Training means and modes as a raw row. A numeric column's mean is taken in the
		 * model's own scale (after log1p for {@code capital_gain} and
		 * {@code capital_loss}) and written back in raw units (expm1), so that it encodes
		 * to the standardised 0; a categorical column takes its most frequent value (the
		 * first in sorted order on a tie).
		 */
		private Map<String, Object> trainingBaseline() {
			Map<String, Object> row = new LinkedHashMap<>();
			for (String column : IncomeSchema.INPUT_COLUMNS) {
				if (IncomeSchema.NUMERIC_COLUMNS.contains(column)) {
					double mean = stats.meanAndStd().get(column)[0];
					row.put(column,
							(double) (float) (IncomeSchema.LOG_COLUMNS.contains(column) ? Math.expm1(mean) : mean));
				}
				else {
					Map<String, Integer> counts = new TreeMap<>();
					for (String value : train.categorical().get(column)) {
						counts.merge(value, 1, Integer::sum);
					}
					String mode = null;
					for (var entry : counts.entrySet()) {
						if (mode == null || entry.getValue() > counts.get(mode)) {
							mode = entry.getKey();
						}
					}
					row.put(column, mode);
				}
			}
			return row;
		}

		/**
		 * A seeded sample of the validation split (without replacement), raw columns in
		 * the CSV's order under a header of the input names.
		 */
		private byte[] backgroundCsv(long seed) throws IOException {
			int n = validation.size();
			int[] order = new int[n];
			for (int i = 0; i < n; i++) {
				order[i] = i;
			}
			Random random = new Random(seed);
			int rows = Math.min(BACKGROUND_ROWS, n);
			for (int i = 0; i < rows; i++) {
				int j = i + random.nextInt(n - i);
				int tmp = order[i];
				order[i] = order[j];
				order[j] = tmp;
			}
			StringWriter out = new StringWriter();
			try (CSVPrinter printer = new CSVPrinter(out,
					CSVFormat.RFC4180.builder().setHeader(IncomeSchema.INPUT_COLUMNS.toArray(String[]::new)).get())) {
				for (int i = 0; i < rows; i++) {
					List<Object> record = new ArrayList<>();
					for (String column : IncomeSchema.INPUT_COLUMNS) {
						record.add(IncomeSchema.NUMERIC_COLUMNS.contains(column)
								? (Object) validation.numeric().get(column)[order[i]]
								: validation.categorical().get(column)[order[i]]);
					}
					printer.printRecord(record);
				}
			}
			return out.toString().getBytes(StandardCharsets.UTF_8);
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

	private static long[] predict(Session session, Map<String, Operand<? extends TType>> raw, Operand<TInt64> classId,
			AdultDataset data) {
		Map<String, Tensor> inputs = rawTensors(data);
		try {
			Session.Runner runner = session.runner();
			raw.forEach((name, placeholder) -> runner.feed(placeholder, inputs.get(name)));
			try (Result result = runner.fetch(classId).run()) {
				return StdArrays.array1dCopyOf((TInt64) result.get(0));
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

}
