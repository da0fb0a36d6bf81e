package dev.warden.platform.explainability;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.BufferedWriter;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Random;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.explainability.internal.CsvIngest;
import dev.warden.platform.explainability.internal.DatasetCrypto;
import dev.warden.platform.explainability.internal.Explanation;
import dev.warden.platform.explainability.internal.ModelColumn;
import dev.warden.platform.explainability.internal.Prediction;
import dev.warden.platform.explainability.internal.ReportAggregator;
import dev.warden.platform.explainability.internal.ReportComputation;
import dev.warden.platform.explainability.internal.RowChunks;
import dev.warden.platform.explainability.internal.WorkerExplainer;

/**
 * The platform's part of a report job over N generated rows, in the JVM it is started in
 * (run it with a small {@code -Xmx}): a CSV of N rows of the {@code lin} test model (x1,
 * color, n, x2) is written to a temporary file, read back through the upload path
 * ({@link CsvIngest}: parsing, validation, chunks of 1,000 rows encrypted with a dataset
 * key into a chunk file standing in for the table), then the chunks are decrypted one by
 * one and the whole report is computed ({@link ReportComputation}: every row explained,
 * Poisson bootstrap with 200 replicates, histograms, partial dependence) with the
 * closed-form model in process instead of a worker. The report's mean |attribution| of
 * every feature is checked against sums taken while the CSV was generated. Prints
 * {@code rows=N verified}, the rows per second of the report computation and the largest
 * heap in use after a full GC at ten points of the run.
 *
 * <pre>
 * java -Xmx64m -cp ... dev.warden.platform.explainability.ReportAggregationBenchmark --rows 1000000
 * </pre>
 */
public final class ReportAggregationBenchmark {

	private static final List<ModelColumn> COLUMNS = List.of(new ModelColumn("color", "DT_STRING"),
			new ModelColumn("n", "DT_INT64"), new ModelColumn("x1", "DT_FLOAT"), new ModelColumn("x2", "DT_FLOAT"));

	private ReportAggregationBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		long rows = 1_000_000;
		for (int i = 0; i + 1 < args.length; i += 2) {
			if (args[i].equals("--rows")) {
				rows = Long.parseLong(args[i + 1]);
			}
		}
		Path dir = Files.createTempDirectory("warden-report-benchmark");
		try {
			run(rows, dir);
		}
		finally {
			try (var paths = Files.walk(dir)) {
				paths.sorted(java.util.Comparator.reverseOrder()).forEach((p) -> p.toFile().delete());
			}
		}
	}

	private static void run(long rows, Path dir) throws Exception {
		LinearModels.Model model = LinearModels.of("lin");
		Path csv = dir.resolve("reference.csv");
		Map<String, Double> absoluteSums = new LinkedHashMap<>();
		Random random = new Random(42);
		String[] colors = { "red", "blue", "green", "yellow" };
		try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
			out.write("x1,color,n,x2\n");
			Map<String, String> row = new LinkedHashMap<>();
			for (long i = 0; i < rows; i++) {
				row.put("x1", Double.toString(Math.round(random.nextGaussian() * 1000) / 1000.0));
				row.put("color", colors[random.nextInt(colors.length)]);
				row.put("n", Integer.toString(random.nextInt(7)));
				row.put("x2", Double.toString(Math.round(random.nextGaussian() * 2000) / 1000.0));
				for (LinearModels.Column column : model.columns()) {
					absoluteSums.merge(column.name(), Math.abs(model.attribution(column, row.get(column.name()))),
							Double::sum);
				}
				out.write(row.get("x1") + "," + row.get("color") + "," + row.get("n") + "," + row.get("x2") + "\n");
			}
		}
		Aead kek = PayloadCrypto.masterAead(PayloadCrypto.toJson(PayloadCrypto.newKeyset()));
		UUID id = UUID.randomUUID();
		Aead dataset = DatasetCrypto.open(DatasetCrypto.newWrappedKey(kek, id), kek, id);
		Path chunks = dir.resolve("chunks.bin");
		long ingestStart = System.nanoTime();
		CsvIngest.Ingested ingested;
		try (InputStream in = Files.newInputStream(csv);
				DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(chunks)))) {
			ingested = CsvIngest.ingest(in, Long.MAX_VALUE, 1 << 20, COLUMNS, null, 1000, (chunkNo, list) -> {
				byte[] ciphertext = DatasetCrypto.encryptChunk(dataset, RowChunks.encode(list, COLUMNS.size()), id,
						chunkNo);
				try {
					out.writeInt(ciphertext.length);
					out.write(ciphertext);
				}
				catch (IOException ex) {
					throw new UncheckedIOException(ex);
				}
			});
		}
		double ingestSeconds = (System.nanoTime() - ingestStart) / 1e9;
		long[] maxUsed = { usedAfterGc() };
		long every = Math.max(1, ingested.chunks() / 10);
		long started = System.nanoTime();
		ReportComputation.Result result;
		try (ChunkFile source = new ChunkFile(chunks, dataset, id)) {
			long[] boundaries = { 0 };
			result = ReportComputation.run(COLUMNS, ingested.rows(), source, new InProcessModel(model),
					new ReportComputation.Settings(7, rows, 10, 200, 10, 3, ReportAggregator.Settings.DEFAULTS),
					(explained, boundary) -> {
						if (boundary && ++boundaries[0] % every == 0) {
							maxUsed[0] = Math.max(maxUsed[0], usedAfterGc());
						}
						return true;
					});
		}
		double seconds = (System.nanoTime() - started) / 1e9;
		maxUsed[0] = Math.max(maxUsed[0], usedAfterGc());
		if (result.cancelled() || result.rowsExplained() != rows) {
			throw new AssertionError("explained " + result.rowsExplained() + " of " + rows + " rows");
		}
		for (JsonNode feature : result.content().path("features")) {
			double expected = absoluteSums.get(feature.path("name").asString()) / rows;
			double actual = feature.path("mean_abs_attribution").asDouble();
			if (Math.abs(actual - expected) > 1e-9 * Math.max(1, Math.abs(expected))) {
				throw new AssertionError(
						feature.path("name").asString() + ": mean |attribution| " + actual + ", expected " + expected);
			}
		}
		System.out.printf("rows=%d verified%n", rows);
		System.out.printf("csv_bytes=%d ingest_seconds=%.2f report_seconds=%.2f report_rows_per_second=%.0f%n",
				ingested.bytes(), ingestSeconds, seconds, rows / seconds);
		System.out.printf("max_heap_used_after_gc_mb=%.1f max_heap_mb=%.0f%n", maxUsed[0] / 1048576.0,
				Runtime.getRuntime().maxMemory() / 1048576.0);
	}

	private static long usedAfterGc() {
		System.gc();
		Runtime runtime = Runtime.getRuntime();
		return runtime.totalMemory() - runtime.freeMemory();
	}

	/** The closed-form model of the test worker, called in process. */
	private static final class InProcessModel implements ReportComputation.ReportModel {

		private final LinearModels.Model model;

		InProcessModel(LinearModels.Model model) {
			this.model = model;
		}

		@Override
		public WorkerExplainer.Answer explain(List<ObjectNode> instances) {
			List<Prediction> predictions = new ArrayList<>(instances.size());
			List<Explanation> explanations = new ArrayList<>(instances.size());
			for (ObjectNode instance : instances) {
				Map<String, String> row = LinearModelWorker.values(instance);
				double f = this.model.f(row);
				Map<String, Double> attributions = new LinkedHashMap<>();
				for (LinearModels.Column column : this.model.columns()) {
					attributions.put(column.name(), this.model.attribution(column, row.get(column.name())));
				}
				predictions.add(new Prediction((f >= 0) ? 1 : 0,
						new double[] { 1 - LinearModels.sigmoid(f), LinearModels.sigmoid(f) }, null));
				explanations.add(new Explanation("integrated_gradients", null, 1, attributions, Map.of(), f,
						this.model.bias(), 7, this.model.delta(row), null, null));
			}
			return new WorkerExplainer.Answer(predictions, explanations, null);
		}

		@Override
		public List<Prediction> predict(List<ObjectNode> instances) {
			List<Prediction> predictions = new ArrayList<>(instances.size());
			for (ObjectNode instance : instances) {
				double p = LinearModels.sigmoid(this.model.f(LinearModelWorker.values(instance)));
				predictions.add(new Prediction(null, new double[] { 1 - p, p }, null));
			}
			return predictions;
		}

	}

	/** The encrypted chunks, read back and decrypted one at a time. */
	private static final class ChunkFile implements Iterator<List<String[]>>, AutoCloseable {

		private final DataInputStream in;

		private final Aead aead;

		private final UUID id;

		private int next;

		private List<String[]> pending;

		ChunkFile(Path file, Aead aead, UUID id) throws IOException {
			this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)));
			this.aead = aead;
			this.id = id;
		}

		@Override
		public boolean hasNext() {
			if (this.pending == null) {
				try {
					byte[] ciphertext = new byte[this.in.readInt()];
					this.in.readFully(ciphertext);
					this.pending = RowChunks
						.decode(DatasetCrypto.decryptChunk(this.aead, ciphertext, this.id, this.next++));
				}
				catch (EOFException ex) {
					return false;
				}
				catch (IOException | GeneralSecurityException ex) {
					throw new IllegalStateException(ex);
				}
			}
			return true;
		}

		@Override
		public List<String[]> next() {
			if (!hasNext()) {
				throw new NoSuchElementException();
			}
			List<String[]> chunk = this.pending;
			this.pending = null;
			return chunk;
		}

		@Override
		public void close() throws IOException {
			this.in.close();
		}

	}

}
