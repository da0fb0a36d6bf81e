package dev.warden.platform.explainability.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Aggregates a stream of explanations into a report's global statistics in memory that
 * does not grow with the number of rows: per feature (raw input column) the sum and the
 * sum of |attribution|, overall and per predicted class; a {@link FixedHistogram} of the
 * attributions (bins fixed from the first {@code histogramWarmup} explanations, which are
 * buffered until then); Poisson-bootstrap intervals of the mean |attribution|
 * ({@link PoissonBootstrap}); statistics of the completeness or efficiency errors
 * ({@link ErrorSketch}); model evaluations; and for text columns, the tokens' mean
 * attribution towards each class ({@link TokenTally}): towards the class the explanation
 * targets, and, for a binary model explained on its probabilities, towards the other
 * class with the sign reversed (its probability is one minus the target's). Not
 * thread-safe.
 */
public final class ReportAggregator {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final int MAX_CLASSES = 1000;

	private static final int MAX_DISTINCT_DESCRIPTORS = 5;

	private static final int MAX_BASELINE_CHARS = 8192;

	private final List<ModelColumn> columns;

	private final Map<String, Integer> index = new LinkedHashMap<>();

	private final Settings settings;

	private final double[] sumAbs;

	private final double[] sum;

	private final Map<String, ClassSums> classes = new TreeMap<>();

	private final PoissonBootstrap bootstrap;

	private final ErrorSketch completeness = new ErrorSketch();

	private final ErrorSketch efficiency = new ErrorSketch();

	private final Map<String, TokenTally> tokens = new TreeMap<>();

	private final boolean[] tokenized;

	private final List<double[]> warmup = new ArrayList<>();

	private FixedHistogram[] histograms;

	private long explanations;

	private long evaluations;

	private double baselineValueSum;

	private long baselineValues;

	private final Set<String> methods = new LinkedHashSet<>();

	private final Map<String, JsonNode> targets = new LinkedHashMap<>();

	private JsonNode baseline;

	private String baselineSha256;

	private boolean baselineVaries;

	private final double[] absolute;

	/**
	 * @param columns the dataset's columns: the features, in this order
	 * @param bootstrapSeed seed of the bootstrap weights
	 */
	public ReportAggregator(List<ModelColumn> columns, Settings settings, long bootstrapSeed) {
		this.columns = List.copyOf(columns);
		for (int i = 0; i < columns.size(); i++) {
			this.index.put(columns.get(i).name(), i);
		}
		this.settings = settings;
		this.sumAbs = new double[columns.size()];
		this.sum = new double[columns.size()];
		this.tokenized = new boolean[columns.size()];
		this.absolute = new double[columns.size()];
		this.bootstrap = new PoissonBootstrap(settings.bootstrapReplicates(), columns.size(), bootstrapSeed);
	}

	/**
	 * Adds one row's explanation.
	 * @param prediction the row's prediction (for its class), or {@code null}
	 * @throws WorkerCallException when the explanation has no attribution for any column
	 */
	public void add(Prediction prediction, Explanation explanation) {
		double[] values = new double[this.columns.size()];
		int known = 0;
		for (Map.Entry<String, Double> attribution : explanation.attributions().entrySet()) {
			Integer f = this.index.get(attribution.getKey());
			if (f != null && attribution.getValue() != null && Double.isFinite(attribution.getValue())) {
				values[f] = attribution.getValue();
				known++;
			}
		}
		Map<String, List<TokenAttribution>> byColumn = explanation.tokens();
		for (Map.Entry<String, List<TokenAttribution>> entry : byColumn.entrySet()) {
			Integer f = textColumn(entry.getKey());
			if (f == null) {
				continue;
			}
			this.tokenized[f] = true;
			if (!explanation.attributions().containsKey(this.columns.get(f).name())) {
				double total = 0;
				for (TokenAttribution token : entry.getValue()) {
					total += token.attribution();
				}
				values[f] = total;
				known++;
			}
		}
		if (known == 0) {
			throw new WorkerCallException(502, "an explanation carries no attribution for any column of the dataset "
					+ this.index.keySet() + " (it names " + explanation.attributions().keySet() + ")");
		}
		this.explanations++;
		this.evaluations += explanation.modelEvaluations();
		String predicted = classKey((prediction != null) ? prediction.classId() : null, explanation.targetClass());
		ClassSums classSums = this.classes.get(predicted);
		if (classSums == null && this.classes.size() < MAX_CLASSES) {
			classSums = new ClassSums(this.columns.size());
			this.classes.put(predicted, classSums);
		}
		for (int f = 0; f < values.length; f++) {
			double abs = Math.abs(values[f]);
			this.absolute[f] = abs;
			this.sumAbs[f] += abs;
			this.sum[f] += values[f];
			if (classSums != null) {
				classSums.sumAbs[f] += abs;
				classSums.sum[f] += values[f];
			}
		}
		if (classSums != null) {
			classSums.rows++;
		}
		this.bootstrap.add(this.absolute);
		histogram(values);
		if (explanation.completenessDelta() != null) {
			this.completeness.add(explanation.completenessDelta());
		}
		if (explanation.efficiencyError() != null) {
			this.efficiency.add(explanation.efficiencyError());
		}
		if (explanation.valueAtBaseline() != null && Double.isFinite(explanation.valueAtBaseline())) {
			this.baselineValueSum += explanation.valueAtBaseline();
			this.baselineValues++;
		}
		descriptors(explanation);
		Integer targetClass = (explanation.targetClass() != null) ? explanation.targetClass()
				: (prediction != null) ? prediction.classId() : null;
		String explained = classKey(targetClass, null);
		// a binary model's probability of the other class is 1 - p: its attributions are
		// the negated ones
		String other = (targetClass != null && (targetClass == 0 || targetClass == 1) && prediction != null
				&& prediction.probabilities() != null && prediction.probabilities().length == 2
				&& !"logit".equals(explanation.target() != null ? explanation.target().path("kind").asString("") : ""))
						? Integer.toString(1 - targetClass) : null;
		for (Map.Entry<String, List<TokenAttribution>> entry : byColumn.entrySet()) {
			if (textColumn(entry.getKey()) == null) {
				continue;
			}
			TokenTally towards = tally(explained);
			TokenTally away = (other != null) ? tally(other) : null;
			for (TokenAttribution token : entry.getValue()) {
				if (Double.isFinite(token.attribution())) {
					if (towards != null) {
						towards.add(token.token(), token.attribution());
					}
					if (away != null) {
						away.add(token.token(), -token.attribution());
					}
				}
			}
		}
	}

	private TokenTally tally(String classKey) {
		TokenTally tally = this.tokens.get(classKey);
		if (tally == null && this.tokens.size() < MAX_CLASSES) {
			tally = new TokenTally(this.settings.maxTrackedTokens());
			this.tokens.put(classKey, tally);
		}
		return tally;
	}

	/**
	 * The column tokens named {@code name} belong to: that column, or, for tokens the
	 * worker did not assign, the dataset's only string column.
	 */
	private Integer textColumn(String name) {
		Integer f = this.index.get(name);
		if (f != null || !name.isEmpty()) {
			return f;
		}
		Integer only = null;
		for (int i = 0; i < this.columns.size(); i++) {
			if (this.columns.get(i).kind() == ModelColumn.Kind.TEXT) {
				if (only != null) {
					return null;
				}
				only = i;
			}
		}
		return only;
	}

	private static String classKey(Integer first, Integer second) {
		Integer value = (first != null) ? first : second;
		return (value != null) ? Integer.toString(value) : "unknown";
	}

	private void histogram(double[] values) {
		if (this.histograms == null) {
			this.warmup.add(values);
			if (this.warmup.size() >= this.settings.histogramWarmup()) {
				fixBins();
			}
			return;
		}
		for (int f = 0; f < values.length; f++) {
			this.histograms[f].add(values[f]);
		}
	}

	private void fixBins() {
		int features = this.columns.size();
		this.histograms = new FixedHistogram[features];
		for (int f = 0; f < features; f++) {
			double min = Double.POSITIVE_INFINITY;
			double max = Double.NEGATIVE_INFINITY;
			for (double[] row : this.warmup) {
				min = Math.min(min, row[f]);
				max = Math.max(max, row[f]);
			}
			this.histograms[f] = FixedHistogram.fitting(min, max, this.settings.histogramBins());
		}
		List<double[]> buffered = List.copyOf(this.warmup);
		this.warmup.clear();
		for (double[] row : buffered) {
			for (int f = 0; f < features; f++) {
				this.histograms[f].add(row[f]);
			}
		}
	}

	private void descriptors(Explanation explanation) {
		if (explanation.method() != null && this.methods.size() < MAX_DISTINCT_DESCRIPTORS) {
			this.methods.add(explanation.method());
		}
		if (explanation.target() != null && this.targets.size() < MAX_DISTINCT_DESCRIPTORS) {
			this.targets.putIfAbsent(CanonicalJson.write(explanation.target()), explanation.target());
		}
		if (explanation.baseline() != null && !this.baselineVaries) {
			JsonNode given = explanation.baseline().path("sha256");
			String sha = given.isString() ? given.asString() : CanonicalJson.sha256(explanation.baseline());
			if (this.baselineSha256 == null) {
				this.baselineSha256 = sha;
				this.baseline = (CanonicalJson.write(explanation.baseline()).length() <= MAX_BASELINE_CHARS)
						? explanation.baseline() : null;
			}
			else if (!this.baselineSha256.equals(sha)) {
				this.baselineVaries = true;
			}
		}
	}

	public long explanations() {
		return this.explanations;
	}

	/** Whether the worker explained column {@code name} token by token. */
	public boolean tokenized(String name) {
		Integer f = this.index.get(name);
		return f != null && this.tokenized[f];
	}

	/** The feature names, most important (largest mean |attribution|) first. */
	public List<String> ranked() {
		List<Integer> order = new ArrayList<>();
		for (int f = 0; f < this.columns.size(); f++) {
			order.add(f);
		}
		order.sort(Comparator.comparingDouble((Integer f) -> -this.sumAbs[f])
			.thenComparing((f) -> this.columns.get(f).name()));
		return order.stream().map((f) -> this.columns.get(f).name()).toList();
	}

	/** The method the explanations name (several joined with {@code +}), or null. */
	public String method() {
		return this.methods.isEmpty() ? null : String.join("+", this.methods);
	}

	/**
	 * {@code features}, {@code classes}, {@code quality}, {@code target},
	 * {@code baseline} and (text models) {@code tokens} of the report's content.
	 */
	public void writeTo(ObjectNode content) {
		if (this.histograms == null) {
			fixBins();
		}
		long n = this.explanations;
		ArrayNode features = content.putArray("features");
		for (String name : ranked()) {
			int f = this.index.get(name);
			ModelColumn column = this.columns.get(f);
			ObjectNode feature = features.addObject();
			feature.put("name", name);
			feature.put("dtype", column.dtype());
			feature.put("kind", kind(f));
			feature.put("mean_abs_attribution", mean(this.sumAbs[f], n));
			feature.put("mean_attribution", mean(this.sum[f], n));
			double[] interval = this.bootstrap.interval(f, this.settings.confidenceLevel());
			ArrayNode bounds = feature.putArray("interval");
			bounds.add(interval[0]);
			bounds.add(interval[1]);
			feature.put("confidence_level", this.settings.confidenceLevel());
			feature.put("bootstrap_replicates", this.bootstrap.replicates());
			ObjectNode perClass = feature.putObject("per_class");
			this.classes.forEach((key, sums) -> {
				ObjectNode item = perClass.putObject(key);
				item.put("rows", sums.rows);
				item.put("mean_abs_attribution", mean(sums.sumAbs[f], sums.rows));
				item.put("mean_attribution", mean(sums.sum[f], sums.rows));
			});
			ObjectNode histogram = feature.putObject("histogram");
			ArrayNode edges = histogram.putArray("edges");
			for (double edge : this.histograms[f].edges()) {
				edges.add(edge);
			}
			ArrayNode counts = histogram.putArray("counts");
			for (long count : this.histograms[f].counts()) {
				counts.add(count);
			}
			histogram.put("below", this.histograms[f].below());
			histogram.put("above", this.histograms[f].above());
		}
		ObjectNode classes = content.putObject("classes");
		this.classes.forEach((key, sums) -> classes.put(key, sums.rows));
		ObjectNode quality = content.putObject("quality");
		quality.put("explanations", n);
		quality.put("model_evaluations", this.evaluations);
		if (this.completeness.count() > 0) {
			quality.set("completeness_delta", errors(this.completeness));
		}
		if (this.efficiency.count() > 0) {
			quality.set("efficiency_error", errors(this.efficiency));
		}
		if (this.targets.size() == 1) {
			content.set("target", this.targets.values().iterator().next());
		}
		else if (this.targets.size() > 1) {
			ArrayNode targets = content.putArray("target");
			this.targets.values().forEach(targets::add);
		}
		else {
			content.put("target", "predicted class");
		}
		ObjectNode baseline = content.putObject("baseline");
		baseline.set("value", this.baseline);
		baseline.put("sha256", this.baselineVaries ? null : this.baselineSha256);
		baseline.put("varies", this.baselineVaries);
		baseline.put("mean_value_at_baseline",
				(this.baselineValues > 0) ? this.baselineValueSum / this.baselineValues : null);
		if (!this.tokens.isEmpty()) {
			ObjectNode tokens = content.putObject("tokens");
			this.tokens.forEach((key, tally) -> {
				ArrayNode list = tokens.putArray(key);
				for (TokenTally.Entry entry : tally.top(this.settings.tokensPerClass(),
						this.settings.minTokenCount())) {
					list.addObject()
						.put("token", entry.token())
						.put("mean_attribution", entry.meanAttribution())
						.put("count", entry.count());
				}
			});
		}
	}

	private String kind(int f) {
		if (this.tokenized[f]) {
			return "text";
		}
		return switch (this.columns.get(f).kind()) {
			case NUMBER, INTEGER -> "numeric";
			case BOOL -> "boolean";
			case TEXT -> "categorical";
		};
	}

	private static ObjectNode errors(ErrorSketch sketch) {
		ObjectNode node = JSON.createObjectNode();
		node.put("explanations", sketch.count());
		node.put("max", sketch.max());
		node.put("mean", sketch.mean());
		node.put("p95", sketch.quantile(0.95));
		return node;
	}

	private static Double mean(double total, long n) {
		return (n > 0) ? total / n : null;
	}

	private static final class ClassSums {

		final double[] sumAbs;

		final double[] sum;

		long rows;

		ClassSums(int features) {
			this.sumAbs = new double[features];
			this.sum = new double[features];
		}

	}

	/**
	 * @param bootstrapReplicates B of the Poisson bootstrap
	 * @param confidenceLevel of the intervals (0.95)
	 * @param histogramBins bins per feature histogram
	 * @param histogramWarmup explanations buffered to fix the histogram bins
	 * @param tokensPerClass tokens reported per class
	 * @param maxTrackedTokens distinct tokens tracked per class ({@link TokenTally})
	 * @param minTokenCount occurrences a token needs to be reported
	 */
	public record Settings(int bootstrapReplicates, double confidenceLevel, int histogramBins, int histogramWarmup,
			int tokensPerClass, int maxTrackedTokens, int minTokenCount) {

		public static final Settings DEFAULTS = new Settings(200, 0.95, 20, 1000, 50, 20000, 3);

	}

}
