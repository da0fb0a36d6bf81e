package dev.warden.platform.monitoring.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Computes a reference profile from a reference dataset's rows and the version's
 * predictions of them, in two steps: {@link #add} every row (numeric values and text
 * token counts are kept in memory, 8 and 4 bytes a row; categories as counts), then
 * {@link #build} the bins and count the rows into them.
 * <ul>
 * <li>numeric ({@code DT_FLOAT}, integer dtypes): edges are the reference's quantiles at
 * 1/bins, …, (bins−1)/bins by nearest rank (the ⌈q·n⌉-th smallest value), equal edges
 * merged, and a point mass isolated ({@link #quantileEdges});</li>
 * <li>{@code DT_STRING}: text when the policy names it in {@code text_features},
 * categorical when in {@code categorical_features}; otherwise text when the non-missing
 * values average at least {@value #TEXT_MIN_MEAN_TOKENS} tokens and at least half of them
 * are distinct, else categorical; the decision and its reason are recorded;</li>
 * <li>categorical ({@code DT_STRING}, {@code DT_BOOL}): the values seen at least k times,
 * most frequent first (at most {@value ProfileSettings#MAX_CATEGORIES}), then
 * {@code other} and {@code missing};</li>
 * <li>text: token-count edges as for numeric, and the tokens' distribution over the hash
 * buckets ({@link DriftTokens}).</li>
 * </ul>
 * Not thread-safe: one job's thread.
 */
public final class ProfileBuilder {

	static final double TEXT_MIN_MEAN_TOKENS = 3;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final List<Column> columns;

	private final ProfileSettings settings;

	private final Map<Integer, Long> classes = new TreeMap<>();

	private final long[] prediction = new long[2 + DriftPrediction.SCORE_BINS + 1];

	private long rows;

	public ProfileBuilder(List<String> names, List<String> dtypes, ProfileSettings settings) {
		this.settings = settings;
		this.columns = new ArrayList<>();
		for (int i = 0; i < names.size(); i++) {
			this.columns.add(new Column(names.get(i), dtypes.get(i), settings.hashBuckets()));
		}
	}

	/**
	 * Adds a row: its first cells are the inputs in the order given; the answer's class
	 * and probabilities (either may be {@code null}).
	 */
	public void add(String[] row, Integer classId, double[] probabilities) {
		for (int i = 0; i < this.columns.size(); i++) {
			this.columns.get(i).add((i < row.length) ? row[i] : null);
		}
		Integer predicted = DriftPrediction.predictedClass(classId, probabilities);
		if (predicted == null) {
			this.prediction[1]++;
		}
		else {
			this.classes.merge(predicted, 1L, Long::sum);
		}
		double score = DriftPrediction.score(probabilities);
		this.prediction[2 + (Double.isFinite(score) ? DriftFeature.bin(DriftPrediction.SCORE_EDGES, score)
				: DriftPrediction.SCORE_BINS)]++;
		this.rows++;
	}

	public long rows() {
		return this.rows;
	}

	/**
	 * The profile: {@code settings}, {@code rows}, {@code features} (each with its kind,
	 * bins, {@code offset} and {@code size} in the count vector), {@code prediction} and
	 * {@code counts}, the reference's count vector.
	 */
	public ObjectNode build() {
		ObjectNode profile = JSON.createObjectNode();
		profile.put("format", 1);
		ObjectNode settingsNode = profile.putObject("settings");
		settingsNode.put("bins", this.settings.bins());
		settingsNode.put("hash_buckets", this.settings.hashBuckets());
		settingsNode.put("k", this.settings.k());
		settingsNode.put("max_categories", ProfileSettings.MAX_CATEGORIES);
		settingsNode.put("quantiles", "nearest rank: the ceil(q*n)-th smallest value at q = 1/bins ... "
				+ "(bins-1)/bins, equal edges merged; a value that is the edge of several quantiles also gets the "
				+ "smallest value above it as an edge; bins (-inf, e1), [e1, e2), ..., [em, +inf)");
		settingsNode.put("tokeniser", "lower-case (Locale.ROOT), split at every code point that is not a letter "
				+ "or digit; bucket = FNV-1a 32-bit of the token's UTF-8 bytes, unsigned, mod hash_buckets");
		profile.put("rows", this.rows);
		ArrayNode features = profile.putArray("features");
		List<long[]> parts = new ArrayList<>();
		int offset = 0;
		for (Column column : this.columns) {
			ObjectNode feature = features.addObject();
			feature.put("name", column.name);
			feature.put("dtype", column.dtype);
			long[] counts = column.build(feature, this.settings, offset);
			feature.put("offset", offset);
			feature.put("size", counts.length);
			parts.add(counts);
			offset += counts.length;
		}
		ObjectNode predictionNode = profile.putObject("prediction");
		predictionNode.put("class", "the index of the largest probability, else class_id");
		predictionNode.put("score", "the probability of class 1 when there are two classes, else the largest");
		ArrayNode classIds = predictionNode.putArray("classes");
		long[] predictionCounts = new long[this.classes.size() + 2 + DriftPrediction.SCORE_BINS + 1];
		int i = 0;
		for (Map.Entry<Integer, Long> entry : this.classes.entrySet()) {
			classIds.add(entry.getKey());
			predictionCounts[i++] = entry.getValue();
		}
		predictionCounts[i + 1] = this.prediction[1];
		System.arraycopy(this.prediction, 2, predictionCounts, i + 2, DriftPrediction.SCORE_BINS + 1);
		ArrayNode scoreEdges = predictionNode.putArray("score_edges");
		for (double edge : DriftPrediction.SCORE_EDGES) {
			scoreEdges.add(edge);
		}
		predictionNode.put("offset", offset);
		predictionNode.put("size", predictionCounts.length);
		parts.add(predictionCounts);
		offset += predictionCounts.length;
		long[] all = new long[offset];
		int at = 0;
		for (long[] part : parts) {
			System.arraycopy(part, 0, all, at, part.length);
			at += part.length;
		}
		ArrayNode counts = profile.putArray("counts");
		for (long count : all) {
			counts.add(count);
		}
		profile.put("layout_size", all.length);
		return profile;
	}

	/**
	 * Quantile edges of sorted values: the ⌈q·n⌉-th smallest value at q = 1/bins … (bins
	 * − 1)/bins, equal edges merged; a value that is the edge of several quantiles (a
	 * point mass, such as the zeros of a mostly-zero input) also gets the smallest value
	 * above it as an edge, so that it has a bin of its own.
	 */
	public static double[] quantileEdges(double[] sorted, int bins) {
		if (sorted.length == 0) {
			return new double[0];
		}
		TreeSet<Double> edges = new TreeSet<>();
		double previous = Double.NaN;
		for (int i = 1; i < bins; i++) {
			int rank = (int) Math.ceil((double) i * sorted.length / bins);
			double edge = sorted[Math.max(0, rank - 1)];
			if (edge == previous) {
				int above = DriftFeature.bin(sorted, edge);
				if (above < sorted.length) {
					edges.add(sorted[above]);
				}
			}
			edges.add(edge);
			previous = edge;
		}
		double[] out = new double[edges.size()];
		int i = 0;
		for (double edge : edges) {
			out[i++] = edge;
		}
		return out;
	}

	/** One input while rows are added. */
	private static final class Column {

		/**
		 * Distinct string values counted at most; beyond, new values are only counted as
		 * such.
		 */
		private static final int MAX_DISTINCT = 100_000;

		final String name;

		final String dtype;

		private double[] numbers = new double[1024];

		private int[] tokenCounts = new int[1024];

		private int filled;

		private long missing;

		private final Map<String, Long> values = new HashMap<>();

		private long valuesBeyondBound;

		private final long[] hashes;

		private long tokens;

		Column(String name, String dtype, int hashBuckets) {
			this.name = name;
			this.dtype = dtype;
			this.hashes = new long[hashBuckets];
		}

		boolean numeric() {
			return switch (this.dtype) {
				case "DT_FLOAT", "DT_DOUBLE", "DT_HALF", "DT_BFLOAT16", "DT_INT8", "DT_INT16", "DT_INT32", "DT_INT64",
						"DT_UINT8", "DT_UINT16", "DT_UINT32", "DT_UINT64" ->
					true;
				default -> false;
			};
		}

		void add(String cell) {
			if (numeric()) {
				double value = DriftFeature.number(cell);
				if (Double.isNaN(value)) {
					this.missing++;
					return;
				}
				if (this.filled == this.numbers.length) {
					this.numbers = Arrays.copyOf(this.numbers, this.filled * 2);
				}
				this.numbers[this.filled++] = value;
				return;
			}
			if (cell == null) {
				this.missing++;
				return;
			}
			if (this.filled == this.tokenCounts.length) {
				this.tokenCounts = Arrays.copyOf(this.tokenCounts, this.filled * 2);
			}
			int count = DriftTokens.tokens(cell, this.hashes.length, (bucket) -> this.hashes[bucket]++);
			this.tokenCounts[this.filled++] = count;
			this.tokens += count;
			if (this.values.size() < MAX_DISTINCT || this.values.containsKey(cell)) {
				this.values.merge(cell, 1L, Long::sum);
			}
			else {
				this.valuesBeyondBound++;
			}
		}

		long[] build(ObjectNode feature, ProfileSettings settings, int offset) {
			if (numeric()) {
				double[] sorted = Arrays.copyOf(this.numbers, this.filled);
				Arrays.sort(sorted);
				double[] edges = quantileEdges(sorted, settings.bins());
				feature.put("kind", "numeric");
				putEdges(feature.putArray("edges"), edges);
				long[] counts = new long[edges.length + 2];
				for (double value : sorted) {
					counts[DriftFeature.bin(edges, value)]++;
				}
				counts[edges.length + 1] = this.missing;
				return counts;
			}
			String kind;
			String decision;
			if (settings.textFeatures().contains(this.name)) {
				kind = "text";
				decision = "text_features of policies/monitoring.yaml";
			}
			else if (settings.categoricalFeatures().contains(this.name) || !"DT_STRING".equals(this.dtype)) {
				kind = "categorical";
				decision = "DT_STRING".equals(this.dtype) ? "categorical_features of policies/monitoring.yaml"
						: this.dtype + " is categorical";
			}
			else {
				double meanTokens = (this.filled > 0) ? (double) this.tokens / this.filled : 0;
				long distinct = this.values.size() + this.valuesBeyondBound;
				boolean text = this.filled > 0 && meanTokens >= TEXT_MIN_MEAN_TOKENS && distinct * 2 >= this.filled;
				kind = text ? "text" : "categorical";
				decision = String.format(java.util.Locale.ROOT,
						"from the reference: %d distinct of %d values, %.2f tokens per value (text needs at least "
								+ "%.0f tokens per value and at least half of the values distinct)",
						distinct, this.filled, meanTokens, TEXT_MIN_MEAN_TOKENS);
			}
			feature.put("kind", kind);
			feature.put("decision", decision);
			if ("text".equals(kind)) {
				int[] sortedTokens = Arrays.copyOf(this.tokenCounts, this.filled);
				Arrays.sort(sortedTokens);
				double[] asDoubles = new double[sortedTokens.length];
				for (int i = 0; i < asDoubles.length; i++) {
					asDoubles[i] = sortedTokens[i];
				}
				double[] edges = quantileEdges(asDoubles, settings.bins());
				putEdges(feature.putArray("token_count_edges"), edges);
				feature.put("hash_buckets", this.hashes.length);
				long[] counts = new long[edges.length + 1 + this.hashes.length + 1];
				for (double value : asDoubles) {
					counts[DriftFeature.bin(edges, value)]++;
				}
				System.arraycopy(this.hashes, 0, counts, edges.length + 1, this.hashes.length);
				counts[counts.length - 1] = this.missing;
				return counts;
			}
			List<Map.Entry<String, Long>> kept = new ArrayList<>();
			long other = this.valuesBeyondBound;
			long missing = this.missing;
			for (Map.Entry<String, Long> entry : this.values.entrySet()) {
				if (entry.getKey().isEmpty()) {
					missing += entry.getValue();
				}
				else if (entry.getValue() >= settings.k()) {
					kept.add(entry);
				}
				else {
					other += entry.getValue();
				}
			}
			kept.sort(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()));
			while (kept.size() > ProfileSettings.MAX_CATEGORIES) {
				other += kept.remove(kept.size() - 1).getValue();
			}
			Map<String, Long> categories = new LinkedHashMap<>();
			kept.forEach((e) -> categories.put(e.getKey(), e.getValue()));
			ArrayNode names = feature.putArray("categories");
			categories.keySet().forEach(names::add);
			long[] counts = new long[categories.size() + 2];
			int i = 0;
			for (long count : categories.values()) {
				counts[i++] = count;
			}
			counts[i] = other;
			counts[i + 1] = missing;
			return counts;
		}

		private static void putEdges(ArrayNode array, double[] edges) {
			for (double edge : edges) {
				array.add(edge);
			}
		}

	}

}
