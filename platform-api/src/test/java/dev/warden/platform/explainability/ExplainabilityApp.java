package dev.warden.platform.explainability;

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
 * The application the explainability tests share: started once per run with a
 * {@link LinearModelWorker} as its worker (models {@code lin}, {@code slow},
 * {@code flaky}, {@code bare}, {@code txt} and {@code income}, version 1 each, and the
 * shipped datasets {@code adult_validation} and {@code spamassassin_validation} in small
 * versions of their real layout), report jobs polled every 200 ms with one runner, chunks
 * of 50 rows, and an upload limit of 200 KB; the model catalogue is synchronised once at
 * start (which registers the shipped dataset of {@code income} automatically). Test
 * classes use it through {@link Extension}; they use models and dataset names of their
 * own, except where a class says otherwise.
 */
record ExplainabilityApp(WardenFixture warden, LinearModelWorker worker, Path dataDir) implements AutoCloseable {

	static final long MAX_UPLOAD_BYTES = 200 * 1024;

	static final int CHUNK_ROWS = 50;

	static ExplainabilityApp start() {
		LinearModelWorker worker = null;
		Path dataDir = null;
		try {
			worker = new LinearModelWorker();
			for (String model : List.of("lin", "slow", "flaky", "bare", "txt", "income")) {
				worker.listing(model, 1);
			}
			worker.shipped("adult_validation", adultCsv(120, 7));
			worker.shipped("spamassassin_validation", spamCsv(60, 11));
			dataDir = Files.createTempDirectory("warden-explainability");
			Map<String, Object> settings = new LinkedHashMap<>();
			settings.put("warden.worker.url", worker.url());
			settings.put("warden.explainability.jobs.poll-interval", "200ms");
			settings.put("warden.explainability.jobs.lease-timeout", "5s");
			settings.put("warden.explainability.jobs.concurrency", "1");
			settings.put("warden.explainability.reference-data.chunk-rows", Integer.toString(CHUNK_ROWS));
			settings.put("warden.explainability.reference-data.max-bytes", Long.toString(MAX_UPLOAD_BYTES));
			WardenFixture warden = WardenFixture.start(dataDir, settings);
			warden.app().bean(ModelCatalogue.class).sync();
			return new ExplainabilityApp(warden, worker, dataDir);
		}
		catch (Exception ex) {
			if (worker != null) {
				worker.close();
			}
			throw new IllegalStateException("the explainability test application could not be started", ex);
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

	/** Uploads a CSV as ADMIN. */
	HttpResponse<String> upload(String model, String name, String csv) {
		return Http.send("POST", url("/api/admin/models/" + model + "/reference-datasets?name=" + name), csv,
				withContentType(admin(), "text/csv"));
	}

	/** Uploads a CSV as ADMIN and returns the dataset's id. */
	String uploaded(String model, String name, String csv) {
		HttpResponse<String> response = upload(model, name, csv);
		assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
		return Json.field(response.body(), "id");
	}

	/** Queues a report job as ADMIN; returns the job. */
	JsonNode queue(String model, long version, String body) {
		HttpResponse<String> response = Http.postJson(
				url("/api/admin/models/" + model + "/versions/" + version + "/explainability-reports"), body, bearer());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(202);
		return Json.read(response.body());
	}

	JsonNode job(String id) {
		HttpResponse<String> response = Http.get(url("/api/admin/explainability/jobs/" + id), admin());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
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

	JsonNode report(String id) {
		HttpResponse<String> response = Http.get(url("/api/admin/explainability/reports/" + id), admin());
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		return Json.read(response.body());
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

	/** The authorization header of an ADMIN, without a content type. */
	String[] bearer() {
		String[] headers = admin();
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
		List<String> all = new ArrayList<>();
		for (int i = 0; i < headers.length; i += 2) {
			if (!headers[i].equalsIgnoreCase("Content-Type")) {
				all.add(headers[i]);
				all.add(headers[i + 1]);
			}
		}
		all.add("Content-Type");
		all.add(type);
		return all.toArray(String[]::new);
	}

	/**
	 * Rows of the tabular test models (color, n, x1, x2) from a seeded generator, as
	 * cells.
	 */
	static List<Map<String, String>> tabularRows(int rows, long seed) {
		Random random = new Random(seed);
		String[] colors = { "red", "blue", "green", "red", "yellow" };
		List<Map<String, String>> list = new ArrayList<>();
		for (int i = 0; i < rows; i++) {
			Map<String, String> row = new LinkedHashMap<>();
			row.put("x1", Double.toString(Math.round(random.nextGaussian() * 1000) / 1000.0));
			row.put("color", colors[random.nextInt(colors.length)]);
			row.put("n", Integer.toString(random.nextInt(7)));
			row.put("x2", Double.toString(Math.round((1 + random.nextGaussian() * 2) * 1000) / 1000.0));
			list.add(row);
		}
		return list;
	}

	/** The rows as CSV with the header {@code x1,color,n,x2} (not the model's order). */
	static String csv(List<Map<String, String>> rows) {
		StringBuilder csv = new StringBuilder("x1,color,n,x2\r\n");
		for (Map<String, String> row : rows) {
			csv.append(row.get("x1"))
				.append(',')
				.append(row.get("color"))
				.append(',')
				.append(row.get("n"))
				.append(',')
				.append(row.get("x2"))
				.append("\r\n");
		}
		return csv.toString();
	}

	/** An Adult-like CSV with the real file's header (extra columns included). */
	static String adultCsv(int rows, long seed) {
		Random random = new Random(seed);
		String[] education = { "Bachelors", "HS-grad", "Masters", "Some-college" };
		String[] marital = { "Married-civ-spouse", "Never-married", "Divorced" };
		StringBuilder csv = new StringBuilder("row_id,uci_file,age,workclass,fnlwgt,education,education_num,"
				+ "marital_status,occupation,relationship,race,sex,capital_gain,capital_loss,hours_per_week,"
				+ "native_country,label\r\n");
		for (int i = 0; i < rows; i++) {
			csv.append(i)
				.append(",adult.data,")
				.append(18 + random.nextInt(60))
				.append(",Private,")
				.append(50000 + random.nextInt(300000))
				.append(',')
				.append(education[random.nextInt(education.length)])
				.append(',')
				.append(5 + random.nextInt(12))
				.append(',')
				.append(marital[random.nextInt(marital.length)])
				.append(",Exec-managerial,Husband,White,")
				.append(random.nextBoolean() ? "Male" : "Female")
				.append(',')
				.append(random.nextInt(10) == 0 ? 5000 : 0)
				.append(",0,")
				.append(20 + random.nextInt(40))
				.append(",United-States,")
				.append(random.nextInt(2))
				.append("\r\n");
		}
		return csv.toString();
	}

	/** A SpamAssassin-like CSV with the real file's header. */
	static String spamCsv(int rows, long seed) {
		Random random = new Random(seed);
		String[] spammy = { "free", "win", "money", "now" };
		String[] hammy = { "meeting", "report", "tomorrow", "thanks" };
		StringBuilder csv = new StringBuilder("id,group,subject,body,body_truncated,label\r\n");
		for (int i = 0; i < rows; i++) {
			boolean spam = random.nextBoolean();
			String[] words = spam ? spammy : hammy;
			StringBuilder body = new StringBuilder();
			for (int w = 0; w < 6; w++) {
				body.append(w > 0 ? " " : "").append(words[random.nextInt(words.length)]);
			}
			csv.append(spam ? "spam-1/" : "easy-ham-1/")
				.append(i)
				.append(',')
				.append(spam ? "spam-1" : "easy-ham-1")
				.append(",\"")
				.append(spam ? "You, win" : "Re: the \"\"plan\"\"")
				.append("\",")
				.append(body)
				.append(",0,")
				.append(spam ? 1 : 0)
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

	/** Resolves an {@link ExplainabilityApp} parameter to the one shared application. */
	static final class Extension implements ParameterResolver {

		private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace
			.create(ExplainabilityApp.class);

		@Override
		public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
			return parameter.getParameter().getType() == ExplainabilityApp.class;
		}

		@Override
		public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
			return context.getRoot()
				.getStore(NAMESPACE)
				.computeIfAbsent(ExplainabilityApp.class, (key) -> ExplainabilityApp.start(), ExplainabilityApp.class);
		}

	}

}
