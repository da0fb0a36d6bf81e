package dev.warden.platform.system;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The admin API's documented limits (finding 11 of the penetration test): every list is
 * paged, a tenant has at most {@code warden.keys.max-active-per-tenant} active keys, and
 * each user has a rate limit. Each test calls as its own user, so that the rate limit
 * (per user) of one does not spend another's.
 */
class AdminApiLimitsIntegrationTests {

	private static final int BURST = 60;

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir,
				Map.of("warden.keys.max-active-per-tenant", "3", "warden.admin-api.rate-limit.burst",
						String.valueOf(BURST),
						// one call a minute after the burst: nothing is refilled while a
						// test runs
						"warden.admin-api.rate-limit.requests-per-minute", "1", "warden.admin-api.page.default-size",
						"3", "warden.admin-api.page.max-size", "4"));
		issuer = warden.issuer();
		app = warden.app();
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	private static String as(String user) {
		return Http.bearer(issuer.token(user, "ADMIN"));
	}

	private static String createTenant(String user, String name) {
		HttpResponse<String> created = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"" + name + "\"}",
				"Authorization", as(user));
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return Json.read(created.body()).path("id").asString();
	}

	private static HttpResponse<String> createKey(String user, String tenant, String name) {
		return Http.postJson(app.url("/api/admin/tenants/" + tenant + "/keys"), "{\"name\":\"" + name + "\"}",
				"Authorization", as(user));
	}

	@Test
	void tenantsArePagedUntilNextPageIsNull() {
		for (int i = 0; i < 5; i++) {
			createTenant("pager", "paged-" + i);
		}
		List<String> names = new ArrayList<>();
		List<Integer> pages = new ArrayList<>();
		Integer page = 0;
		while (page != null) {
			HttpResponse<String> response = Http.get(app.url("/api/admin/tenants?size=2&page=" + page), "Authorization",
					as("pager"));
			assertThat(response.statusCode()).isEqualTo(200);
			JsonNode body = Json.read(response.body());
			assertThat(body.path("page").asInt()).isEqualTo(page);
			assertThat(body.path("size").asInt()).isEqualTo(2);
			assertThat(body.path("content").size()).isLessThanOrEqualTo(2);
			body.path("content").forEach((tenant) -> names.add(tenant.path("name").asString()));
			pages.add(page);
			page = body.path("next_page").isNull() ? null : body.path("next_page").asInt();
		}

		assertThat(names.stream().filter((name) -> name.startsWith("paged-"))).containsExactly("paged-0", "paged-1",
				"paged-2", "paged-3", "paged-4");
		assertThat(names).doesNotHaveDuplicates();
		assertThat(pages).hasSizeGreaterThanOrEqualTo(3);
	}

	@Test
	void pageSizeIsBoundedAndDefaulted() {
		String user = as("sizer");
		JsonNode first = Json.read(Http.get(app.url("/api/admin/tenants"), "Authorization", user).body());
		HttpResponse<String> tooLarge = Http.get(app.url("/api/admin/tenants?size=5"), "Authorization", user);
		HttpResponse<String> zero = Http.get(app.url("/api/admin/audit-events?size=0"), "Authorization", user);
		HttpResponse<String> negative = Http.get(app.url("/api/admin/workers?page=-1"), "Authorization", user);
		HttpResponse<String> beyond = Http.get(app.url("/api/admin/tenants?page=2147483646&size=4"), "Authorization",
				user);

		assertThat(first.path("page").asInt()).isZero();
		assertThat(first.path("size").asInt()).isEqualTo(3);
		assertThat(tooLarge.statusCode()).isEqualTo(400);
		assertThat(tooLarge.body()).contains("\"code\":\"invalid_parameter\"", "size: must be an integer from 1 to 4");
		assertThat(zero.statusCode()).isEqualTo(400);
		assertThat(negative.statusCode()).isEqualTo(400);
		assertThat(negative.body()).contains("page: must be an integer from 0");
		assertThat(beyond.statusCode()).isEqualTo(200);
		assertThat(beyond.body()).contains("\"content\":[]", "\"next_page\":null");
	}

	@Test
	void keysOfATenantArePaged() {
		String tenant = createTenant("keypager", "keyed-paging");
		for (int i = 0; i < 3; i++) {
			assertThat(createKey("keypager", tenant, "k" + i).statusCode()).isEqualTo(201);
		}

		JsonNode first = Json
			.read(Http.get(app.url("/api/admin/tenants/" + tenant + "/keys?size=2"), "Authorization", as("keypager"))
				.body());
		JsonNode second = Json.read(Http
			.get(app.url("/api/admin/tenants/" + tenant + "/keys?size=2&page=1"), "Authorization", as("keypager"))
			.body());

		assertThat(first.path("content").size()).isEqualTo(2);
		assertThat(first.path("next_page").asInt()).isEqualTo(1);
		assertThat(second.path("content").size()).isEqualTo(1);
		assertThat(second.path("content").path(0).path("name").asString()).isEqualTo("k2");
		assertThat(second.path("next_page").isNull()).isTrue();
	}

	@Test
	void aTenantHasAtMostTheConfiguredNumberOfActiveKeys() {
		String tenant = createTenant("capper", "capped");
		List<String> ids = new ArrayList<>();
		for (int i = 0; i < 3; i++) {
			HttpResponse<String> key = createKey("capper", tenant, "k" + i);
			assertThat(key.statusCode()).isEqualTo(201);
			ids.add(Json.read(key.body()).path("id").asString());
		}

		HttpResponse<String> fourth = createKey("capper", tenant, "k3");
		assertThat(fourth.statusCode()).isEqualTo(409);
		assertThat(fourth.body()).contains("\"code\":\"key_limit_reached\"", "3 active API keys",
				"warden.keys.max-active-per-tenant");

		HttpResponse<String> revoked = Http.send("DELETE",
				app.url("/api/admin/tenants/" + tenant + "/keys/" + ids.get(0)), null, "Authorization", as("capper"));
		assertThat(revoked.statusCode()).isEqualTo(200);
		assertThat(createKey("capper", tenant, "k4").statusCode()).as("a revoked key does not count").isEqualTo(201);
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM api_keys WHERE tenant_id = CAST(:t AS uuid)")
			.param("t", tenant)
			.query(Long.class)
			.single()).isEqualTo(4);
	}

	@Test
	void eachUserIsRateLimitedWith429RetryAfterAndTheJsonError() {
		String hasty = as("hasty");
		for (int i = 0; i < BURST; i++) {
			assertThat(Http.get(app.url("/api/admin/workers"), "Authorization", hasty).statusCode()).isEqualTo(200);
		}

		HttpResponse<String> limited = Http.get(app.url("/api/admin/workers"), "Authorization", hasty);
		HttpResponse<String> otherUser = Http.get(app.url("/api/admin/workers"), "Authorization", as("patient"));
		HttpResponse<String> anotherTokenOfTheSameUser = Http.get(app.url("/api/admin/workers"), "Authorization",
				as("hasty"));

		assertThat(limited.statusCode()).isEqualTo(429);
		assertThat(limited.headers().firstValue("Retry-After"))
			.hasValueSatisfying((seconds) -> assertThat(Long.parseLong(seconds)).isPositive());
		assertThat(limited.body()).contains("\"code\":\"rate_limited\"", "\"request_id\"");
		assertThat(otherUser.statusCode()).isEqualTo(200);
		assertThat(anotherTokenOfTheSameUser.statusCode()).as("the limit is per user, not per token").isEqualTo(429);
	}

}
