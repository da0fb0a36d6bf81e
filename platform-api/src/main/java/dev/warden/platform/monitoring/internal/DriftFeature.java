package dev.warden.platform.monitoring.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

/**
 * One input feature of a reference profile with its bins, and where its counts lie in the
 * profile's count vector ({@code offset}, {@code size}). The same counting serves the
 * reference rows (CSV cells) and live requests (JSON values), so both are counted in
 * exactly the same bins.
 * <ul>
 * <li>{@link Numeric}: bins (−∞, e₁), [e₁, e₂), …, [eₘ, +∞) from the edges e (values
 * outside the reference's range fall into the end bins), then {@code missing} (absent,
 * null, not a finite number);</li>
 * <li>{@link Categorical}: one bin per reference category, then {@code other}, then
 * {@code missing} (absent, null, empty string);</li>
 * <li>{@link Text}: the token-count bins (as numeric, on the number of tokens), then one
 * bin per hash bucket (counting tokens, not rows), then {@code missing}.</li>
 * </ul>
 */
public sealed interface DriftFeature permits DriftFeature.Numeric, DriftFeature.Categorical, DriftFeature.Text {

	/** The input's name. */
	String name();

	/** {@code numeric}, {@code categorical} or {@code text}. */
	String kind();

	/** First index of this feature's counts in the count vector. */
	int offset();

	/** Number of counts this feature has. */
	int size();

	/**
	 * Counts one value of a live request.
	 * @return the value when it is a category the reference does not have (counted in
	 * {@code other}), else {@code null}
	 */
	String count(JsonNode value, long[] counts);

	/** Counts one cell of a reference row. */
	void count(String cell, long[] counts);

	/** The bin of {@code value} among the bins of {@code edges}: edges ≤ value. */
	static int bin(double[] edges, double value) {
		int low = 0;
		int high = edges.length;
		while (low < high) {
			int mid = (low + high) >>> 1;
			if (edges[mid] <= value) {
				low = mid + 1;
			}
			else {
				high = mid;
			}
		}
		return low;
	}

	/**
	 * A JSON value as a scalar: a one-element array is its element; {@code null} when
	 * absent, null, or not a scalar.
	 */
	private static JsonNode scalar(JsonNode value) {
		JsonNode node = value;
		while (node != null && node.isArray() && node.size() == 1) {
			node = node.get(0);
		}
		if (node == null || node.isMissingNode() || node.isNull() || node.isArray()) {
			return null;
		}
		return node;
	}

	/**
	 * A JSON value as a string: text, {@code {"b64": …}} decoded as UTF-8, a number or
	 * boolean as written; {@code null} when there is none.
	 */
	static String string(JsonNode value) {
		JsonNode node = scalar(value);
		if (node == null) {
			return null;
		}
		if (node.isString()) {
			return node.asString();
		}
		if (node.isObject()) {
			JsonNode b64 = node.get("b64");
			if (b64 != null && b64.isString()) {
				try {
					return new String(Base64.getDecoder().decode(b64.asString()), StandardCharsets.UTF_8);
				}
				catch (IllegalArgumentException ex) {
					return null;
				}
			}
			return null;
		}
		if (node.isNumber() || node.isBoolean()) {
			return node.asString();
		}
		return null;
	}

	/** A JSON value as a finite number, or {@code NaN}. */
	static double number(JsonNode value) {
		JsonNode node = scalar(value);
		if (node == null) {
			return Double.NaN;
		}
		if (node.isNumber()) {
			double d = node.asDouble();
			return Double.isFinite(d) ? d : Double.NaN;
		}
		if (node.isString()) {
			return number(node.asString());
		}
		return Double.NaN;
	}

	/** A cell as a finite number, or {@code NaN}. */
	static double number(String cell) {
		if (cell == null || cell.isBlank()) {
			return Double.NaN;
		}
		try {
			double d = Double.parseDouble(cell.strip());
			return Double.isFinite(d) ? d : Double.NaN;
		}
		catch (NumberFormatException ex) {
			return Double.NaN;
		}
	}

	/** A numeric input. */
	record Numeric(String name, double[] edges, int offset) implements DriftFeature {

		@Override
		public String kind() {
			return "numeric";
		}

		@Override
		public int size() {
			return this.edges.length + 2;
		}

		@Override
		public String count(JsonNode value, long[] counts) {
			add(number(value), counts);
			return null;
		}

		@Override
		public void count(String cell, long[] counts) {
			add(number(cell), counts);
		}

		void add(double value, long[] counts) {
			if (Double.isNaN(value)) {
				counts[this.offset + this.edges.length + 1]++;
			}
			else {
				counts[this.offset + bin(this.edges, value)]++;
			}
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Numeric n && n.name.equals(this.name) && Arrays.equals(n.edges, this.edges)
					&& n.offset == this.offset;
		}

		@Override
		public int hashCode() {
			return this.name.hashCode() * 31 + Arrays.hashCode(this.edges);
		}

	}

	/**
	 * A categorical input (a string, integer or boolean one decided to be categorical).
	 */
	record Categorical(String name, List<String> categories, int offset,
			Map<String, Integer> index) implements DriftFeature {

		public Categorical(String name, List<String> categories, int offset) {
			this(name, List.copyOf(categories), offset, indexOf(categories));
		}

		private static Map<String, Integer> indexOf(List<String> categories) {
			Map<String, Integer> index = new HashMap<>();
			for (int i = 0; i < categories.size(); i++) {
				index.put(categories.get(i), i);
			}
			return Map.copyOf(index);
		}

		@Override
		public String kind() {
			return "categorical";
		}

		@Override
		public int size() {
			return this.categories.size() + 2;
		}

		@Override
		public String count(JsonNode value, long[] counts) {
			return add(string(value), counts);
		}

		@Override
		public void count(String cell, long[] counts) {
			add(cell, counts);
		}

		String add(String value, long[] counts) {
			if (value == null || value.isEmpty()) {
				counts[this.offset + this.categories.size() + 1]++;
				return null;
			}
			Integer at = this.index.get(value);
			if (at != null) {
				counts[this.offset + at]++;
				return null;
			}
			counts[this.offset + this.categories.size()]++;
			return value;
		}

	}

	/** A free-text input. */
	record Text(String name, double[] tokenCountEdges, int hashBuckets, int offset) implements DriftFeature {

		@Override
		public String kind() {
			return "text";
		}

		/** Counts of the token-count bins. */
		public int tokenCountBins() {
			return this.tokenCountEdges.length + 1;
		}

		@Override
		public int size() {
			return tokenCountBins() + this.hashBuckets + 1;
		}

		@Override
		public String count(JsonNode value, long[] counts) {
			add(string(value), counts);
			return null;
		}

		@Override
		public void count(String cell, long[] counts) {
			add(cell, counts);
		}

		void add(String text, long[] counts) {
			if (text == null) {
				counts[this.offset + size() - 1]++;
				return;
			}
			int hashes = this.offset + tokenCountBins();
			int tokens = DriftTokens.tokens(text, this.hashBuckets, (bucket) -> counts[hashes + bucket]++);
			counts[this.offset + bin(this.tokenCountEdges, tokens)]++;
		}

		@Override
		public boolean equals(Object other) {
			return other instanceof Text t && t.name.equals(this.name)
					&& Arrays.equals(t.tokenCountEdges, this.tokenCountEdges) && t.hashBuckets == this.hashBuckets
					&& t.offset == this.offset;
		}

		@Override
		public int hashCode() {
			return this.name.hashCode() * 31 + Arrays.hashCode(this.tokenCountEdges);
		}

	}

}
