package dev.warden.platform.explainability;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The closed-form models of {@link LinearModelWorker}, also used by the tests to compute
 * the expected report numbers independently of the platform's code.
 */
final class LinearModels {

	private static final Map<String, Model> MODELS = Map.of("lin", tabular(0.25), "slow", tabular(0.25), "flaky",
			tabular(0.25), "bare", tabular(0.25), "held", tabular(0.25), "txt",
			new Model(List.of(new Column("text", "DT_STRING", 0, 0, Map.of(), true)), -0.5,
					Map.of("free", 2.0, "win", 1.5, "meeting", -1.0, "report", -0.5)),
			"income", income());

	private LinearModels() {
	}

	/** x1 (float), x2 (float), n (int64), color (string). */
	private static Model tabular(double bias) {
		return new Model(List.of(new Column("color", "DT_STRING", 0, 0, Map.of("red", 0.8, "blue", -0.4), false),
				new Column("n", "DT_INT64", 0.1, 3, Map.of(), false),
				new Column("x1", "DT_FLOAT", 2.0, 0.5, Map.of(), false),
				new Column("x2", "DT_FLOAT", -1.0, 1.0, Map.of(), false)), bias, Map.of());
	}

	/** The 14 inputs of the Adult data, like the reference model {@code income}. */
	private static Model income() {
		List<Column> columns = new ArrayList<>();
		columns.add(new Column("age", "DT_FLOAT", 0.04, 38, Map.of(), false));
		columns.add(new Column("capital_gain", "DT_FLOAT", 0.0002, 1000, Map.of(), false));
		columns.add(new Column("capital_loss", "DT_FLOAT", 0.0005, 90, Map.of(), false));
		columns.add(new Column("education", "DT_STRING", 0, 0, Map.of("Bachelors", 0.6, "HS-grad", -0.3), false));
		columns.add(new Column("education_num", "DT_FLOAT", 0.2, 10, Map.of(), false));
		columns.add(new Column("fnlwgt", "DT_FLOAT", 0, 190000, Map.of(), false));
		columns.add(new Column("hours_per_week", "DT_FLOAT", 0.03, 40, Map.of(), false));
		columns.add(new Column("marital_status", "DT_STRING", 0, 0, Map.of("Married-civ-spouse", 0.9), false));
		columns.add(new Column("native_country", "DT_STRING", 0, 0, Map.of(), false));
		columns.add(new Column("occupation", "DT_STRING", 0, 0, Map.of("Exec-managerial", 0.5), false));
		columns.add(new Column("race", "DT_STRING", 0, 0, Map.of(), false));
		columns.add(new Column("relationship", "DT_STRING", 0, 0, Map.of("Husband", 0.3), false));
		columns.add(new Column("sex", "DT_STRING", 0, 0, Map.of("Male", 0.1), false));
		columns.add(new Column("workclass", "DT_STRING", 0, 0, Map.of("Private", 0.05), false));
		return new Model(List.copyOf(columns), -1.2, Map.of());
	}

	/** The model named {@code name}, or {@code null}. */
	static Model of(String name) {
		return MODELS.get(name);
	}

	static double sigmoid(double f) {
		return 1 / (1 + Math.exp(-f));
	}

	/** The tokens of a text: runs of characters other than space. */
	static List<Token> tokens(String text) {
		List<Token> tokens = new ArrayList<>();
		int i = 0;
		while (i < text.length()) {
			while (i < text.length() && text.charAt(i) == ' ') {
				i++;
			}
			int start = i;
			while (i < text.length() && text.charAt(i) != ' ') {
				i++;
			}
			if (i > start) {
				tokens.add(new Token(text.substring(start, i), start, i));
			}
		}
		return tokens;
	}

	record Token(String text, int start, int end) {
	}

	/**
	 * One input: a number ({@code weight}, {@code mean}), a category (effects by value, 0
	 * for others) or a text.
	 */
	record Column(String name, String dtype, double weight, double mean, Map<String, Double> effects, boolean text) {

		boolean numeric() {
			return !this.dtype.equals("DT_STRING");
		}

	}

	record Model(List<Column> columns, double bias, Map<String, Double> tokenWeights) {

		/** The attribution of a column towards class 1. */
		double attribution(Column column, String value) {
			if (column.text()) {
				double sum = 0;
				for (Token token : tokens(value)) {
					sum += tokenWeight(token.text());
				}
				return sum;
			}
			if (column.numeric()) {
				return column.weight() * (Double.parseDouble(value) - column.mean());
			}
			return column.effects().getOrDefault(value, 0.0);
		}

		double tokenWeight(String token) {
			return this.tokenWeights.getOrDefault(token, 0.0);
		}

		double f(Map<String, String> row) {
			double f = this.bias;
			for (Column column : this.columns) {
				f += attribution(column, row.get(column.name()));
			}
			return f;
		}

		/** The completeness delta the worker reports for a row. */
		double delta(Map<String, String> row) {
			for (Column column : this.columns) {
				if (column.numeric()) {
					return 1e-3 * Math.sin(Double.parseDouble(row.get(column.name())));
				}
			}
			return 0;
		}

	}

}
