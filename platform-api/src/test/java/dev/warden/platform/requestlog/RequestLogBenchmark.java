package dev.warden.platform.requestlog;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.RegistryConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.springframework.jdbc.core.simple.JdbcClient;

import dev.warden.platform.crypto.PayloadCrypto.Direction;
import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.requestlog.internal.GroupCommitWriter;
import dev.warden.platform.requestlog.internal.LogRecord;

/**
 * Request-log write throughput: records per second committed, at 1, 16 and 64 concurrent
 * writers, by
 * <ul>
 * <li><b>single</b>: the previous writer, one INSERT and one commit per request on the
 * application's pool (10 connections, auto-commit);</li>
 * <li><b>group</b>: {@link GroupCommitWriter} with one writer thread and with two (the
 * default), writing each batch with a JDBC batch of INSERTs (what the gateway does), and
 * with two threads writing with binary COPY.</li>
 * </ul>
 * Every record is encrypted on the calling thread exactly as in the gateway (Tink
 * AES256_GCM, ~400-byte request and ~100-byte response), against an embedded PostgreSQL
 * with {@code fsync} and {@code synchronous_commit} on. Not a test: run it with
 * {@code bench/request-log.sh} (arguments: {@code --seconds N},
 * {@code --writers "1 16 64"}, {@code --docs FILE} to replace the results block in that
 * file).
 */
public final class RequestLogBenchmark {

	private static final byte[] REQUEST = ("{\"instances\":[{\"age\":39,\"workclass\":\"State-gov\",\"fnlwgt\":77516,"
			+ "\"education\":\"Bachelors\",\"education_num\":13,\"marital_status\":\"Never-married\",\"occupation\":"
			+ "\"Adm-clerical\",\"relationship\":\"Not-in-family\",\"race\":\"White\",\"sex\":\"Male\","
			+ "\"capital_gain\":2174,\"capital_loss\":0,\"hours_per_week\":40,\"native_country\":\"United-States\"},"
			+ "{\"age\":50,\"workclass\":\"Self-emp-not-inc\",\"fnlwgt\":83311,\"education\":\"Bachelors\"}]}")
		.getBytes(StandardCharsets.UTF_8);

	private static final byte[] RESPONSE = "{\"predictions\":[[0.1342],[0.4471]],\"model_version\":\"1\"}"
		.getBytes(StandardCharsets.UTF_8);

	private RequestLogBenchmark() {
	}

	/** One measured run. */
	record Result(String writer, int writers, double recordsPerSecond, double p50Millis, double p99Millis,
			double meanBatch, double meanCommitMillis) {
	}

	interface Write {

		void write(LogRecord record) throws Exception;

	}

	public static void main(String[] args) throws Exception {
		int seconds = 5;
		int[] writerCounts = { 1, 16, 64 };
		Path docs = null;
		for (int i = 0; i < args.length; i++) {
			switch (args[i]) {
				case "--seconds" -> seconds = Integer.parseInt(args[++i]);
				case "--writers" ->
					writerCounts = Arrays.stream(args[++i].trim().split("\\s+")).mapToInt(Integer::parseInt).toArray();
				case "--docs" -> docs = Path.of(args[++i]);
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
		}
		double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
		Path dir = Files.createTempDirectory("request-log-bench");
		double fsyncMillis = fsyncMillis(dir);
		System.err.printf("one 8 KiB write + fsync in the data directory's file system: p50 %.2f ms%n", fsyncMillis);
		List<Result> results = new ArrayList<>();
		String settings;
		try (LogDatabase db = new LogDatabase(dir.resolve("pg"), 10, 1)) {
			JdbcClient jdbc = JdbcClient.create(db.logPool);
			settings = "fsync=" + jdbc.sql("SHOW fsync").query(String.class).single() + ", synchronous_commit="
					+ jdbc.sql("SHOW synchronous_commit").query(String.class).single();
			System.err.println("PostgreSQL " + settings);
			UUID tenant = UUID.randomUUID();
			JdbcClient.create(db.main)
				.sql("INSERT INTO tenants (id, name, plan, data_key) VALUES (:id, 'bench', 'enterprise', :key)")
				.param("id", tenant)
				.param("key", new byte[] { 1 })
				.update();
			Aead aead = PayloadCrypto.newKeyset().getPrimitive(RegistryConfiguration.get(), Aead.class);
			try (var twoThreads = RequestLogWriter.pool(db.main, LogDatabase.properties(2))) {
				for (int writers : writerCounts) {
					results.add(run("single INSERT per request", writers, seconds, tenant, aead, null, (record) -> {
						try (Connection connection = db.main.getConnection()) {
							LogRecord.insert(connection, List.of(record));
						}
					}));
					MeterRegistry copyMeters = new SimpleMeterRegistry();
					try (GroupCommitWriter group = new GroupCommitWriter(twoThreads, 10_000, 1000, 2, 0, 1000,
							() -> false, copyMeters, LogRecord::copy)) {
						results.add(run("group commit via COPY, 2 writer threads", writers, seconds, tenant, aead,
								copyMeters, (record) -> group.submit(record).get()));
					}
					for (int threads = 1; threads <= 2; threads++) {
						MeterRegistry meters = new SimpleMeterRegistry();
						try (GroupCommitWriter group = new GroupCommitWriter((threads == 1) ? db.logPool : twoThreads,
								10_000, 1000, threads, 0, 1000, () -> false, meters)) {
							results.add(run("group commit, " + threads + " writer thread" + ((threads > 1) ? "s" : ""),
									writers, seconds, tenant, aead, meters, (record) -> group.submit(record).get()));
						}
					}
				}
			}
		}
		finally {
			deleteRecursively(dir);
		}
		double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
		String block = markdown(results, seconds, writerCounts,
				settings + "; one 8 KiB write + fsync: p50 " + String.format("%.2f", fsyncMillis) + " ms", loadBefore,
				loadAfter);
		System.out.println(block);
		if (docs != null) {
			replaceBlock(docs, block);
		}
	}

	private static Result run(String name, int writers, int seconds, UUID tenant, Aead aead, MeterRegistry meters,
			Write write) throws Exception {
		AtomicBoolean measuring = new AtomicBoolean();
		AtomicBoolean running = new AtomicBoolean(true);
		AtomicLong counted = new AtomicLong();
		List<long[]> latencies = new ArrayList<>();
		CountDownLatch done = new CountDownLatch(writers);
		List<Throwable> errors = new ArrayList<>();
		for (int w = 0; w < writers; w++) {
			long[] mine = new long[1 << 18];
			latencies.add(mine);
			int writer = w;
			Thread thread = new Thread(() -> {
				int n = 0;
				int i = 0;
				try {
					while (running.get()) {
						long start = System.nanoTime();
						String requestId = "bench-" + writer + "-" + (n++);
						UUID id = UUID.randomUUID();
						write.write(LogDatabase.record(id, requestId, tenant,
								PayloadCrypto.encryptPayload(aead, REQUEST, tenant, id, requestId, Direction.REQUEST),
								PayloadCrypto.encryptPayload(aead, RESPONSE, tenant, id, requestId,
										Direction.RESPONSE)));
						if (measuring.get()) {
							counted.incrementAndGet();
							if (i < mine.length) {
								mine[i++] = System.nanoTime() - start;
							}
						}
					}
				}
				catch (Throwable ex) {
					synchronized (errors) {
						errors.add(ex);
					}
				}
				finally {
					mine[mine.length - 1] = i;
					done.countDown();
				}
			}, "bench-writer-" + w);
			thread.start();
		}
		Thread.sleep(1000);
		double batchesBefore = (meters != null) ? meters.get("warden.request.log.commit").timer().count() : 0;
		double commitMillisBefore = (meters != null)
				? meters.get("warden.request.log.commit").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)
				: 0;
		double recordsBefore = (meters != null) ? meters.get("warden.request.log.batch.size").summary().totalAmount()
				: 0;
		measuring.set(true);
		long start = System.nanoTime();
		Thread.sleep(seconds * 1000L);
		measuring.set(false);
		long elapsed = System.nanoTime() - start;
		double batches = (meters != null) ? meters.get("warden.request.log.commit").timer().count() - batchesBefore : 0;
		double commitMillis = (meters != null)
				? meters.get("warden.request.log.commit").timer().totalTime(java.util.concurrent.TimeUnit.MILLISECONDS)
						- commitMillisBefore
				: 0;
		double records = (meters != null)
				? meters.get("warden.request.log.batch.size").summary().totalAmount() - recordsBefore : 0;
		running.set(false);
		done.await();
		if (!errors.isEmpty()) {
			throw new IllegalStateException(name + " failed", errors.get(0));
		}
		long total = latencies.stream().mapToLong((l) -> Math.min(l[l.length - 1], l.length - 1)).sum();
		long[] all = new long[(int) total];
		int k = 0;
		for (long[] l : latencies) {
			int count = (int) Math.min(l[l.length - 1], l.length - 1);
			System.arraycopy(l, 0, all, k, count);
			k += count;
		}
		Arrays.sort(all);
		Result result = new Result(name, writers, counted.get() / (elapsed / 1e9), percentile(all, 0.5),
				percentile(all, 0.99), (batches > 0) ? records / batches : 1,
				(batches > 0) ? commitMillis / batches : Double.NaN);
		System.err.printf(
				"%-32s writers=%-3d records/s=%8.0f p50=%.3fms p99=%.3fms mean batch=%.1f mean commit=%.2fms%n", name,
				writers, result.recordsPerSecond(), result.p50Millis(), result.p99Millis(), result.meanBatch(),
				result.meanCommitMillis());
		return result;
	}

	/**
	 * The disk's synced-write latency, the floor of every durable commit (p50 of 200
	 * writes).
	 */
	private static double fsyncMillis(Path dir) throws IOException {
		Path file = dir.resolve("fsync-probe");
		long[] samples = new long[200];
		java.nio.ByteBuffer page = java.nio.ByteBuffer.allocate(8192);
		try (var channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
				java.nio.file.StandardOpenOption.WRITE)) {
			for (int i = 0; i < samples.length; i++) {
				page.clear();
				long start = System.nanoTime();
				channel.write(page, (long) (i % 16) * 8192);
				channel.force(false);
				samples[i] = System.nanoTime() - start;
			}
		}
		Files.delete(file);
		Arrays.sort(samples);
		return percentile(samples, 0.5);
	}

	private static double percentile(long[] sorted, double p) {
		if (sorted.length == 0) {
			return Double.NaN;
		}
		return sorted[Math.min(sorted.length - 1, (int) Math.floor(p * sorted.length))] / 1e6;
	}

	private static String markdown(List<Result> results, int seconds, int[] writerCounts, String settings,
			double loadBefore, double loadAfter) {
		StringBuilder out = new StringBuilder();
		out.append("### Request-log writer — ").append(Instant.now().truncatedTo(ChronoUnit.MINUTES)).append("\n\n");
		out.append("Command: `bench/request-log.sh --seconds ")
			.append(seconds)
			.append(" --writers \"")
			.append(String.join(" ", Arrays.stream(writerCounts).mapToObj(Integer::toString).toList()))
			.append("\"`  \n");
		out.append("Machine: ")
			.append(Runtime.getRuntime().availableProcessors())
			.append(" cores, Java ")
			.append(System.getProperty("java.version"))
			.append(", embedded PostgreSQL (")
			.append(settings)
			.append("), load average ")
			.append(String.format("%.1f", loadBefore))
			.append(" before and ")
			.append(String.format("%.1f", loadAfter))
			.append(" after the run.\n\n");
		out.append(
				"| concurrent writers | single INSERT per request: records/s (p50 / p99 ms) | group commit, 1 writer thread: "
						+ "records/s (p50 / p99 ms) | mean batch, mean commit ms | group / single | group commit, 2 writer threads: "
						+ "records/s (p50 / p99 ms) | mean batch, mean commit ms | group (2) / single | same with COPY instead of "
						+ "INSERT: records/s (p50 / p99 ms) | mean batch, mean commit ms |\n");
		out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
		for (int writers : writerCounts) {
			Result single = find(results, "single", writers);
			Result one = find(results, "group commit, 1 ", writers);
			Result two = find(results, "group commit, 2 ", writers);
			Result copy = find(results, "group commit via COPY", writers);
			out.append(String.format(
					"| %d | %.0f (%.2f / %.2f) | %.0f (%.2f / %.2f) | %.1f, %.2f | %.2f | %.0f (%.2f / %.2f) | %.1f, %.2f | %.2f "
							+ "| %.0f (%.2f / %.2f) | %.1f, %.2f |%n",
					writers, single.recordsPerSecond(), single.p50Millis(), single.p99Millis(), one.recordsPerSecond(),
					one.p50Millis(), one.p99Millis(), one.meanBatch(), one.meanCommitMillis(),
					one.recordsPerSecond() / single.recordsPerSecond(), two.recordsPerSecond(), two.p50Millis(),
					two.p99Millis(), two.meanBatch(), two.meanCommitMillis(),
					two.recordsPerSecond() / single.recordsPerSecond(), copy.recordsPerSecond(), copy.p50Millis(),
					copy.p99Millis(), copy.meanBatch(), copy.meanCommitMillis()));
		}
		return out.toString();
	}

	private static Result find(List<Result> results, String prefix, int writers) {
		return results.stream()
			.filter((r) -> r.writer().startsWith(prefix) && r.writers() == writers)
			.findFirst()
			.orElseThrow();
	}

	private static void replaceBlock(Path docs, String block) throws IOException {
		String begin = "<!-- results:request-log -->";
		String end = "<!-- /results:request-log -->";
		String text = Files.readString(docs);
		int from = text.indexOf(begin);
		int to = text.indexOf(end);
		if (from < 0 || to < from) {
			throw new IllegalStateException(docs + " has no " + begin + " ... " + end + " block");
		}
		Files.writeString(docs, text.substring(0, from + begin.length()) + "\n" + block + text.substring(to));
	}

	private static void deleteRecursively(Path dir) throws IOException {
		try (var paths = Files.walk(dir)) {
			paths.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach((p) -> {
				try {
					Files.deleteIfExists(p);
				}
				catch (IOException ex) {
					// best effort
				}
			});
		}
	}

	static {
		try {
			com.google.crypto.tink.aead.AeadConfig.register();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
