package dev.warden.platform.quota;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.warden.platform.FixedAnswerWorker;
import dev.warden.platform.Http;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code quotas.yaml} edited while two gateway replicas run on one database: both reload
 * it, the change is audited once, existing buckets take the new limits on the next
 * request, and an invalid file is refused with the previous plans kept. One test method,
 * because every step changes the shared file.
 */
class QuotaPlanReloadIntegrationTests {

	private static final String PREDICT = "{\"instances\":[{\"age\":39}]}";

	private static final String PLANS = """
			default_plan: metered
			plans:
			  metered:
			    requests_per_second: 1000
			    burst: 1000
			    requests_per_month: %d
			    max_request_bytes: 65536
			  fast:
			    requests_per_second: %d
			    burst: %d
			    max_request_bytes: 65536
			""";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path policiesDir;

	static WardenFixture warden;

	static WardenTestApp app;

	static WardenTestApp replica;

	@BeforeAll
	static void start() throws Exception {
		write(PLANS.formatted(100, 1000, 1000));
		warden = WardenFixture.start(dataDir, FixedAnswerWorker.start(),
				Map.of("warden.policies-dir", policiesDir.toString(), "warden.quota.plans-reload-interval", "200ms"));
		app = warden.app();
		replica = warden.replica();
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
	}

	/** Replaces the file atomically, as a deployment tool would. */
	private static void write(String yaml) throws IOException {
		Path temp = policiesDir.resolve("quotas.yaml.tmp");
		Files.writeString(temp, yaml);
		Files.move(temp, policiesDir.resolve("quotas.yaml"), StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE);
	}

	private static String keyForNewTenant(String name, String plan) {
		return warden.key(warden.tenant(name, plan)).key();
	}

	private static int predict(WardenTestApp target, String key) {
		return Http.postJson(target.url("/v1/models/income:predict"), PREDICT, "X-API-Key", key).statusCode();
	}

	/**
	 * Waits (bounded) for a condition that the reload makes true; the test fails if it
	 * never does.
	 */
	private static void await(BooleanSupplier condition) throws InterruptedException {
		for (int i = 0; i < 150 && !condition.getAsBoolean(); i++) {
			Thread.sleep(100);
		}
		assertThat(condition.getAsBoolean()).as("reloaded within 15 s").isTrue();
	}

	private static long reloadAudits() {
		return app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'quota.plans.reloaded'")
			.query(Long.class)
			.single();
	}

	private static boolean bothHave(long month, long burst) {
		return plansOf(app, month, burst) && plansOf(replica, month, burst);
	}

	private static boolean plansOf(WardenTestApp target, long month, long burst) {
		QuotaPlans plans = target.bean(QuotaPlans.class);
		return plans.find("metered").orElseThrow().requestsPerMonth() == month
				&& plans.find("fast").orElseThrow().burst() == burst;
	}

	@Test
	void theAdminApiListsThePlansInForce() throws Exception {
		var before = Http.get(app.url("/api/admin/quota-plans"), warden.as("auditor", "COMPLIANCE"));
		assertThat(before.statusCode()).isEqualTo(200);
		var json = JsonMapper.builder().build().readTree(before.body());
		assertThat(json.path("default_plan").asString()).isEqualTo("metered");
		assertThat(json.path("sha256").asString()).hasSize(64);
		assertThat(json.path("plans").get(0).path("name").asString()).isEqualTo("fast");
		assertThat(json.path("plans").get(1).path("name").asString()).isEqualTo("metered");
		assertThat(json.path("plans").get(0).path("burst").asLong()).isEqualTo(1000);
		assertThat(json.path("plans").get(1).path("requests_per_month").asLong()).isEqualTo(100);
		// every replica answers from the same file
		var other = JsonMapper.builder()
			.build()
			.readTree(Http.get(replica.url("/api/admin/quota-plans"), warden.admin()).body());
		assertThat(other.path("sha256").asString()).isEqualTo(json.path("sha256").asString());
		// not for API keys
		String key = keyForNewTenant("plans-reader", "fast");
		assertThat(Http.get(app.url("/api/admin/quota-plans"), "X-API-Key", key).statusCode()).isEqualTo(401);
	}

	@Test
	void editedPlansApplyToExistingBucketsOnBothReplicasAndAreAuditedOnce() throws Exception {
		String metered = keyForNewTenant("reload-month", "metered");
		String fast = keyForNewTenant("reload-rate", "fast");
		for (int i = 0; i < 5; i++) {
			assertThat(predict((i % 2 == 0) ? app : replica, metered)).isEqualTo(200);
			assertThat(predict((i % 2 == 0) ? app : replica, fast)).isEqualTo(200);
		}
		assertThat(reloadAudits()).isZero();

		// lower the monthly quota to 8 (5 used) and the fast plan's rate to 1/s with a
		// burst of 2
		write(PLANS.formatted(8, 1, 2));
		await(() -> bothHave(8, 2));

		int monthlyAccepted = 0;
		HttpResponse<String> monthlyRefused = null;
		for (int i = 0; i < 6; i++) {
			HttpResponse<String> response = Http.postJson(
					((i % 2 == 0) ? app : replica).url("/v1/models/income:predict"), PREDICT, "X-API-Key", metered);
			if (response.statusCode() == 200) {
				monthlyAccepted++;
			}
			else {
				monthlyRefused = response;
			}
		}
		assertThat(monthlyAccepted).isEqualTo(3);
		assertThat(monthlyRefused.statusCode()).isEqualTo(429);
		assertThat(monthlyRefused.body()).contains("\"limit\":\"monthly\"", "allows 8 requests per calendar month");

		long started = System.nanoTime();
		int rateAccepted = 0;
		HttpResponse<String> rateRefused = null;
		for (int i = 0; i < 8; i++) {
			HttpResponse<String> response = Http
				.postJson(((i % 2 == 0) ? app : replica).url("/v1/models/income:predict"), PREDICT, "X-API-Key", fast);
			if (response.statusCode() == 200) {
				rateAccepted++;
			}
			else {
				rateRefused = response;
			}
		}
		double elapsed = (System.nanoTime() - started) / 1e9;
		// the key's bucket (995 tokens left under the old plan) now holds at most the new
		// burst of 2
		assertThat((double) rateAccepted).isLessThanOrEqualTo(2 + elapsed);
		assertThat(rateRefused).isNotNull();
		assertThat(rateRefused.body()).contains("\"limit\":\"rate\"", "1 requests/second", "burst of 2");

		// both replicas reloaded the same content: audited once, with the changed plans
		// before and after
		assertThat(reloadAudits()).isEqualTo(1);
		String details = app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'quota.plans.reloaded'")
			.query(String.class)
			.single();
		assertThat(details).contains("\"changed_plans\"", "\"metered\"", "\"fast\"", "\"requests_per_month\": 100",
				"\"requests_per_month\": 8", "\"sha256\"");
		assertThat(app.jdbc()
			.sql("SELECT actor FROM audit_events WHERE action = 'quota.plans.reloaded'")
			.query(String.class)
			.single()).isEqualTo("system");

		// an invalid file is refused: the previous plans stay in force on both replicas,
		// nothing is audited
		QuotaPlanReloader reloader = app.bean(QuotaPlanReloader.class);
		write(PLANS.formatted(8, 1, 2).replace("burst: 2", "burst: lots"));
		assertThat(reloader.reloadIfChanged()).isFalse();
		write("plans: [not, a, mapping");
		assertThat(reloader.reloadIfChanged()).isFalse();
		Thread.sleep(1000);
		assertThat(bothHave(8, 2)).isTrue();
		assertThat(predict(replica, metered)).isEqualTo(429);
		assertThat(reloadAudits()).isEqualTo(1);

		// a valid file again: raising the monthly quota admits the difference at once
		write(PLANS.formatted(10, 1, 2));
		await(() -> bothHave(10, 2));
		assertThat(predict(app, metered)).isEqualTo(200);
		assertThat(predict(replica, metered)).isEqualTo(200);
		assertThat(predict(app, metered)).isEqualTo(429);
		assertThat(reloadAudits()).isEqualTo(2);
	}

}
