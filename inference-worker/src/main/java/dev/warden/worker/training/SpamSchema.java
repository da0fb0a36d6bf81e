package dev.warden.worker.training;

import java.util.List;

/**
 * Names of the {@code spam} model's signature: one raw e-mail text in; the two class
 * probabilities (index 0 = ham, 1 = spam), P(spam), the class id and the class label out.
 */
public final class SpamSchema {

	public static final String MODEL_NAME = "spam";

	public static final String SIGNATURE = "serving_default";

	public static final String METHOD_NAME = "tensorflow/serving/predict";

	/**
	 * DT_STRING [-1]: the raw e-mail text, subject and body (e.g.
	 * {@code subject + " " + body}).
	 */
	public static final String INPUT_TEXT = "text";

	/** DT_FLOAT [-1, 2]: P(ham), P(spam), in this order. */
	public static final String OUTPUT_PROBABILITIES = "probabilities";

	/** DT_FLOAT [-1]: P(spam). */
	public static final String OUTPUT_SPAM_PROBABILITY = "spam_probability";

	/** DT_INT64 [-1]: 1 = spam, 0 = ham (argmax of the probabilities). */
	public static final String OUTPUT_CLASS_ID = "class_id";

	/** DT_STRING [-1]: {@code "spam"} or {@code "ham"}. */
	public static final String OUTPUT_LABEL = "label";

	/** Class labels by class id. */
	public static final List<String> LABELS = List.of("ham", "spam");

	private SpamSchema() {
	}

}
