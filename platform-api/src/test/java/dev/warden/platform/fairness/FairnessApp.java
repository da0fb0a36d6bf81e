package dev.warden.platform.fairness;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.model.ModelCatalogue;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application the fairness tests share: started once per run with a
 * {@link ScoreWorker} as its worker (models {@code scored}, {@code slow}, {@code plain},
 * {@code classless}, {@code income} and {@code census} to {@code census3}, version 1
 * each; the shipped dataset {@code adult_validation} in a small version of its real
 * layout), jobs polled every 200 ms with one runner, chunks of 50 rows and an upload
 * limit of 200 KB; the model catalogue is synchronised once at start (which registers the
 * shipped dataset of {@code income} automatically, with its built-in evaluation spec).
 * Test classes use it through {@link Extension}, each with dataset names of its own.
 */
record FairnessApp(WardenFixture warden, ScoreWorker worker, Path dataDir) implements AutoCloseable {

	static final long MAX_UPLOAD_BYTES = 200 * 1024;

	static final int CHUNK_ROWS = 50;

	static final int ADULT_ROWS = 300;

	static FairnessApp start() {
		ScoreWorker worker = null;
		Path dataDir = null;
		try {
			worker = new ScoreWorker();
			for (String model : List.of("scored", "slow", "plain", "classless", "income", "census", "census2",
					"census3")) {
				worker.listing(model, 1);
			}
			worker.shipped("adult_validation", adultCsv(ADULT_ROWS, 5));
			dataDir = Files.createTempDirectory("warden-fairness");
			Map<String, Object> settings = new LinkedHashMap<>();
			settings.put("warden.worker.url", worker.url());
			settings.put("warden.explainability.jobs.poll-interval", "200ms");
			settings.put("warden.explainability.jobs.lease-timeout", "5s");
			settings.put("warden.explainability.jobs.concurrency", "1");
			settings.put("warden.explainability.reference-data.chunk-rows", Integer.toString(CHUNK_ROWS));
			settings.put("warden.explainability.reference-data.max-bytes", Long.toString(MAX_UPLOAD_BYTES));
			WardenFixture warden = WardenFixture.start(dataDir, settings);
			warden.app().bean(ModelCatalogue.class).sync();
			return new FairnessApp(warden, worker, dataDir);
		}
		catch (Exception ex) {
			if (worker != null) {
				worker.close();
			}
			throw new IllegalStateException("the fairness test application could not be started", ex);
		}
	}

	String url(String path) {
		return this.warden.app().url(path);
	}

	String[] admin() {
		return this.warden.admin();
	}

	String[] compliance() {
		return this.warden.as("carol", "COMPLIANCE");
	}

	/** The authorization header of an ADMIN, without a content type. */
	String[] bearer() {
		return withoutContentType(admin());
	}

	static String[] withoutContentType(String[] headers) {
		List<String> kept = new ArrayList<>();
		for (int i = 0; i < headers.length; i += 2) {
			if (!headers[i].equalsIgnoreCase("Content-Type")) {
				kept.add(headers[i]);
				kept.add(headers[i + 1]);
			}
		}
		return kept.toArray(String[]::new);
	}

	static String[] withContentType(String[] headers, String type) {
		List<String> all = new ArrayList<>(List.of(withoutContentType(headers)));
		all.add("Content-Type");
		all.add(type);
		return all.toArray(String[]::new);
	}

	/**
	 * Uploads a CSV as ADMIN to {@code model}; {@code query} is added to
	 * {@code ?name=<name>} as it is (e.g. {@code &label=outcome&positive_label=yes}).
	 */
	HttpResponse<String> upload(String model, String name, String query, String csv) {
		return Http.send("POST", url("/api/admin/models/" + model + "/reference-datasets?name=" + name + query), csv,
				withContentType(admin(), "text/csv"));
	}

	/** Uploads a CSV as ADMIN and returns the dataset. */
	JsonNode uploaded(String model, String name, String query, String csv) {
		HttpResponse<String> response = upload(model, name, query, csv);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Json.read(response.body());
	}

	/** POSTs JSON as ADMIN. */
	HttpResponse<String> post(String path, String body) {
		return Http.postJson(url(path), body, bearer());
	}

	/** Queues a fairness check as ADMIN; returns the job. */
	JsonNode check(String model, long version, String body) {
		HttpResponse<String> response = post("/api/admin/models/" + model + "/versions/" + version + "/fairness-checks",
				body);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		return Json.read(response.body());
	}

	JsonNode get(String path) {
		HttpResponse<String> response = Http.get(url(path), admin());
		assertThat(response.statusCode()).as(path + ": " + response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	JsonNode job(String id) {
		return get("/api/admin/explainability/jobs/" + id);
	}

	/** Waits (up to 60 s) until the job is in one of {@code states}; returns it. */
	JsonNode awaitJob(String id, String... states) {
		Set<String> wanted = Set.of(states);
		Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
		JsonNode job = job(id);
		while (!wanted.contains(job.path("state").asString())) {
			if (Instant.now().isAfter(deadline)) {
				throw new AssertionError("job " + id + " did not reach " + wanted + ": " + job);
			}
			sleep(100);
			job = job(id);
		}
		return job;
	}

	/** Waits until the job is done (failing with its error otherwise) and returns it. */
	JsonNode awaitDone(String id) {
		JsonNode job = awaitJob(id, "done", "failed", "cancelled");
		assertThat(job.path("state").asString()).as(job.toString()).isEqualTo("done");
		return job;
	}

	JsonNode report(String id) {
		return get("/api/admin/fairness/reports/" + id);
	}

	static void sleep(long millis) {
		try {
			Thread.sleep(millis);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Rows of the models {@code scored}, {@code slow} and {@code plain} with an
	 * evaluation dataset's extra columns, from a seeded generator: {@code region} (an
	 * input, also a sensitive column in some tests), {@code score} (the probability the
	 * worker answers), {@code outcome} (the label, {@code yes} or {@code no}),
	 * {@code sex} ({@code F} or {@code M}, not an input) and {@code age} (a number, for
	 * bands).
	 */
	static List<Map<String, String>> rows(int count, long seed) {
		Random random = new Random(seed);
		String[] regions = { "north", "south", "east" };
		List<Map<String, String>> rows = new ArrayList<>();
		for (int i = 0; i < count; i++) {
			Map<String, String> row = new LinkedHashMap<>();
			String sex = random.nextInt(3) == 0 ? "F" : "M";
			double score = Math.round(random.nextDouble() * 100) / 100.0;
			boolean positive = random.nextDouble() < (sex.equals("M") ? 0.6 : 0.4);
			row.put("score", Double.toString(score));
			row.put("region", regions[random.nextInt(regions.length)]);
			row.put("outcome", positive ? "yes" : "no");
			row.put("sex", sex);
			row.put("age", Integer.toString(18 + random.nextInt(60)));
			rows.add(row);
		}
		return rows;
	}

	/** The rows as CSV with the given columns, in that order. */
	static String csv(List<Map<String, String>> rows, String... columns) {
		StringBuilder csv = new StringBuilder(String.join(",", columns)).append("\r\n");
		for (Map<String, String> row : rows) {
			for (int c = 0; c < columns.length; c++) {
				csv.append(c > 0 ? "," : "").append(row.get(columns[c]));
			}
			csv.append("\r\n");
		}
		return csv.toString();
	}

	/** An Adult-like CSV with the real file's header (extra columns included). */
	static String adultCsv(int rows, long seed) {
		Random random = new Random(seed);
		String[] races = { "White", "White", "White", "Black", "Asian-Pac-Islander" };
		StringBuilder csv = new StringBuilder("row_id,uci_file,age,workclass,fnlwgt,education,education_num,"
				+ "marital_status,occupation,relationship,race,sex,capital_gain,capital_loss,hours_per_week,"
				+ "native_country,label\r\n");
		for (int i = 0; i < rows; i++) {
			csv.append(i)
				.append(",adult.data,")
				.append(17 + random.nextInt(70))
				.append(",Private,")
				.append(50000 + random.nextInt(300000))
				.append(",HS-grad,9,Never-married,Sales,Not-in-family,")
				.append(races[random.nextInt(races.length)])
				.append(',')
				.append(random.nextInt(3) == 0 ? "Female" : "Male")
				.append(",0,0,40,United-States,")
				.append(random.nextInt(4) == 0 ? 1 : 0)
				.append("\r\n");
		}
		return csv.toString();
	}

	@Override
	public void close() throws Exception {
		try {
			this.warden.close();
		}
		finally {
			this.worker.close();
			try (Stream<Path> paths = Files.walk(this.dataDir)) {
				paths.sorted(Comparator.reverseOrder()).forEach((path) -> path.toFile().delete());
			}
			catch (IOException ex) {
				// a temporary directory left behind is not a test failure
			}
		}
	}

	/** Resolves a {@link FairnessApp} parameter to the one shared application. */
	static final class Extension implements ParameterResolver {

		private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
			.create(FairnessApp.class);

		@Override
		public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
			return parameter.getParameter().getType() == FairnessApp.class;
		}

		@Override
		public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
			return context.getRoot()
				.getStore(NAMESPACE)
				.computeIfAbsent(FairnessApp.class, (key) -> FairnessApp.start(), FairnessApp.class);
		}

	}

}
