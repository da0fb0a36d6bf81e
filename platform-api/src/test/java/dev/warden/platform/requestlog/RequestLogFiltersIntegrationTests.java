package dev.warden.platform.requestlog;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The filters of {@code GET /api/admin/request-log} against rows of two tenants, three
 * keys, two models and versions and statuses 200/404/429/503 written an hour ahead of now
 * (so they are the newest rows of the shared database and come first), with random
 * tenant, key and model names: a filter that other tests' rows could also match is
 * checked on these rows exactly, and on every row returned by its condition.
 */
@ExtendWith(SharedWardenExtension.class)
class RequestLogFiltersIntegrationTests {

	static TestIssuer issuer;

	static WardenTestApp app;

	static String tag;

	static UUID tenantA;

	static UUID tenantB;

	static UUID keyA1;

	static UUID keyA2;

	static UUID keyB;

	static String modelX;

	static String modelY;

	static Instant base;

	@BeforeAll
	static void rows(WardenFixture shared) {
		issuer = shared.issuer();
		app = shared.app();
		tag = "rlf-" + UUID.randomUUID().toString().substring(0, 8);
		tenantA = UUID.randomUUID();
		tenantB = UUID.randomUUID();
		keyA1 = UUID.randomUUID();
		keyA2 = UUID.randomUUID();
		keyB = UUID.randomUUID();
		modelX = tag + "-x";
		modelY = tag + "-y";
		base = Instant.now().plus(1, ChronoUnit.HOURS).truncatedTo(ChronoUnit.SECONDS);
		insert(1, tenantA, keyA1, modelX, "1", 200);
		insert(2, tenantA, keyA1, modelX, "1", 404);
		insert(3, tenantA, keyA2, modelY, "2", 429);
		insert(4, tenantA, keyA2, modelX, "2", 503);
		insert(5, tenantB, keyB, modelX, "1", 200);
		insert(6, tenantB, keyB, modelY, "1", 429);
		insert(7, tenantB, keyB, modelY, "2", 503);
	}

	private static void insert(int n, UUID tenant, UUID key, String model, String version, int status) {
		app.jdbc()
			.sql("INSERT INTO request_log (id, request_id, occurred_at, tenant_id, api_key_id, model, model_version, "
					+ "method, path, status, latency_micros) VALUES (:id, :requestId, :at, :tenant, :key, :model, "
					+ ":version, 'POST', :path, :status, 1000)")
			.param("id", UUID.randomUUID())
			.param("requestId", tag + "-r" + n)
			.param("at", Timestamp.from(minute(n)))
			.param("tenant", tenant)
			.param("key", key)
			.param("model", model)
			.param("version", version)
			.param("path", "/v1/models/" + model + ":predict")
			.param("status", status)
			.update();
	}

	private static Instant minute(int n) {
		return base.plus(n, ChronoUnit.MINUTES);
	}

	@Test
	void eachFilterAloneReturnsExactlyItsRowsNewestFirst() {
		assertThat(mine("tenant_id=" + tenantA, (r) -> true)).containsExactly("r4", "r3", "r2", "r1");
		assertThat(all("tenant_id=" + tenantA)).hasSize(4);
		assertThat(mine("api_key_id=" + keyA2, (r) -> true)).containsExactly("r4", "r3");
		assertThat(all("api_key_id=" + keyA2)).hasSize(2);
		assertThat(mine("model=" + modelX, (r) -> true)).containsExactly("r5", "r4", "r2", "r1");
		assertThat(all("model=" + modelX)).hasSize(4);
		assertThat(mine("version=2", (r) -> r.path("model_version").asString().equals("2"))).containsExactly("r7", "r4",
				"r3");
		assertThat(mine("status=429", (r) -> r.path("status").asInt() == 429)).containsExactly("r6", "r3");
		assertThat(mine("status=200", (r) -> r.path("status").asInt() == 200)).containsExactly("r5", "r1");
		assertThat(mine("status=4xx", (r) -> r.path("status").asInt() / 100 == 4)).containsExactly("r6", "r3", "r2");
		assertThat(mine("status=5XX", (r) -> r.path("status").asInt() / 100 == 5)).containsExactly("r7", "r4");
		assertThat(mine("from=" + minute(3), (r) -> !occurredAt(r).isBefore(minute(3)))).containsExactly("r7", "r6",
				"r5", "r4", "r3");
		assertThat(mine("to=" + minute(3), (r) -> occurredAt(r).isBefore(minute(3)))).containsExactly("r2", "r1");
		assertThat(mine("from=" + minute(3) + "&to=" + minute(6),
				(r) -> !occurredAt(r).isBefore(minute(3)) && occurredAt(r).isBefore(minute(6))))
			.as("from inclusive, to exclusive")
			.containsExactly("r5", "r4", "r3");
	}

	@Test
	void filtersCombineWithAnd() {
		assertThat(mine("tenant_id=" + tenantA + "&model=" + modelX + "&status=4xx", (r) -> true))
			.containsExactly("r2");
		assertThat(mine("model=" + modelY + "&version=2&from=" + minute(3), (r) -> true)).containsExactly("r7", "r3");
		assertThat(mine("tenant_id=" + tenantB + "&api_key_id=" + keyB + "&status=200", (r) -> true))
			.containsExactly("r5");
		assertThat(mine("api_key_id=" + keyA1 + "&status=5xx", (r) -> true)).isEmpty();
		assertThat(mine("tenant_id=" + tenantA + "&version=1&to=" + minute(2), (r) -> true)).containsExactly("r1");
		String offset = minute(3).atOffset(java.time.ZoneOffset.ofHours(2)).toString();
		assertThat(mine("tenant_id=" + tenantA + "&from=" + encode(offset), (r) -> true))
			.as("an instant with an offset")
			.containsExactly("r4", "r3");
	}

	@Test
	void tenantIsolationIsUnchanged() {
		assertThat(all("tenant_id=" + tenantB + "&api_key_id=" + keyA1)).as("a key of another tenant finds nothing")
			.isEmpty();
		assertThat(all("tenant_id=" + tenantB + "&model=" + modelX)).extracting((r) -> r.path("tenant_id").asString())
			.containsOnly(tenantB.toString());
		assertThat(all("tenant_id=" + UUID.randomUUID())).isEmpty();
	}

	@Test
	void pagingKeepsTheFilters() {
		JsonNode first = page("model=" + modelX + "&size=2&page=0");
		assertThat(requestIds(first)).containsExactly("r5", "r4");
		assertThat(first.path("next_page").asInt()).isEqualTo(1);
		JsonNode second = page("model=" + modelX + "&size=2&page=1");
		assertThat(requestIds(second)).containsExactly("r2", "r1");
		assertThat(second.path("next_page").isNull()).isTrue();
	}

	@Test
	void complianceMayUseTheFiltersAndTheReadIsNotAudited() {
		String reader = tag + "-compliance";
		HttpResponse<String> response = Http.get(
				app.url("/api/admin/request-log?size=500&tenant_id=" + tenantA + "&status=4xx"), "Authorization",
				Http.bearer(issuer.token(reader, "COMPLIANCE")));
		assertThat(response.statusCode()).isEqualTo(200);
		assertThat(requestIds(Json.read(response.body()))).containsExactly("r3", "r2");
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE actor = :actor")
			.param("actor", reader)
			.query(Long.class)
			.single()).as("a list read writes no audit event, as before").isZero();
	}

	@Test
	void everyBadValueIsA400NamingTheParameter() {
		assertBad("tenant_id=not-a-uuid", "tenant_id");
		assertBad("api_key_id=not-a-uuid", "api_key_id");
		// the parameter is named, its value is not echoed
		assertThat(Http
			.get(app.url("/api/admin/request-log?api_key_id=not-a-uuid"), "Authorization",
					Http.bearer(issuer.token("alice", "ADMIN")))
			.body()).contains("api_key_id: is not a valid UUID").doesNotContain("not-a-uuid");
		assertBad("api_key_id=" + keyA1 + "x", "api_key_id");
		for (String status : List.of("99", "600", "1000", "20", "2x", "6xx", "0xx", "abc", "-200", "+200", "200 ")) {
			assertBad("status=" + encode(status), "status");
		}
		for (String name : List.of("from", "to")) {
			assertBad(name + "=yesterday", name);
			assertBad(name + "=2026-13-01T00:00:00Z", name);
			assertBad(name + "=2026-12-01", name);
			assertBad(name + "=2026-12-01T10:00:00", name);
			assertBad(name + "=1969-12-31T23:59:59Z", name);
			assertBad(name + "=%2B10000-01-01T00:00:00Z", name);
		}
		assertBad("from=" + minute(3) + "&to=" + minute(3), "from");
		assertBad("from=" + minute(4) + "&to=" + minute(3), "from");
		assertBad("model=" + encode("x\u0000"), "model");
		assertBad("version=" + "v".repeat(1001), "version");
	}

	@Test
	void aTimeRangeReadsOnlyTheMonthsItCovers() {
		RequestLogSearch search = RequestLogSearch.of(tenantA, null, null, null, "4xx", minute(1).toString(),
				minute(2).toString());
		String plan = String.join("\n", app.jdbc()
			.sql("EXPLAIN SELECT id FROM request_log WHERE " + search.where() + " ORDER BY occurred_at DESC, id")
			.params(search.parameters())
			.query(String.class)
			.list());
		String month = "request_log_" + java.time.format.DateTimeFormatter.ofPattern("yyyy_MM")
			.withZone(java.time.ZoneOffset.UTC)
			.format(minute(1));
		assertThat(plan).as(plan).contains(month).doesNotContain("request_log_default");
		assertThat(plan.split(" on request_log_").length - 1).as(plan).isEqualTo(1);
	}

	private static void assertBad(String query, String parameter) {
		HttpResponse<String> response = Http.get(app.url("/api/admin/request-log?" + query), "Authorization",
				Http.bearer(issuer.token("alice", "ADMIN")));
		assertThat(response.statusCode()).as(query).isEqualTo(400);
		JsonNode error = Json.read(response.body()).path("error");
		assertThat(error.path("code").asString()).as(query).isEqualTo("invalid_parameter");
		assertThat(error.path("message").asString()).as(query).contains(parameter);
	}

	/** The request ids (without the tag) of this class's rows in the answer, in order. */
	private static List<String> mine(String query, Predicate<JsonNode> condition) {
		// this class's rows are the newest: all of them that match are on the first page
		List<JsonNode> rows = new ArrayList<>();
		page("size=500&" + query).path("content").forEach(rows::add);
		assertThat(rows).as("every row returned for " + query + " meets the filter").allMatch(condition);
		return requestIds(rows);
	}

	private static List<JsonNode> all(String query) {
		JsonNode page = page("size=500&" + query);
		assertThat(page.path("next_page").isNull()).as("one page holds the answer to " + query).isTrue();
		List<JsonNode> rows = new ArrayList<>();
		page.path("content").forEach(rows::add);
		return rows;
	}

	private static JsonNode page(String query) {
		HttpResponse<String> response = Http.get(app.url("/api/admin/request-log?" + query), "Authorization",
				Http.bearer(issuer.token("alice", "ADMIN")));
		assertThat(response.statusCode()).as(query + ": " + response.body()).isEqualTo(200);
		return Json.read(response.body());
	}

	private static List<String> requestIds(JsonNode page) {
		List<JsonNode> rows = new ArrayList<>();
		page.path("content").forEach(rows::add);
		return requestIds(rows);
	}

	private static List<String> requestIds(List<JsonNode> rows) {
		return rows.stream()
			.map((r) -> r.path("request_id").asString())
			.filter((id) -> id.startsWith(tag + "-"))
			.map((id) -> id.substring(tag.length() + 1))
			.toList();
	}

	private static Instant occurredAt(JsonNode row) {
		return Instant.parse(row.path("occurred_at").asString());
	}

	private static String encode(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

}
