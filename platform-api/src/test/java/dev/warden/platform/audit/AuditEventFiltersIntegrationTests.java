package dev.warden.platform.audit;

import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

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
 * The filters of {@code GET /api/admin/audit-events} on events this class causes through
 * the admin API: two users with names no other test uses create and suspend tenants, so a
 * filter is checked on these events exactly and on every event it returns.
 */
@ExtendWith(SharedWardenExtension.class)
class AuditEventFiltersIntegrationTests {

	static TestIssuer issuer;

	static WardenTestApp app;

	static String alice;

	static String bob;

	static String aliceTenant;

	static String bobTenant;

	static Instant between;

	@BeforeAll
	static void events(WardenFixture shared) throws Exception {
		issuer = shared.issuer();
		app = shared.app();
		String tag = UUID.randomUUID().toString().substring(0, 8);
		alice = "alice-" + tag;
		bob = "bob-" + tag;
		aliceTenant = createTenant(alice, "aef-a-" + tag);
		Thread.sleep(20);
		between = Instant.now();
		Thread.sleep(20);
		bobTenant = createTenant(bob, "aef-b-" + tag);
		HttpResponse<String> suspended = Http.send("POST", app.url("/api/admin/tenants/" + bobTenant + ":suspend"), "",
				"Authorization", Http.bearer(issuer.token(bob, "ADMIN")));
		assertThat(suspended.statusCode()).as(suspended.body()).isEqualTo(200);
	}

	private static String createTenant(String user, String name) {
		HttpResponse<String> created = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"" + name + "\"}",
				"Authorization", Http.bearer(issuer.token(user, "ADMIN")));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return Json.field(created.body(), "id");
	}

	private static List<JsonNode> events(String query) {
		HttpResponse<String> page = Http.get(app.url("/api/admin/audit-events?size=200&" + query), "Authorization",
				Http.bearer(issuer.token("carol", "COMPLIANCE")));
		assertThat(page.statusCode()).as(page.body()).isEqualTo(200);
		List<JsonNode> events = new ArrayList<>();
		Json.read(page.body()).path("content").forEach(events::add);
		return events;
	}

	private static String q(String value) {
		return URLEncoder.encode(value, StandardCharsets.UTF_8);
	}

	@Test
	void actorSelectsOneUsersEventsByNameOrSubject() {
		List<JsonNode> events = events("actor=" + q(bob));
		assertThat(events).extracting((event) -> event.path("action").asString())
			.containsExactly("tenant.suspended", "tenant.created");
		assertThat(events).allSatisfy((event) -> assertThat(event.path("actor").asString()).isEqualTo(bob));
	}

	@Test
	void anActionIsMatchedExactlyOrByItsStart() {
		assertThat(events("actor=" + q(bob) + "&action=tenant.created"))
			.extracting((event) -> event.path("target_id").asString())
			.containsExactly(bobTenant);
		assertThat(events("actor=" + q(bob) + "&action=" + q("tenant.*"))).hasSize(2);
		assertThat(events("actor=" + q(bob) + "&action=" + q("tenant*"))).hasSize(2);
		assertThat(events("actor=" + q(bob) + "&action=tenant")).as("not a prefix without *").isEmpty();
		assertThat(events("action=" + q("tenant.sus*"))).isNotEmpty()
			.allSatisfy((event) -> assertThat(event.path("action").asString()).isEqualTo("tenant.suspended"));
	}

	@Test
	void aTimeRangeIsFromInclusiveToExclusive() {
		List<JsonNode> afterwards = events("action=tenant.created&from=" + q(between.toString()));
		assertThat(afterwards).extracting((event) -> event.path("target_id").asString())
			.contains(bobTenant)
			.doesNotContain(aliceTenant);
		assertThat(afterwards).allSatisfy(
				(event) -> assertThat(Instant.parse(event.path("occurred_at").asString())).isAfterOrEqualTo(between));
		List<JsonNode> before = events("action=tenant.created&to=" + q(between.toString()));
		assertThat(before).extracting((event) -> event.path("target_id").asString())
			.contains(aliceTenant)
			.doesNotContain(bobTenant);
	}

	@Test
	void filtersCombineWithTheTarget() {
		assertThat(events("target_type=tenant&target_id=" + bobTenant))
			.extracting((event) -> event.path("action").asString())
			.containsExactly("tenant.suspended", "tenant.created");
		assertThat(events("target_id=" + bobTenant + "&actor=" + q(alice))).isEmpty();
	}

	@Test
	void badFilterValuesAreRefusedNamingTheParameter() {
		String token = Http.bearer(issuer.token("carol", "COMPLIANCE"));
		for (String[] bad : new String[][] { { "action=" + q("DROP TABLE"), "action" },
				{ "action=" + q("tenant.*.x"), "action" }, { "from=yesterday", "from" },
				{ "to=" + q("2026-13-01T00:00:00Z"), "to" },
				{ "from=" + q(between.toString()) + "&to=" + q(between.toString()), "from" },
				{ "actor=" + "a".repeat(257), "actor" }, { "actor=%01", "actor" } }) {
			HttpResponse<String> refused = Http.get(app.url("/api/admin/audit-events?" + bad[0]), "Authorization",
					token);
			assertThat(refused.statusCode()).as(bad[0]).isEqualTo(400);
			assertThat(Json.read(refused.body()).path("error").path("code").asString()).isEqualTo("invalid_parameter");
			assertThat(Json.read(refused.body()).path("error").path("message").asString()).as(bad[0])
				.matches("^(" + bad[1] + ":|query parameter '" + bad[1] + "':) .+");
		}
	}

}
