package dev.warden.platform.explainability.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * One report, computed from a stream of reference rows with memory that does not depend
 * on the number of rows:
 * <ol>
 * <li><b>Sample.</b> Of the N rows, {@code sampleSize} are chosen by selection sampling
 * (Knuth's algorithm S: row i is taken with probability (still needed) / (rows left)),
 * with a generator seeded from the report's seed: exactly min(sampleSize, N) rows, the
 * same ones for the same seed and data, without holding any.</li>
 * <li><b>Explain.</b> The chosen rows go to the model in batches of {@code batchSize};
 * every explanation goes into a {@link ReportAggregator}, and every chosen row into a
 * seeded {@link Reservoir} of {@code pdRows} rows. A batch the model refuses as bad input
 * (400, 422) is sent again row by row; rows still refused are skipped and counted
 * ({@code quality.rows_skipped}, with up to five distinct reasons), unless the first
 * {@value #GIVE_UP_AFTER} rows are all refused, which fails the report.</li>
 * <li><b>Partial dependence</b> of the {@code topK} most important features that are not
 * free text: a grid of {@code pdGridPoints} values (numeric: the type-7 quantiles at (i +
 * 0.5)/G of the reservoir's values, distinct; categorical or boolean: the most frequent
 * values in the reservoir, ties in Unicode order), and for each value the mean predicted
 * probability of the highest-numbered class (class 1 of a binary model) over the
 * reservoir's rows with the feature set to that value.</li>
 * </ol>
 * The three generators (selection, bootstrap, reservoir) are seeded with the first three
 * {@code nextLong()}s of a {@link SplittableRandom} seeded with the report's seed. Rows
 * are processed in stored order, so the same seed, rows and model answers give the same
 * content, bit for bit.
 */
public final class ReportComputation {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	/** Rows refused one by one, with none explained, after which a report gives up. */
	static final int GIVE_UP_AFTER = 20;

	private ReportComputation() {
	}

	/**
	 * Computes a report.
	 * @param columns the dataset's columns, in the order of the rows' cells
	 * @param totalRows N, the dataset's row count
	 * @param chunks the rows, chunk by chunk, in stored order
	 * @return the result, or a cancelled result when the checkpoint said stop
	 */
	public static Result run(List<ModelColumn> columns, long totalRows, Iterator<List<String[]>> chunks,
			ReportModel model, Settings settings, Checkpoint checkpoint) {
		SplittableRandom seeds = new SplittableRandom(settings.seed());
		SplittableRandom selection = new SplittableRandom(seeds.nextLong());
		long bootstrapSeed = seeds.nextLong();
		Reservoir reservoir = new Reservoir(settings.pdRows(), seeds.nextLong());
		ReportAggregator aggregator = new ReportAggregator(columns, settings.aggregation(), bootstrapSeed);
		Skipped skipped = new Skipped();
		long wanted = Math.min(settings.sampleSize(), totalRows);
		long seen = 0;
		long chosen = 0;
		List<String[]> batch = new ArrayList<>(settings.batchSize());
		while (chunks.hasNext() && chosen < wanted) {
			for (String[] row : chunks.next()) {
				long left = totalRows - seen;
				seen++;
				if (left <= 0 || chosen >= wanted) {
					break;
				}
				if (selection.nextDouble() * left >= wanted - chosen) {
					continue;
				}
				chosen++;
				reservoir.offer(row);
				batch.add(row);
				if (batch.size() == settings.batchSize()) {
					explain(columns, batch, model, aggregator, skipped);
					batch.clear();
					if (!checkpoint.proceed(aggregator.explanations(), false)) {
						return Result.cancelled(aggregator.explanations());
					}
				}
			}
			if (!batch.isEmpty() && (!chunks.hasNext() || chosen >= wanted)) {
				explain(columns, batch, model, aggregator, skipped);
				batch.clear();
			}
			if (!checkpoint.proceed(aggregator.explanations(), true)) {
				return Result.cancelled(aggregator.explanations());
			}
		}
		if (!batch.isEmpty()) {
			explain(columns, batch, model, aggregator, skipped);
			batch.clear();
		}
		if (aggregator.explanations() == 0) {
			throw (skipped.count > 0) ? new WorkerCallException(400, "the model refused every row: " + skipped.reasons)
					: new IllegalStateException("the reference dataset has no rows to explain");
		}
		ObjectNode content = JSON.createObjectNode();
		content.put("method", aggregator.method());
		content.put("rows_explained", aggregator.explanations());
		aggregator.writeTo(content);
		ObjectNode quality = (ObjectNode) content.path("quality");
		quality.put("rows_skipped", skipped.count);
		ArrayNode reasons = quality.putArray("skipped_reasons");
		skipped.reasons.forEach(reasons::add);
		ArrayNode dependence = content.putArray("partial_dependence");
		List<String[]> sample = reservoir.rows();
		int done = 0;
		for (String name : aggregator.ranked()) {
			if (done == settings.topK()) {
				break;
			}
			if (aggregator.tokenized(name)) {
				continue;
			}
			int f = indexOf(columns, name);
			ObjectNode curve = partialDependence(columns, f, sample, model, settings);
			if (curve == null) {
				continue;
			}
			dependence.add(curve);
			done++;
			if (!checkpoint.proceed(aggregator.explanations(), true)) {
				return Result.cancelled(aggregator.explanations());
			}
		}
		return new Result(false, aggregator.explanations(), (ObjectNode) finite(content));
	}

	/**
	 * Explains a batch. When the model refuses it as bad input (400 or 422), each row is
	 * sent alone, and the rows it still refuses are skipped and counted with the reason
	 * (one text too long for the worker must not sink a report of a thousand rows).
	 */
	private static void explain(List<ModelColumn> columns, List<String[]> rows, ReportModel model,
			ReportAggregator aggregator, Skipped skipped) {
		List<ObjectNode> instances = new ArrayList<>(rows.size());
		for (String[] row : rows) {
			instances.add(instance(columns, row));
		}
		WorkerExplainer.Answer answer;
		try {
			answer = model.explain(instances);
		}
		catch (WorkerCallException ex) {
			if (ex.status() != 400 && ex.status() != 422) {
				throw ex;
			}
			if (rows.size() == 1) {
				skipped.add(ex.getMessage());
				return;
			}
			for (String[] row : rows) {
				explain(columns, List.<String[]>of(row), model, aggregator, skipped);
			}
			if (aggregator.explanations() == 0 && skipped.count >= GIVE_UP_AFTER) {
				// a refusal of every row is the request's fault, not the rows'
				throw new WorkerCallException(400,
						"the model refused each of the first " + skipped.count + " rows: " + skipped.reasons);
			}
			return;
		}
		if (answer.explanations().size() != rows.size()) {
			throw new WorkerCallException(502, "the model answered " + answer.explanations().size()
					+ " explanations for " + rows.size() + " instances");
		}
		for (int i = 0; i < rows.size(); i++) {
			Prediction prediction = answer.predictions().isEmpty() ? null : answer.predictions().get(i);
			aggregator.add(prediction, answer.explanations().get(i));
		}
	}

	/** Rows the model refused, and the first few distinct reasons. */
	private static final class Skipped {

		private static final int MAX_REASONS = 5;

		long count;

		final List<String> reasons = new ArrayList<>();

		void add(String reason) {
			this.count++;
			// the position of a row in its batch is not part of the reason
			String general = reason.replaceAll("instances\\[[0-9]+\\]", "instances[i]");
			if (this.reasons.size() < MAX_REASONS && !this.reasons.contains(general)) {
				this.reasons.add(general);
			}
		}

	}

	/** A row as a predict/explain instance: {@code {"<column>": value, ...}}. */
	public static ObjectNode instance(List<ModelColumn> columns, String[] row) {
		ObjectNode instance = JSON.createObjectNode();
		for (int c = 0; c < columns.size(); c++) {
			instance.set(columns.get(c).name(), columns.get(c).json(row[c]));
		}
		return instance;
	}

	private static ObjectNode partialDependence(List<ModelColumn> columns, int f, List<String[]> sample,
			ReportModel model, Settings settings) {
		ModelColumn column = columns.get(f);
		List<String> grid = column.numeric() ? numericGrid(column, f, sample, settings.pdGridPoints())
				: frequentValues(f, sample, settings.pdGridPoints());
		if (grid.isEmpty()) {
			return null;
		}
		ObjectNode curve = JSON.createObjectNode();
		curve.put("feature", column.name());
		curve.put("kind", column.numeric() ? "numeric" : "categorical");
		curve.put("rows", sample.size());
		ArrayNode gridNode = curve.putArray("grid");
		ArrayNode values = curve.putArray("values");
		Integer reportedClass = null;
		for (String value : grid) {
			gridNode.add(column.json(value));
			double total = 0;
			int counted = 0;
			for (int from = 0; from < sample.size(); from += settings.batchSize() * 10) {
				List<ObjectNode> instances = new ArrayList<>();
				for (String[] row : sample.subList(from, Math.min(sample.size(), from + settings.batchSize() * 10))) {
					String[] changed = Arrays.copyOf(row, row.length);
					changed[f] = value;
					instances.add(instance(columns, changed));
				}
				List<Prediction> predictions = model.predict(instances);
				if (predictions.size() != instances.size()) {
					throw new WorkerCallException(502, "the model answered " + predictions.size() + " predictions for "
							+ instances.size() + " rows");
				}
				for (Prediction prediction : predictions) {
					if (reportedClass == null && prediction.probabilities() != null) {
						reportedClass = prediction.probabilities().length - 1;
					}
					double p = (reportedClass != null) ? prediction.probability(reportedClass) : Double.NaN;
					if (Double.isFinite(p)) {
						total += p;
						counted++;
					}
				}
			}
			if (counted > 0) {
				values.add(total / counted);
			}
			else {
				values.addNull();
			}
		}
		curve.put("class", (reportedClass != null) ? Integer.toString(reportedClass) : null);
		return curve;
	}

	private static List<String> numericGrid(ModelColumn column, int f, List<String[]> sample, int points) {
		double[] values = new double[sample.size()];
		int n = 0;
		for (String[] row : sample) {
			if (column.problem(row[f]) == null) {
				values[n++] = Double.parseDouble(row[f].strip());
			}
		}
		double[] sorted = Arrays.copyOf(values, n);
		Arrays.sort(sorted);
		List<String> grid = new ArrayList<>();
		for (int i = 0; i < points && n > 0; i++) {
			String cell = column.cellOf(Quantiles.type7(sorted, (i + 0.5) / points));
			if (!grid.contains(cell)) {
				grid.add(cell);
			}
		}
		return grid;
	}

	private static List<String> frequentValues(int f, List<String[]> sample, int points) {
		Map<String, Integer> counts = new TreeMap<>();
		for (String[] row : sample) {
			counts.merge(row[f], 1, Integer::sum);
		}
		List<Map.Entry<String, Integer>> entries = new ArrayList<>(counts.entrySet());
		entries.sort(Comparator.comparingInt((Map.Entry<String, Integer> e) -> -e.getValue())
			.thenComparing(Map.Entry::getKey));
		return entries.stream().limit(points).map(Map.Entry::getKey).toList();
	}

	private static int indexOf(List<ModelColumn> columns, String name) {
		for (int i = 0; i < columns.size(); i++) {
			if (columns.get(i).name().equals(name)) {
				return i;
			}
		}
		throw new IllegalArgumentException(name);
	}

	/** The tree with every non-finite number replaced by {@code null}. */
	static JsonNode finite(JsonNode node) {
		if (node.isObject()) {
			Map<String, JsonNode> replaced = new LinkedHashMap<>();
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				replaced.put(entry.getKey(), finite(entry.getValue()));
			}
			ObjectNode copy = JSON.createObjectNode();
			replaced.forEach(copy::set);
			return copy;
		}
		if (node.isArray()) {
			ArrayNode copy = JSON.createArrayNode();
			node.forEach((item) -> copy.add(finite(item)));
			return copy;
		}
		if (node.isNumber() && !node.isIntegralNumber() && !Double.isFinite(node.asDouble())) {
			return JSON.nullNode();
		}
		return node;
	}

	/** The model a report explains: batches of instances in, answers out. */
	public interface ReportModel {

		/** One explanation (and prediction) per instance. */
		WorkerExplainer.Answer explain(List<ObjectNode> instances);

		/** One prediction per instance. */
		List<Prediction> predict(List<ObjectNode> instances);

	}

	/** Called after every batch and at every chunk boundary. */
	@FunctionalInterface
	public interface Checkpoint {

		/**
		 * @param rowsExplained rows explained so far
		 * @param chunkBoundary whether a stored chunk was just finished
		 * @return {@code false} to stop (the job was cancelled)
		 */
		boolean proceed(long rowsExplained, boolean chunkBoundary);

	}

	/**
	 * @param seed the report's seed
	 * @param sampleSize rows to explain (at most the dataset's)
	 * @param batchSize instances per explain call
	 * @param pdRows rows of the partial-dependence sample
	 * @param pdGridPoints grid values per partial-dependence curve
	 * @param topK features with a partial-dependence curve
	 * @param aggregation the aggregator's settings
	 */
	public record Settings(long seed, long sampleSize, int batchSize, int pdRows, int pdGridPoints, int topK,
			ReportAggregator.Settings aggregation) {
	}

	/**
	 * @param cancelled whether the checkpoint stopped the computation
	 * @param rowsExplained rows explained
	 * @param content the report's computed content ({@code null} when cancelled)
	 */
	public record Result(boolean cancelled, long rowsExplained, ObjectNode content) {

		static Result cancelled(long rows) {
			return new Result(true, rows, null);
		}

	}

}
