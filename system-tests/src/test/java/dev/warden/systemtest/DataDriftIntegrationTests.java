package dev.warden.systemtest;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Data drift end to end with the real processes and models: the reference profiles of
 * {@code income} and {@code spam} are computed by their automatic profile jobs from the
 * shipped validation data; rows of that data are replayed through the gateway, then a
 * shifted copy of the same rows, in two windows a second apart (the cluster's gateway
 * counts in one-second chunks and flushes every second). The drift API must flag exactly
 * the shifted inputs in the second window and nothing in the first, and every PSI, JS
 * distance and binned KS it returns must equal a recomputation here from the counts it
 * returns (with the definitions of docs/monitoring.md, written again here, not shared).
 * The two models' cases run side by side: most of their time is waiting for a drift alert
 * whose one-minute window holds only shifted rows. Since the counts are those of every
 * call of the version, the class runs on the cluster with TLS everywhere
 * ({@link WardenClusterExtension.Tls}, the same settings otherwise), which only the TLS
 * classes share with it one at a time, beside the classes that share the plain cluster.
 */
@ExtendWith(WardenClusterExtension.Tls.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(WardenCluster.TLS_CLUSTER)
class DataDriftIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.shared();

	private static final List<String> INCOME_INPUTS = List.of("age", "workclass", "fnlwgt", "education",
			"education_num", "marital_status", "occupation", "relationship", "race", "sex", "capital_gain",
			"capital_loss", "hours_per_week", "native_country");

	private static final List<String> NUMERIC = List.of("age", "fnlwgt", "education_num", "capital_gain",
			"capital_loss", "hours_per_week");

	/** The occupations moved to others in the shifted copy. */
	private static final Map<String, String> OCCUPATIONS = Map.of("Adm-clerical", "Exec-managerial", "Craft-repair",
			"Prof-specialty", "Other-service", "Exec-managerial", "Sales", "Prof-specialty", "Machine-op-inspct",
			"Tech-support");

	WardenCluster cluster;

	String apiKey;

	@BeforeAll
	void createTenantAndKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		this.apiKey = cluster.newTenantKey("drift", "enterprise");
	}

	private static Path dataset(String path) {
		return Path.of(System.getProperty("warden.worker.resources", "../inference-worker/src/main/resources"))
			.resolve(path);
	}

	@Test
	@Execution(ExecutionMode.CONCURRENT)
	void shiftedAgeAndOccupationAreFlaggedAndNothingElse() throws Exception {
		List<Map<String, String>> rows;
		try (Reader reader = Files.newBufferedReader(dataset("datasets/adult/adult_validation.csv"))) {
			rows = csv(reader);
		}
		List<Map<String, Object>> original = new ArrayList<>();
		List<Map<String, Object>> shifted = new ArrayList<>();
		for (int i = 0; i < rows.size(); i += 8) {
			Map<String, Object> instance = new LinkedHashMap<>();
			for (String input : INCOME_INPUTS) {
				String cell = rows.get(i).get(input);
				instance.put(input, NUMERIC.contains(input) ? (Object) Double.parseDouble(cell) : cell);
			}
			original.add(instance);
			Map<String, Object> moved = new LinkedHashMap<>(instance);
			moved.put("age", (Double) instance.get("age") + 15);
			moved.put("occupation",
					OCCUPATIONS.getOrDefault((String) instance.get("occupation"), (String) instance.get("occupation")));
			shifted.add(moved);
		}
		long version = answeringVersion("income", original.get(0));
		JsonNode profile = awaitProfile("income", version);
		assertThat(profile.path("profile").path("features")).hasSize(INCOME_INPUTS.size());
		assertThat(profile.path("profile").path("rows").asLong()).isEqualTo(rows.size());
		assertProfileJobAndAudit("income", version, profile);
		String path = "/v1/models/income/versions/" + version + ":predict";
		Phases phases = replay(original, shifted, 50,
				(batch) -> post(path, JSON.writeValueAsString(Map.of("instances", batch))));
		JsonNode first = drift("income", version, phases.start, phases.middle, original.size());
		JsonNode second = drift("income", version, phases.middle, phases.end, shifted.size());
		for (JsonNode feature : first.path("windows").get(0).path("features")) {
			assertThat(feature.path("verdict").asString()).as(feature.path("name").asString() + " unshifted")
				.isEqualTo("no_drift");
		}
		for (JsonNode feature : second.path("windows").get(0).path("features")) {
			String name = feature.path("name").asString();
			assertThat(feature.path("verdict").asString()).as(name + " shifted")
				.isEqualTo(List.of("age", "occupation").contains(name) ? "drift" : "no_drift");
		}
		recomputeEverything(first);
		recomputeEverything(second);
		JsonNode age = feature(second, "age").path("statistics").get(0);
		assertThat(age.path("n_live").asLong()).isEqualTo(shifted.size());
		assertThat(age.path("psi").asDouble()).isGreaterThan(0.2);
		assertThat(age.path("ks").asDouble()).isGreaterThan(0.1);
		// the policy's drift rule (window 1m in the test cluster) opens an alert naming
		// the
		// shifted inputs and no other
		JsonNode alert = awaitDriftAlert("income-drift", "income", version, phases.middle(), () -> replayAgain(shifted,
				50, (batch) -> post(path, JSON.writeValueAsString(Map.of("instances", batch)))));
		assertThat(driftedInputs(alert, INCOME_INPUTS)).containsExactlyInAnyOrder("age", "occupation");
	}

	@Test
	@Execution(ExecutionMode.CONCURRENT)
	void aShiftInTheTextOfMailsIsFlagged() throws Exception {
		List<Map<String, String>> rows;
		try (InputStream in = new GZIPInputStream(
				Files.newInputStream(dataset("datasets/spamassassin/spamassassin_validation.csv.gz")));
				Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
			rows = csv(reader);
		}
		List<String> original = new ArrayList<>();
		List<String> shifted = new ArrayList<>();
		String appended = " invoice payment overdue transfer account wire bank click unsubscribe".repeat(12);
		for (int i = 0; i < rows.size() && original.size() < 400; i += 2) {
			String text = rows.get(i).get("subject") + " " + rows.get(i).get("body");
			original.add(text);
			shifted.add(text + appended);
		}
		long version = answeringVersion("spam", Map.of("text", "hello"));
		JsonNode profile = awaitProfile("spam", version);
		assertThat(profile.path("profile").path("features").get(0).path("kind").asString()).isEqualTo("text");
		String path = "/v2/models/spam/versions/" + version + "/infer";
		Phases phases = replay(original, shifted, 25, (batch) -> post(path, JSON.writeValueAsString(Map.of("inputs",
				List.of(Map.of("name", "text", "datatype", "BYTES", "shape", List.of(batch.size()), "data", batch))))));
		JsonNode first = drift("spam", version, phases.start, phases.middle, original.size());
		JsonNode second = drift("spam", version, phases.middle, phases.end, shifted.size());
		assertThat(feature(first, "text").path("verdict").asString()).isEqualTo("no_drift");
		assertThat(feature(second, "text").path("verdict").asString()).isEqualTo("drift");
		JsonNode statistics = feature(second, "text").path("statistics");
		assertThat(statistics.get(0).path("distribution").asString()).isEqualTo("token_count");
		assertThat(statistics.get(0).path("verdict").asString()).isEqualTo("drift");
		assertThat(statistics.get(1).path("distribution").asString()).isEqualTo("token_hash_buckets");
		assertThat(statistics.get(1).path("verdict").asString()).isEqualTo("drift");
		recomputeEverything(first);
		recomputeEverything(second);
		JsonNode alert = awaitDriftAlert("spam-drift", "spam", version, phases.middle(),
				() -> replayAgain(shifted, 25,
						(batch) -> post(path, JSON.writeValueAsString(Map.of("inputs", List.of(Map.of("name", "text",
								"datatype", "BYTES", "shape", List.of(batch.size()), "data", batch)))))));
		assertThat(driftedInputs(alert, List.of("text"))).containsExactly("text");
	}

	private interface Resend {

		void run() throws Exception;

	}

	private static <T> void replayAgain(List<T> rows, int size, Batch<T> send) throws Exception {
		for (int i = 0; i < rows.size(); i += size) {
			send.send(rows.subList(i, Math.min(rows.size(), i + size)));
		}
	}

	/**
	 * Waits (at most 3 minutes) for the open alert of {@code rule} on the version whose
	 * evidence was computed over a window that began after {@code since} (only shifted
	 * rows in it), sending the shifted rows again meanwhile so that each of the rule's
	 * windows has them.
	 */
	private JsonNode awaitDriftAlert(String rule, String model, long version, Instant since, Resend resend)
			throws Exception {
		String url = this.cluster.gateway() + "/api/admin/monitoring/alerts?state=open&model=" + model;
		Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
		while (true) {
			var answer = Http.get(url, Http.bearer(this.cluster.complianceToken()));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			for (JsonNode alert : answer.json().path("content")) {
				if (alert.path("rule").asString().equals(rule)
						&& alert.path("version").asString().equals(Long.toString(version))
						&& !Instant.parse(alert.path("evidence").path("from").asString()).isBefore(since)) {
					return alert;
				}
			}
			assertThat(Instant.now()).as("an open %s alert on %s/%d: %s", rule, model, version, answer.body())
				.isBefore(deadline);
			resend.run();
			Thread.sleep(1000);
		}
	}

	private static List<String> driftedInputs(JsonNode alert, List<String> inputs) {
		List<String> drifted = new ArrayList<>();
		for (JsonNode entry : alert.path("evidence").path("drifted")) {
			if (inputs.contains(entry.path("name").asString())) {
				drifted.add(entry.path("name").asString());
			}
		}
		return drifted;
	}

	/** The version that answers the model now (the routed one). */
	private long answeringVersion(String model, Object instance) throws Exception {
		var answer = post("/v1/models/" + model + ":predict",
				JSON.writeValueAsString(Map.of("instances", List.of(instance))));
		return Long.parseLong(answer.header("X-Model-Version"));
	}

	/**
	 * Waits for the automatic profile job of the version (it runs behind the reports).
	 */
	private JsonNode awaitProfile(String model, long version) throws Exception {
		String url = this.cluster.gateway() + "/api/admin/models/" + model + "/versions/" + version + "/drift-profile";
		Instant deadline = Instant.now().plus(Duration.ofMinutes(8));
		while (true) {
			var profile = Http.get(url, Http.bearer(this.cluster.complianceToken()));
			if (profile.status() == 200) {
				return profile.json();
			}
			assertThat(profile.status()).as(profile.body()).isEqualTo(404);
			assertThat(Instant.now()).as("the reference profile of " + model + "/" + version).isBefore(deadline);
			Thread.sleep(2_000);
		}
	}

	/**
	 * The profile is the report of a done job of kind {@code profile} of the version, and
	 * its creation is in the audit trail.
	 */
	private void assertProfileJobAndAudit(String model, long version, JsonNode profile) throws Exception {
		String id = profile.path("id").asString();
		var jobs = Http.get(this.cluster.gateway() + "/api/admin/explainability/jobs?kind=profile&model=" + model
				+ "&version=" + version + "&size=100", Http.bearer(this.cluster.complianceToken()));
		assertThat(jobs.status()).as(jobs.body()).isEqualTo(200);
		boolean linked = false;
		for (JsonNode job : jobs.json().path("content")) {
			linked |= job.path("state").asString().equals("done")
					&& job.path("profile_report_id").asString("").equals(id);
		}
		assertThat(linked).as("a done profile job names profile " + id + ": " + jobs.body()).isTrue();
		var audit = Http.get(
				this.cluster.gateway() + "/api/admin/audit-events?target_type=drift_profile&target_id=" + id,
				Http.bearer(this.cluster.complianceToken()));
		assertThat(audit.status()).as(audit.body()).isEqualTo(200);
		JsonNode event = audit.json().path("content").get(0);
		assertThat(event.path("action").asString()).isEqualTo("monitoring.profile_created");
		assertThat(event.path("details").path("dataset_sha256").asString())
			.isEqualTo(profile.path("dataset_sha256").asString());
	}

	private Http.Response post(String path, String body) throws Exception {
		var answer = Http.postJson(this.cluster.gateway() + path, Map.of("X-API-Key", this.apiKey), body);
		assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		return answer;
	}

	private record Phases(Instant start, Instant middle, Instant end) {
	}

	private interface Batch<T> {

		void send(List<T> batch) throws Exception;

	}

	/**
	 * Waits for the next whole second, sends {@code first} in batches, waits for the next
	 * whole second, sends {@code second}: the chunks of the two phases are separated at
	 * {@code middle}, and no earlier call is in the first.
	 */
	private static <T> Phases replay(List<T> first, List<T> second, int size, Batch<T> send) throws Exception {
		// a second of its own: the calls made before (the probe of the answering version)
		// are not in it
		Instant start = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 1);
		Thread.sleep(Math.max(0, Duration.between(Instant.now(), start).toMillis() + 50));
		for (int i = 0; i < first.size(); i += size) {
			send.send(first.subList(i, Math.min(first.size(), i + size)));
		}
		Instant middle = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 1);
		Thread.sleep(Math.max(0, Duration.between(Instant.now(), middle).toMillis() + 50));
		for (int i = 0; i < second.size(); i += size) {
			send.send(second.subList(i, Math.min(second.size(), i + size)));
		}
		Instant end = Instant.ofEpochSecond(Instant.now().getEpochSecond() + 1);
		Thread.sleep(Math.max(0, Duration.between(Instant.now(), end).toMillis() + 50));
		return new Phases(start, middle, end);
	}

	/** The drift of [from, to) as one window, once every expected row was flushed. */
	private JsonNode drift(String model, long version, Instant from, Instant to, int rows) throws Exception {
		String url = this.cluster.gateway() + "/api/admin/models/" + model + "/versions/" + version + "/drift?from="
				+ encode(from) + "&to=" + encode(to) + "&window=1h";
		Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
		while (true) {
			var answer = Http.get(url, Http.bearer(this.cluster.complianceToken()));
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
			JsonNode window = answer.json().path("windows").get(0);
			if (window.path("samples").asLong() == rows) {
				assertThat(answer.json().path("windows")).hasSize(1);
				assertThat(window.path("skipped_requests").asLong()).isZero();
				return answer.json();
			}
			assertThat(window.path("samples").asLong()).as("rows counted").isLessThan(rows);
			assertThat(Instant.now()).as("rows of " + model + " flushed").isBefore(deadline);
			Thread.sleep(500);
		}
	}

	private static JsonNode feature(JsonNode drift, String name) {
		for (JsonNode feature : drift.path("windows").get(0).path("features")) {
			if (feature.path("name").asString().equals(name)) {
				return feature;
			}
		}
		throw new AssertionError("no feature " + name + " in " + drift);
	}

	/**
	 * Recomputes every statistic of the answer from its counts and compares: PSI with
	 * proportions floored at 1e-4 (natural log), JS distance in base 2, KS as the largest
	 * gap of the cumulative proportions without the last ("missing") bin, and its
	 * asymptotic p-value.
	 */
	private static void recomputeEverything(JsonNode drift) {
		JsonNode window = drift.path("windows").get(0);
		List<JsonNode> assessed = new ArrayList<>();
		window.path("features").forEach(assessed::add);
		assessed.add(window.path("prediction"));
		for (JsonNode item : assessed) {
			for (JsonNode statistic : item.path("statistics")) {
				String what = item.path("name").asString() + "." + statistic.path("distribution").asString();
				double[] r = proportions(statistic.path("reference_counts"), 0);
				double[] c = proportions(statistic.path("live_counts"), 0);
				assertThat(statistic.path("bins")).as(what).hasSize(r.length);
				double psi = 0;
				double js = 0;
				for (int i = 0; i < r.length; i++) {
					double rf = Math.max(r[i], 1e-4);
					double cf = Math.max(c[i], 1e-4);
					psi += (rf - cf) * Math.log(rf / cf);
					double m = (r[i] + c[i]) / 2;
					js += ((r[i] > 0) ? 0.5 * r[i] * Math.log(r[i] / m) : 0)
							+ ((c[i] > 0) ? 0.5 * c[i] * Math.log(c[i] / m) : 0);
				}
				double distance = Math.sqrt(Math.max(0, js / Math.log(2)));
				assertThat(statistic.path("psi").asDouble()).as(what + " psi")
					.isCloseTo(psi, org.assertj.core.api.Assertions.within(1e-9));
				assertThat(statistic.path("js").asDouble()).as(what + " js")
					.isCloseTo(distance, org.assertj.core.api.Assertions.within(1e-9));
				if (statistic.has("ks")) {
					double[] rk = proportions(statistic.path("reference_counts"), 1);
					double[] ck = proportions(statistic.path("live_counts"), 1);
					double d = 0;
					double fr = 0;
					double fc = 0;
					for (int i = 0; i < rk.length; i++) {
						fr += rk[i];
						fc += ck[i];
						d = Math.max(d, Math.abs(fr - fc));
					}
					assertThat(statistic.path("ks").asDouble()).as(what + " ks")
						.isCloseTo(d, org.assertj.core.api.Assertions.within(1e-9));
					double ne = statistic.path("ks_n_ref").asDouble() * statistic.path("ks_n_live").asDouble()
							/ (statistic.path("ks_n_ref").asDouble() + statistic.path("ks_n_live").asDouble());
					double lambda = (Math.sqrt(ne) + 0.12 + 0.11 / Math.sqrt(ne)) * d;
					double p = 1;
					if (lambda >= 0.2) {
						p = 0;
						for (int j = 1; j <= 100; j++) {
							p += 2 * Math.pow(-1, j - 1) * Math.exp(-2.0 * j * j * lambda * lambda);
						}
						p = Math.min(1, Math.max(0, p));
					}
					assertThat(statistic.path("ks_p_value").asDouble()).as(what + " ks p-value")
						.isCloseTo(p, org.assertj.core.api.Assertions.within(1e-9));
				}
				boolean flagged = statistic.path("psi").asDouble() > statistic.path("thresholds").path("psi").asDouble()
						|| statistic.path("js").asDouble() > statistic.path("thresholds").path("js").asDouble()
						|| (statistic.has("ks") && statistic.path("ks")
							.asDouble() > statistic.path("thresholds").path("ks").asDouble());
				assertThat(statistic.path("verdict").asString()).as(what + " verdict")
					.isEqualTo(flagged ? "drift" : "no_drift");
			}
		}
	}

	/** Proportions of the counts without the last {@code drop} bins. */
	private static double[] proportions(JsonNode counts, int drop) {
		int n = counts.size() - drop;
		double total = 0;
		for (int i = 0; i < n; i++) {
			total += counts.get(i).asLong();
		}
		double[] p = new double[n];
		for (int i = 0; i < n; i++) {
			p[i] = counts.get(i).asLong() / total;
		}
		return p;
	}

	private static String encode(Instant instant) {
		return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
	}

	/**
	 * RFC 4180 CSV (quoted fields with commas, quotes and line breaks) as maps by header.
	 */
	static List<Map<String, String>> csv(Reader reader) throws IOException {
		List<List<String>> records = new ArrayList<>();
		List<String> record = new ArrayList<>();
		StringBuilder field = new StringBuilder();
		boolean quoted = false;
		int ch;
		while ((ch = reader.read()) != -1) {
			char c = (char) ch;
			if (quoted) {
				if (c == '"') {
					int next = reader.read();
					if (next == '"') {
						field.append('"');
					}
					else {
						quoted = false;
						if (next == -1) {
							break;
						}
						c = (char) next;
						if (c == ',') {
							record.add(field.toString());
							field.setLength(0);
						}
						else if (c == '\n') {
							record.add(field.toString());
							field.setLength(0);
							records.add(record);
							record = new ArrayList<>();
						}
						else if (c != '\r') {
							field.append(c);
						}
					}
				}
				else {
					field.append(c);
				}
			}
			else if (c == '"') {
				quoted = true;
			}
			else if (c == ',') {
				record.add(field.toString());
				field.setLength(0);
			}
			else if (c == '\n') {
				record.add(field.toString());
				field.setLength(0);
				records.add(record);
				record = new ArrayList<>();
			}
			else if (c != '\r') {
				field.append(c);
			}
		}
		if (field.length() > 0 || !record.isEmpty()) {
			record.add(field.toString());
			records.add(record);
		}
		List<String> header = records.get(0);
		List<Map<String, String>> rows = new ArrayList<>();
		for (List<String> values : records.subList(1, records.size())) {
			Map<String, String> row = new LinkedHashMap<>();
			for (int i = 0; i < header.size() && i < values.size(); i++) {
				row.put(header.get(i), values.get(i));
			}
			rows.add(row);
		}
		return rows;
	}

}
