package dev.warden.worker.training;

import java.util.Random;

import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.index.Indices;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.strings.Lower;
import org.tensorflow.op.strings.StringSplit;
import org.tensorflow.op.strings.Substr;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * The pieces of the spam model's graph, shared by the training graph and the inference
 * graph so that both use the same text preprocessing and the same (flat) variable names.
 *
 * <p>
 * Text preprocessing, all inside the graph: cut to {@link #MAX_CHARS} UTF-8 characters,
 * lower-case (UTF-8 aware), URLs, e-mail addresses and numbers replaced by the tokens
 * {@code xxurl}, {@code xxemail} and {@code xxnum}, {@code !} and {@code $} kept as the
 * tokens {@code xxbang} and {@code xxdollar}, every other character that is not a letter,
 * digit or white space removed, split on white space, cut to the first
 * {@link #MAX_TOKENS} tokens, and every token hashed ({@code ToHashBucketFast}) into one
 * of {@code buckets} embedding rows.
 */
final class SpamGraph {

	/**
	 * Characters of a text that are looked at; the rest is ignored (bounds the cost of
	 * the regular expressions).
	 */
	static final long MAX_CHARS = 32_768;

	/**
	 * Tokens of a text that are looked at; the rest is ignored (bounds the cost of one
	 * huge mail).
	 */
	static final long MAX_TOKENS = 2_000;

	static final int HIDDEN_UNITS = 64;

	static final String EMBEDDINGS = "embeddings";

	static final String HIDDEN_WEIGHTS = "hidden_weights";

	static final String HIDDEN_BIAS = "hidden_bias";

	static final String OUTPUT_WEIGHTS = "output_weights";

	static final String OUTPUT_BIAS = "output_bias";

	/**
	 * Shape of the model.
	 *
	 * @param buckets number of hash buckets (embedding rows)
	 * @param embeddingDim width of an embedding
	 */
	record Config(int buckets, int embeddingDim) {
	}

	/**
	 * The hashed tokens of a batch of texts, flattened: {@code words[k]} is a token of
	 * text {@code rows[k]} and {@code ids[k]} its bucket; {@code batchSize} is the number
	 * of texts (texts without tokens have no entry).
	 */
	record Tokens(Operand<TString> words, Operand<TInt64> ids, Operand<TInt64> rows, Operand<TInt64> batchSize) {
	}

	private SpamGraph() {
	}

	/** The raw text input, DT_STRING [-1]. */
	static Placeholder<TString> textInput(Ops tf) {
		return tf.withName(SpamSchema.INPUT_TEXT).placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
	}

	/** Cleans, lower-cases, tokenises, truncates and hashes a batch of raw texts. */
	static Tokens tokens(Ops tf, Operand<TString> text, Config config) {
		Operand<TString> s = tf.strings.substr(text, tf.constant(0L), tf.constant(MAX_CHARS), Substr.unit("UTF8_CHAR"));
		s = tf.strings.lower(s, Lower.encoding("utf-8"));
		s = replace(tf, s, "(https?://|www\\.)\\S*", " xxurl ");
		s = replace(tf, s, "[\\pL\\pN._%+-]+@[\\pL\\pN.-]+", " xxemail ");
		s = replace(tf, s, "\\pN+", " xxnum ");
		s = replace(tf, s, "!", " xxbang ");
		s = replace(tf, s, "\\$", " xxdollar ");
		s = replace(tf, s, "[^\\pL\\pN\\s]+", " ");
		// an empty separator splits on runs of white space and drops empty tokens
		StringSplit split = tf.strings.stringSplit(s, tf.constant(""));
		// indices are (text, position of the token in its text) pairs, in text order
		Operand<TInt64> row = column(tf, split.indices(), 0);
		Operand<TInt64> position = column(tf, split.indices(), 1);
		Operand<TBool> kept = tf.math.less(position, tf.constant(MAX_TOKENS));
		Operand<TString> words = tf.booleanMask(split.values(), kept);
		Operand<TInt64> wordRows = tf.booleanMask(row, kept);
		Operand<TInt64> ids = tf.strings.toHashBucketFast(words, (long) config.buckets());
		Operand<TInt64> batchSize = tf.reshape(tf.shape(text, TInt64.class), tf.constant(new long[0]));
		return new Tokens(words, ids, wordRows, batchSize);
	}

	private static Operand<TInt64> column(Ops tf, Operand<TInt64> matrix, int column) {
		return tf.reshape(tf.stridedSlice(matrix, Indices.all(), Indices.slice(column, column + 1)),
				tf.constant(new long[] { -1 }));
	}

	private static Operand<TString> replace(Ops tf, Operand<TString> s, String pattern, String rewrite) {
		return tf.strings.staticRegexReplace(s, pattern, rewrite);
	}

	/**
	 * The trainable parameters, created with flat names (Adam's slot names break under
	 * sub-scopes).
	 */
	record Parameters(Variable<TFloat32> embeddings, Variable<TFloat32> hiddenWeights, Variable<TFloat32> hiddenBias,
			Variable<TFloat32> outputWeights, Variable<TFloat32> outputBias) {

		/**
		 * Embeddings uniform in ±0.05 from a stateless seeded generator, Glorot-uniform
		 * dense weights from {@code java.util.Random(seed)}, zero biases: deterministic
		 * for a given seed.
		 */
		static Parameters initialised(Ops tf, Config config, long seed) {
			Random random = new Random(seed);
			Operand<TFloat32> uniform = tf.random.statelessRandomUniform(
					tf.constant(new long[] { config.buckets(), config.embeddingDim() }),
					tf.constant(new long[] { seed, 0x5A4D }));
			Operand<TFloat32> embeddings = tf.math.mul(tf.math.sub(uniform, tf.constant(0.5f)), tf.constant(0.1f));
			return new Parameters(tf.withName(EMBEDDINGS).variable(embeddings),
					tf.withName(HIDDEN_WEIGHTS)
						.variable(tf.constant(glorot(random, config.embeddingDim(), HIDDEN_UNITS))),
					tf.withName(HIDDEN_BIAS).variable(tf.constant(new float[HIDDEN_UNITS])),
					tf.withName(OUTPUT_WEIGHTS).variable(tf.constant(glorot(random, HIDDEN_UNITS, 2))),
					tf.withName(OUTPUT_BIAS).variable(tf.constant(new float[2])));
		}

		/**
		 * Uninitialised variables of the right shapes, to be restored from a checkpoint.
		 */
		static Parameters restorable(Ops tf, Config config) {
			return new Parameters(
					tf.withName(EMBEDDINGS).variable(Shape.of(config.buckets(), config.embeddingDim()), TFloat32.class),
					tf.withName(HIDDEN_WEIGHTS).variable(Shape.of(config.embeddingDim(), HIDDEN_UNITS), TFloat32.class),
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

	/**
	 * Hashed tokens → embedding lookup → mean over each text's tokens (a text without
	 * tokens gets the zero vector, never a division by zero) → Dense(64, ReLU) → logits
	 * [-1, 2] (ham, spam).
	 */
	static Operand<TFloat32> logits(Ops tf, Operand<TInt64> ids, Operand<TInt64> rows, Operand<TInt64> batchSize,
			Parameters p) {
		return logitsOfEmbeddings(tf, embeddings(tf, ids, p), rows, batchSize, p);
	}

	/** The embedding of each hashed token: [-1, embeddingDim]. */
	static Operand<TFloat32> embeddings(Ops tf, Operand<TInt64> ids, Parameters p) {
		return tf.gather(p.embeddings(), ids, tf.constant(0));
	}

	/**
	 * The part of {@link #logits} after the lookup: token embeddings of the texts
	 * ({@code rows[k]} is the text of {@code vectors[k]}) → mean per text → Dense(64,
	 * ReLU) → logits. Differentiable with respect to the embeddings, which is where
	 * integrated gradients attributes a text's output to its tokens.
	 */
	static Operand<TFloat32> logitsOfEmbeddings(Ops tf, Operand<TFloat32> vectors, Operand<TInt64> rows,
			Operand<TInt64> batchSize, Parameters p) {
		Operand<TFloat32> sums = tf.math.unsortedSegmentSum(vectors, rows, batchSize);
		Operand<TFloat32> counts = tf.math.unsortedSegmentSum(tf.onesLike(tf.dtypes.cast(rows, TFloat32.class)), rows,
				batchSize);
		Operand<TFloat32> mean = tf.math.div(sums,
				tf.expandDims(tf.math.maximum(counts, tf.constant(1f)), tf.constant(1)));
		Operand<TFloat32> hidden = tf.nn.relu(tf.nn.biasAdd(tf.linalg.matMul(mean, p.hiddenWeights()), p.hiddenBias()));
		return tf.nn.biasAdd(tf.linalg.matMul(hidden, p.outputWeights()), p.outputBias());
	}

}
