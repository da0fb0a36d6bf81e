package dev.warden.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Tensor;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The foundation's promise, end to end: a tenant's prediction goes through the gateway
 * (API key, quota, encrypted request log) to a worker serving a real SavedModel, and the
 * admin API is protected by the console's OIDC tokens.
 */
@ExtendWith(WardenClusterExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EndToEndIntegrationTests {

	static final List<Map<String, Object>> RECORDS = List.of(
			record(39, "State-gov", 77516, "Bachelors", 13, "Never-married", "Adm-clerical", "Not-in-family", "White",
					"Male", 2174, 0, 40, "United-States"),
			record(52, "Self-emp-inc", 287927, "HS-grad", 9, "Married-civ-spouse", "Exec-managerial", "Wife", "White",
					"Female", 15024, 0, 40, "United-States"),
			record(31, "Private", 45781, "Masters", 14, "Never-married", "Prof-specialty", "Not-in-family", "Black",
					"Female", 14084, 0, 50, "Atlantis"));

	WardenCluster cluster;

	String adminToken;

	String complianceToken;

	String tenantId;

	String apiKey;

	@BeforeAll
	void createTenantAndKey(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		adminToken = cluster.adminToken();
		complianceToken = cluster.complianceToken();
		tenantId = cluster.newTenant("acme", "standard");
		apiKey = createKey("e2e");
	}

	@Test
	void predictionThroughTheGatewayEqualsCallingTheSavedModelInProcess() throws Exception {
		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", RECORDS));
		var response = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey), body);

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		assertThat(response.header("X-Model-Version")).isEqualTo(cluster.modelVersionDir.getFileName().toString());
		assertThat(response.header("X-Request-Id")).isNotBlank();
		assertThat(response.header("RateLimit-Remaining")).isNotBlank();
		var predictions = response.json().path("predictions");
		assertThat(predictions.size()).isEqualTo(RECORDS.size());

		var expected = predictInProcess(RECORDS);
		for (int i = 0; i < RECORDS.size(); i++) {
			assertThat(predictions.get(i).path("probability").asDouble()).isCloseTo(expected.probability[i],
					within(1e-6));
			assertThat(predictions.get(i).path("class_id").asLong()).isEqualTo(expected.classId[i]);
		}
	}

	@Test
	void columnarInputsThroughTheGatewayGiveTheSameAnswerAsRows() throws Exception {
		var columns = new LinkedHashMap<String, List<Object>>();
		for (var record : RECORDS) {
			record.forEach((name, value) -> columns.computeIfAbsent(name, k -> new ArrayList<>()).add(value));
		}
		var response = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey),
				JsonMapper.shared().writeValueAsString(Map.of("inputs", columns)));

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		var probabilities = response.json().path("outputs").path("probability");
		var expected = predictInProcess(RECORDS);
		for (int i = 0; i < RECORDS.size(); i++) {
			assertThat(probabilities.get(i).asDouble()).isCloseTo(expected.probability[i], within(1e-6));
		}
	}

	@Test
	void theApiKeyIsAcceptedInTheXApiKeyHeaderToo() throws Exception {
		var response = Http.get(cluster.gateway() + "/v1/models/income/metadata", Map.of("X-API-Key", apiKey));

		assertThat(response.status()).as(response.body()).isEqualTo(200);
		var signature = response.json().at("/metadata/signature_def/signature_def/serving_default");
		assertThat(signature.path("inputs").has("age")).isTrue();
		assertThat(signature.path("outputs").has("probability")).isTrue();
	}

	@Test
	void missingOrWrongApiKeyIs401WithWwwAuthenticate() throws Exception {
		var url = cluster.gateway() + "/v1/models/income:predict";
		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", RECORDS));

		var none = Http.postJson(url, Map.of(), body);
		var wrong = Http.postJson(url, Http.bearer(apiKey.substring(0, apiKey.length() - 4) + "AAAA"), body);
		var garbage = Http.postJson(url, Map.of("X-API-Key", "not-a-key"), body);

		for (var response : List.of(none, wrong, garbage)) {
			assertThat(response.status()).isEqualTo(401);
			assertThat(response.header("WWW-Authenticate")).startsWith("Bearer");
			assertThat(response.json().path("error").path("code").asString()).isNotBlank();
			assertThat(response.json().path("error").path("request_id").asString())
				.isEqualTo(response.header("X-Request-Id"));
		}
	}

	@Test
	void overTheRateLimitIs429WithRetryAfter() throws Exception {
		var key = createKey("quota");
		var url = cluster.gateway() + "/v1/models/income/metadata";
		Http.Response limited = null;
		for (int i = 0; i < 2000 && limited == null; i++) {
			var response = Http.get(url, Http.bearer(key));
			if (response.status() == 429) {
				limited = response;
			}
			else {
				assertThat(response.status()).as(response.body()).isEqualTo(200);
			}
		}

		assertThat(limited).as("no request was limited").isNotNull();
		assertThat(Integer.parseInt(limited.header("Retry-After"))).isPositive();
		assertThat(limited.header("RateLimit-Remaining")).isEqualTo("0");
		assertThat(limited.json().path("error").path("code").asString()).isEqualTo("rate_limited");
	}

	@Test
	void theRequestLogRowIsCommittedAndItsPayloadIsEncrypted() throws Exception {
		var requestId = "e2e-" + UUID.randomUUID();
		var marker = "Marker-" + UUID.randomUUID();
		var record = new HashMap<>(RECORDS.get(0));
		record.put("native_country", marker);
		var body = JsonMapper.shared().writeValueAsString(Map.of("instances", List.of(record)));
		var headers = new HashMap<>(Http.bearer(apiKey));
		headers.put("X-Request-Id", requestId);

		var response = Http.postJson(cluster.gateway() + "/v1/models/income:predict", headers, body);
		assertThat(response.status()).as(response.body()).isEqualTo(200);

		// the 2xx has been answered, so the row must be there already: no waiting
		try (var db = cluster.database()) {
			var query = db.prepareStatement("""
					select r.id, r.tenant_id, r.status, r.model, r.request_payload, r.response_payload, t.data_key
					from request_log r join tenants t on t.id = r.tenant_id where r.request_id = ?""");
			query.setString(1, requestId);
			var row = query.executeQuery();
			assertThat(row.next()).as("request log row for " + requestId).isTrue();
			assertThat(row.getString("tenant_id")).isEqualTo(tenantId);
			assertThat(row.getInt("status")).isEqualTo(200);
			assertThat(row.getString("model")).isEqualTo("income");
			var storedRequest = row.getBytes("request_payload");
			var storedResponse = row.getBytes("response_payload");
			assertThat(new String(storedRequest, StandardCharsets.ISO_8859_1)).doesNotContain(marker)
				.doesNotContain("native_country");
			assertThat(new String(storedResponse, StandardCharsets.ISO_8859_1)).doesNotContain("probability");

			var crypto = PayloadDecryption.fromDataDir(cluster.dataDir);
			var recordId = row.getString("id");
			assertThat(
					crypto.decrypt(row.getBytes("data_key"), tenantId, recordId, requestId, "request", storedRequest))
				.isEqualTo(body);
			assertThat(
					crypto.decrypt(row.getBytes("data_key"), tenantId, recordId, requestId, "response", storedResponse))
				.isEqualTo(response.body());
		}
	}

	@Test
	void rejectedRequestsAreLoggedToo() throws Exception {
		var requestId = "e2e-rejected-" + UUID.randomUUID();
		var response = Http.get(cluster.gateway() + "/v1/models/income", Map.of("X-Request-Id", requestId));
		assertThat(response.status()).isEqualTo(401);

		try (var db = cluster.database()) {
			var query = db.prepareStatement("select status, request_payload from request_log where request_id = ?");
			query.setString(1, requestId);
			var row = query.executeQuery();
			assertThat(row.next()).isTrue();
			assertThat(row.getInt("status")).isEqualTo(401);
		}
	}

	@Test
	void theAdminApiRefusesNoTokenAndComplianceWrites() throws Exception {
		var tenants = cluster.gateway() + "/api/admin/tenants";

		var anonymous = Http.get(tenants, Map.of());
		assertThat(anonymous.status()).isEqualTo(401);
		assertThat(anonymous.header("WWW-Authenticate")).startsWith("Bearer");

		var complianceWrite = Http.postJson(tenants, Http.bearer(complianceToken),
				"{\"name\":\"not-allowed\",\"plan\":\"free\"}");
		assertThat(complianceWrite.status()).isEqualTo(403);

		var complianceRead = Http.get(tenants, Http.bearer(complianceToken));
		assertThat(complianceRead.status()).isEqualTo(200);
		assertThat(complianceRead.body()).contains(tenantId).doesNotContain("not-allowed");

		var forged = Http.get(tenants, Http.bearer(adminToken.substring(0, adminToken.length() - 6) + "AAAAAA"));
		assertThat(forged.status()).isEqualTo(401);
	}

	@Test
	void adminWritesAreAuditedWithTheActor() throws Exception {
		var events = Http.get(cluster.gateway() + "/api/admin/audit-events?target_type=tenant&target_id=" + tenantId,
				Http.bearer(complianceToken));
		assertThat(events.status()).as(events.body()).isEqualTo(200);
		var created = new ArrayList<JsonNode>();
		events.json().path("content").forEach(created::add);
		assertThat(created).anySatisfy(event -> {
			assertThat(event.path("actor").asString()).isEqualTo("admin");
			assertThat(event.path("target_id").asString()).isEqualTo(tenantId);
		});
	}

	@Test
	void theKeyListNeverShowsTheSecret() throws Exception {
		var keys = Http.get(cluster.gateway() + "/api/admin/tenants/" + tenantId + "/keys", Http.bearer(adminToken));

		assertThat(keys.status()).isEqualTo(200);
		assertThat(keys.body()).contains(apiKey.substring(0, apiKey.lastIndexOf('_'))).doesNotContain(apiKey);
	}

	private String createKey(String name) throws Exception {
		var raw = cluster.newKey(tenantId, name);
		assertThat(raw).startsWith("wdn_");
		return raw;
	}

	private record Expected(float[] probability, long[] classId) {
	}

	private Expected predictInProcess(List<Map<String, Object>> records) {
		try (var bundle = SavedModelBundle.load(cluster.modelVersionDir.toString(), "serve")) {
			var inputs = new LinkedHashMap<String, Tensor>();
			try {
				for (var column : records.get(0).keySet()) {
					if (records.get(0).get(column) instanceof String) {
						inputs.put(column, TString
							.vectorOf(records.stream().map(r -> (String) r.get(column)).toArray(String[]::new)));
					}
					else {
						var values = new float[records.size()];
						for (int i = 0; i < values.length; i++) {
							values[i] = ((Number) records.get(i).get(column)).floatValue();
						}
						inputs.put(column, TFloat32.vectorOf(values));
					}
				}
				try (var result = bundle.function("serving_default").call(inputs)) {
					var probability = (TFloat32) result.get("probability").orElseThrow();
					var classId = (TInt64) result.get("class_id").orElseThrow();
					var expected = new Expected(new float[records.size()], new long[records.size()]);
					for (int i = 0; i < records.size(); i++) {
						expected.probability[i] = probability.getFloat(i);
						expected.classId[i] = classId.getLong(i);
					}
					return expected;
				}
			}
			finally {
				inputs.values().forEach(Tensor::close);
			}
		}
	}

	private static Map<String, Object> record(int age, String workclass, int fnlwgt, String education, int educationNum,
			String maritalStatus, String occupation, String relationship, String race, String sex, int capitalGain,
			int capitalLoss, int hoursPerWeek, String nativeCountry) {
		var record = new LinkedHashMap<String, Object>();
		record.put("age", age);
		record.put("workclass", workclass);
		record.put("fnlwgt", fnlwgt);
		record.put("education", education);
		record.put("education_num", educationNum);
		record.put("marital_status", maritalStatus);
		record.put("occupation", occupation);
		record.put("relationship", relationship);
		record.put("race", race);
		record.put("sex", sex);
		record.put("capital_gain", capitalGain);
		record.put("capital_loss", capitalLoss);
		record.put("hours_per_week", hoursPerWeek);
		record.put("native_country", nativeCountry);
		return record;
	}

}
