package dev.warden.platform.export;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import tools.jackson.databind.json.JsonMapper;

import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenTestApp;

/**
 * Streams large request-log exports through the real application in this JVM (run it with
 * a small heap, e.g. {@code -Xmx256m}): inserts synthetic rows with
 * {@code generate_series}, downloads each format over HTTP while hashing it, checks the
 * file against the manifest (row count, SHA-256) and prints rows/s and the peak heap.
 * Exit code 0 when every export was complete and matched its manifest.
 *
 * <pre>
 * ExportBenchmark --rows 1000000 --formats csv,ndjson,pdf
 * </pre>
 */
public final class ExportBenchmark {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ExportBenchmark() {
	}

	public static void main(String[] args) throws Exception {
		long rows = 1_000_000;
		List<String> formats = List.of("csv", "ndjson", "pdf");
		for (int i = 0; i + 1 < args.length; i += 2) {
			switch (args[i]) {
				case "--rows" -> rows = Long.parseLong(args[i + 1]);
				case "--formats" -> formats = List.of(args[i + 1].split(","));
				default -> throw new IllegalArgumentException("unknown argument " + args[i]);
			}
		}
		Path dataDir = Files.createTempDirectory("warden-export-benchmark");
		boolean ok = true;
		try (TestIssuer issuer = new TestIssuer();
				WardenTestApp app = WardenTestApp.start(dataDir,
						Map.of("warden.security.issuer-uri", issuer.issuer(), "warden.exports.pdf-max-rows",
								Long.toString(rows), "logging.level.root", "WARN",
								// the seeding INSERT of all rows is one statement, longer
								// than the
								// default socket timeout (exports themselves have the
								// long one)
								"warden.database.socket-timeout", "30m"))) {
			long insertStart = System.nanoTime();
			app.jdbc()
				.sql("INSERT INTO request_log (id, request_id, occurred_at, model, model_version, method, path, status, "
						+ "latency_micros, request_bytes, response_bytes, error_code) SELECT gen_random_uuid(), "
						+ "'req-' || g, timestamptz '2026-01-01 00:00:00+00' + g * interval '1 millisecond', 'income', "
						+ "'1', 'POST', '/v1/models/income:predict', CASE WHEN g % 50 = 0 THEN 429 ELSE 200 END, "
						+ "1000 + g % 5000, 120 + g % 7, 64, CASE WHEN g % 50 = 0 THEN 'quota_exceeded' END "
						+ "FROM generate_series(1, :rows) AS g")
				.param("rows", rows)
				.update();
			System.out.printf(Locale.ROOT, "inserted %d rows in %.1f s; max heap %d MB%n", rows,
					(System.nanoTime() - insertStart) / 1e9, Runtime.getRuntime().maxMemory() >> 20);
			System.out.println("| format | rows | file size | seconds | rows/s | peak heap used |");
			System.out.println("| --- | ---: | ---: | ---: | ---: | ---: |");
			for (String format : formats) {
				ok &= run(app, issuer, format, rows);
			}
		}
		finally {
			deleteRecursively(dataDir);
		}
		System.exit(ok ? 0 : 1);
	}

	private static void deleteRecursively(Path dir) throws java.io.IOException {
		try (var paths = Files.walk(dir)) {
			for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
				Files.deleteIfExists(path);
			}
		}
	}

	private static boolean run(WardenTestApp app, TestIssuer issuer, String format, long rows) throws Exception {
		System.gc();
		List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans()
			.stream()
			.filter((pool) -> pool.getType() == MemoryType.HEAP)
			.toList();
		heap.forEach(MemoryPoolMXBean::resetPeakUsage);
		String token = "Bearer " + issuer.token("benchmark", "COMPLIANCE");
		long start = System.nanoTime();
		HttpResponse<InputStream> response = HttpClient.newHttpClient()
			.send(HttpRequest
				.newBuilder(URI.create(
						app.url("/api/admin/exports/request-log?format=" + format + "&from=2026-01-01&to=2027-01-01")))
				.header("Authorization", token)
				.build(), HttpResponse.BodyHandlers.ofInputStream());
		MessageDigest digest = MessageDigest.getInstance("SHA-256");
		long bytes = 0;
		try (InputStream in = response.body()) {
			byte[] buffer = new byte[64 * 1024];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				digest.update(buffer, 0, n);
				bytes += n;
			}
		}
		double seconds = (System.nanoTime() - start) / 1e9;
		long peak = heap.stream().mapToLong((pool) -> pool.getPeakUsage().getUsed()).sum();
		if (response.statusCode() != 200) {
			System.out.println(format + ": HTTP " + response.statusCode());
			return false;
		}
		String id = response.headers().firstValue("X-Export-Id").orElseThrow();
		Map<?, ?> manifest = JSON.readValue(
				Http.get(app.url("/api/admin/exports/" + id + "/manifest"), "Authorization", token).body(), Map.class);
		boolean complete = ((Number) manifest.get("row_count")).longValue() == rows
				&& HexFormat.of().formatHex(digest.digest()).equals(manifest.get("sha256"));
		System.out.printf(Locale.ROOT, "| %s | %,d | %,d MB | %.1f | %,.0f | %d MB |%s%n", format, rows, bytes >> 20,
				seconds, rows / seconds, peak >> 20, complete ? "" : " MANIFEST MISMATCH");
		if (complete) {
			System.out.println(format + " " + rows + " rows verified");
		}
		return complete;
	}

}
