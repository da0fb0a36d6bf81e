package dev.warden.worker.training;

import java.util.List;

/**
 * Names of the {@code income} model's signature: the 14 raw Adult columns in, a
 * probability, a class id and the two class probabilities out.
 */
public final class IncomeSchema {

	public static final String MODEL_NAME = "income";

	public static final String SIGNATURE = "serving_default";

	public static final String METHOD_NAME = "tensorflow/serving/predict";

	/** Numeric inputs, DT_FLOAT, shape [-1]. */
	public static final List<String> NUMERIC_COLUMNS = List.of("age", "fnlwgt", "education_num", "capital_gain",
			"capital_loss", "hours_per_week");

	/**
	 * Categorical inputs, DT_STRING, shape [-1]; an empty or unknown value falls into an
	 * out-of-vocabulary bucket.
	 */
	public static final List<String> CATEGORICAL_COLUMNS = List.of("workclass", "education", "marital_status",
			"occupation", "relationship", "race", "sex", "native_country");

	/** All 14 inputs in the order of the CSV file. */
	public static final List<String> INPUT_COLUMNS = List.of("age", "workclass", "fnlwgt", "education", "education_num",
			"marital_status", "occupation", "relationship", "race", "sex", "capital_gain", "capital_loss",
			"hours_per_week", "native_country");

	/** DT_FLOAT [-1]: P(income &gt; 50K). */
	public static final String OUTPUT_PROBABILITY = "probability";

	/** DT_INT64 [-1]: 1 = income &gt; 50K. */
	public static final String OUTPUT_CLASS_ID = "class_id";

	/** DT_FLOAT [-1, 2]: probabilities of class 0 and class 1. */
	public static final String OUTPUT_PROBABILITIES = "probabilities";

	/** Class labels by class id: 0 = income up to 50K, 1 = above. */
	public static final List<String> LABELS = List.of("<=50K", ">50K");

	/**
	 * Numeric columns that are log1p-transformed before standardisation (heavy-tailed).
	 */
	static final List<String> LOG_COLUMNS = List.of("capital_gain", "capital_loss");

	private IncomeSchema() {
	}

}
