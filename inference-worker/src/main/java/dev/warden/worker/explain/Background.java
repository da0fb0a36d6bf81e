package dev.warden.worker.explain;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.TensorSpec;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * KernelSHAP's background: the rows whose values stand in for the features outside a
 * coalition. It comes from the version's reference data ({@code warden-background.csv}, a
 * seeded sample of the validation split written at export), summarised for one request
 * either by a seeded sample without replacement or by a k-means summary; or from the
 * caller.
 *
 * @param rows the background rows, coded
 * @param weights one weight per row (cluster sizes for k-means; 1 for a sample)
 * @param summary {@code sample}, {@code kmeans} or {@code all}
 * @param indices the position of each row in the pool it was taken from
 */
record Background(double[][] rows, double[] weights, String summary, int[] indices) {

	/**
	 * Reads {@code warden-background.csv}: RFC 4180 CSV, a header naming the serving
	 * signature's inputs (each of one value per row), one reference row per record.
	 * @throws IllegalArgumentException naming the column and record that do not fit
	 */
	static Map<String, InputColumn> parseCsv(byte[] csv, TabularSlots slots) {
		List<CSVRecord> records = new ArrayList<>();
		try (CSVParser parser = CSVParser.parse(new StringReader(new String(csv, StandardCharsets.UTF_8)),
				CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
			parser.forEach(records::add);
		}
		catch (IOException | RuntimeException ex) {
			throw new IllegalArgumentException("not readable as CSV with a header: " + ex.getMessage());
		}
		if (records.isEmpty()) {
			throw new IllegalArgumentException("it holds no rows");
		}
		int n = records.size();
		Map<String, InputColumn> columns = new LinkedHashMap<>();
		for (int k = 0; k < slots.inputs().size(); k++) {
			TensorSpec input = slots.inputs().get(k);
			if (slots.inputWidth(k) != 1) {
				throw new IllegalArgumentException("input '" + input.name() + "' has " + slots.inputWidth(k)
						+ " values per row; the CSV holds inputs of one value");
			}
			Object values = switch (input.elementKind()) {
				case FLOAT -> new float[n];
				case DOUBLE -> new double[n];
				case INT32 -> new int[n];
				case INT64 -> new long[n];
				case BOOL -> new boolean[n];
				case STRING -> new String[n];
			};
			for (int r = 0; r < n; r++) {
				CSVRecord record = records.get(r);
				if (!record.isMapped(input.name())) {
					throw new IllegalArgumentException("it has no column '" + input.name() + "'");
				}
				String text = record.get(input.name());
				try {
					switch (input.elementKind()) {
						case FLOAT -> ((float[]) values)[r] = finite(Float.parseFloat(text));
						case DOUBLE -> ((double[]) values)[r] = finite(Double.parseDouble(text));
						case INT32 -> ((int[]) values)[r] = Integer.parseInt(text);
						case INT64 -> ((long[]) values)[r] = Long.parseLong(text);
						case BOOL -> ((boolean[]) values)[r] = Boolean.parseBoolean(text) || "1".equals(text);
						case STRING -> ((String[]) values)[r] = text;
					}
				}
				catch (NumberFormatException ex) {
					throw new IllegalArgumentException("row " + (r + 1) + ", column '" + input.name() + "': '" + text
							+ "' is not a " + input.dtype() + " value");
				}
			}
			long[] shape = input.dims().clone();
			shape[0] = n;
			columns.put(input.name(), new InputColumn(input, shape, values));
		}
		return columns;
	}

	private static float finite(float value) {
		if (!Float.isFinite(value)) {
			throw new NumberFormatException();
		}
		return value;
	}

	private static double finite(double value) {
		if (!Double.isFinite(value)) {
			throw new NumberFormatException();
		}
		return value;
	}

	/** Every row, with equal weights. */
	static Background all(double[][] pool) {
		double[] weights = new double[pool.length];
		Arrays.fill(weights, 1);
		int[] indices = new int[pool.length];
		for (int i = 0; i < indices.length; i++) {
			indices[i] = i;
		}
		return new Background(pool, weights, "all", indices);
	}

	/**
	 * {@code size} rows drawn without replacement with a generator seeded by
	 * {@code seed}, in draw order; the whole pool when it has no more rows.
	 */
	static Background sample(double[][] pool, int size, long seed) {
		if (size >= pool.length) {
			Background all = all(pool);
			return new Background(all.rows(), all.weights(), "sample", all.indices());
		}
		int[] order = new int[pool.length];
		for (int i = 0; i < order.length; i++) {
			order[i] = i;
		}
		SplittableRandom random = new SplittableRandom(seed);
		double[][] rows = new double[size][];
		for (int i = 0; i < size; i++) {
			int j = i + random.nextInt(pool.length - i);
			int tmp = order[i];
			order[i] = order[j];
			order[j] = tmp;
			rows[i] = pool[order[i]];
		}
		double[] weights = new double[size];
		Arrays.fill(weights, 1);
		return new Background(rows, weights, "sample", Arrays.copyOf(order, size));
	}

	/**
	 * A k-means summary of the pool: {@code k} clusters (k-means++ start from
	 * {@code seed}, then Lloyd's iterations until no row changes cluster, at most 100),
	 * each represented by its member nearest to the centre (a real row, so a categorical
	 * value stays a value the model knows) and weighted by its size. Distances: numeric
	 * features standardised over the pool; a categorical feature contributes 1 between
	 * two different values (its one-hot vectors scaled by 1/√2).
	 */
	static Background kmeans(double[][] pool, TabularSlots.Coder coder, int k, long seed) {
		int n = pool.length;
		if (k >= n) {
			Background all = all(pool);
			return new Background(all.rows(), all.weights(), "kmeans", all.indices());
		}
		Space space = new Space(pool, coder);
		SplittableRandom random = new SplittableRandom(seed);
		List<Centre> centres = new ArrayList<>();
		centres.add(space.centreOf(List.of(random.nextInt(n))));
		double[] nearest = new double[n];
		Arrays.fill(nearest, Double.POSITIVE_INFINITY);
		while (centres.size() < k) {
			Centre last = centres.get(centres.size() - 1);
			double total = 0;
			for (int r = 0; r < n; r++) {
				nearest[r] = Math.min(nearest[r], space.distance(r, last));
				total += nearest[r];
			}
			if (total == 0) {
				break;
			}
			double u = random.nextDouble() * total;
			int chosen = n - 1;
			for (int r = 0; r < n; r++) {
				u -= nearest[r];
				if (u < 0) {
					chosen = r;
					break;
				}
			}
			centres.add(space.centreOf(List.of(chosen)));
		}
		int[] assignment = new int[n];
		Arrays.fill(assignment, -1);
		for (int iteration = 0; iteration < 100; iteration++) {
			boolean changed = false;
			for (int r = 0; r < n; r++) {
				int best = 0;
				double bestDistance = Double.POSITIVE_INFINITY;
				for (int c = 0; c < centres.size(); c++) {
					double d = space.distance(r, centres.get(c));
					if (d < bestDistance) {
						bestDistance = d;
						best = c;
					}
				}
				if (assignment[r] != best) {
					assignment[r] = best;
					changed = true;
				}
			}
			if (!changed) {
				break;
			}
			List<Centre> updated = new ArrayList<>();
			for (int c = 0; c < centres.size(); c++) {
				List<Integer> members = members(assignment, c);
				updated.add(members.isEmpty() ? centres.get(c) : space.centreOf(members));
			}
			centres = updated;
		}
		List<double[]> rows = new ArrayList<>();
		List<Double> weights = new ArrayList<>();
		List<Integer> indices = new ArrayList<>();
		for (int c = 0; c < centres.size(); c++) {
			List<Integer> members = members(assignment, c);
			if (members.isEmpty()) {
				continue;
			}
			int medoid = members.get(0);
			double best = Double.POSITIVE_INFINITY;
			for (int r : members) {
				double d = space.distance(r, centres.get(c));
				if (d < best) {
					best = d;
					medoid = r;
				}
			}
			rows.add(pool[medoid]);
			weights.add((double) members.size());
			indices.add(medoid);
		}
		return new Background(rows.toArray(double[][]::new),
				weights.stream().mapToDouble(Double::doubleValue).toArray(), "kmeans",
				indices.stream().mapToInt(Integer::intValue).toArray());
	}

	private static List<Integer> members(int[] assignment, int cluster) {
		List<Integer> members = new ArrayList<>();
		for (int r = 0; r < assignment.length; r++) {
			if (assignment[r] == cluster) {
				members.add(r);
			}
		}
		return members;
	}

	/**
	 * A centre: the mean of each numeric feature (standardised) and the share of each
	 * value of each categorical feature.
	 */
	private record Centre(double[] numeric, double[][] shares, double[] sumSquares) {
	}

	/** The pool in the space k-means works in. */
	private static final class Space {

		private final double[][] pool;

		private final boolean[] categorical;

		private final int[] categories;

		private final double[] mean;

		private final double[] scale;

		Space(double[][] pool, TabularSlots.Coder coder) {
			this.pool = pool;
			int width = pool[0].length;
			categorical = new boolean[width];
			categories = new int[width];
			mean = new double[width];
			scale = new double[width];
			for (int i = 0; i < width; i++) {
				categorical[i] = coder.categorical(i);
				if (categorical[i]) {
					categories[i] = coder.dictionarySize(i);
					continue;
				}
				double sum = 0;
				double squares = 0;
				for (double[] row : pool) {
					sum += row[i];
					squares += row[i] * row[i];
				}
				mean[i] = sum / pool.length;
				double variance = squares / pool.length - mean[i] * mean[i];
				scale[i] = variance > 1e-12 ? Math.sqrt(variance) : 1;
			}
		}

		Centre centreOf(List<Integer> members) {
			int width = categorical.length;
			double[] numeric = new double[width];
			double[][] shares = new double[width][];
			for (int i = 0; i < width; i++) {
				if (categorical[i]) {
					shares[i] = new double[categories[i]];
				}
			}
			for (int r : members) {
				for (int i = 0; i < width; i++) {
					if (categorical[i]) {
						shares[i][(int) pool[r][i]] += 1.0 / members.size();
					}
					else {
						numeric[i] += (pool[r][i] - mean[i]) / scale[i] / members.size();
					}
				}
			}
			double[] sumSquares = new double[width];
			for (int i = 0; i < width; i++) {
				if (categorical[i]) {
					for (double share : shares[i]) {
						sumSquares[i] += share * share;
					}
				}
			}
			return new Centre(numeric, shares, sumSquares);
		}

		/** Squared distance of a pool row to a centre. */
		double distance(int r, Centre centre) {
			double d = 0;
			for (int i = 0; i < categorical.length; i++) {
				if (categorical[i]) {
					// ‖e_v − p‖² / 2 = (1 − 2 p_v + Σ p²) / 2
					d += (1 - 2 * centre.shares()[i][(int) pool[r][i]] + centre.sumSquares()[i]) / 2;
				}
				else {
					double z = (pool[r][i] - mean[i]) / scale[i] - centre.numeric()[i];
					d += z * z;
				}
			}
			return d;
		}

	}

}
