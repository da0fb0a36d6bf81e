package dev.warden.platform.consolestate.internal;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.consolestate.ConsoleStateProperties;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The console's signing keys on the shared application: created on the first read (once,
 * however many replicas ask at once), rotated with pre-publication, retired and deleted,
 * stored encrypted. Rotation is driven through {@link ConsoleSigningKeys#ensure} with a
 * chosen instant and short settings, never by waiting. This class is the only one that
 * uses {@code console_signing_keys}; each test starts from an empty table.
 */
@ExtendWith(SharedWardenExtension.class)
class ConsoleSigningKeysIntegrationTests {

	static WardenTestApp app;

	static ConsoleSigningKeys keys;

	@BeforeAll
	static void use(WardenFixture shared) {
		app = shared.app();
		keys = app.bean(ConsoleSigningKeys.class);
	}

	@BeforeEach
	void emptyTable() {
		app.jdbc().sql("DELETE FROM console_signing_keys").update();
	}

	private static HttpResponse<String> get() {
		return Http.get(app.url("/internal/platform/console/signing-keys"), "Authorization",
				Http.bearer(SharedWardenExtension.CONSOLE_STATE_TOKEN));
	}

	private static long rows() {
		return app.jdbc().sql("SELECT count(*) FROM console_signing_keys").query(Long.class).single();
	}

	@Test
	void theFirstReadCreatesOneActiveKey() throws Exception {
		HttpResponse<String> response = get();
		assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
		JsonNode body = Json.read(response.body());
		assertThat(body.path("rotation").asString()).isEqualTo("PT720H");
		assertThat(body.path("refresh_after").asString()).isEqualTo("PT60S");
		assertThat(body.path("keys")).hasSize(1);
		JsonNode key = body.path("keys").get(0);
		String kid = key.path("kid").asString();
		assertThat(key.path("retires_at").isNull()).isTrue();
		Instant activates = Instant.parse(key.path("activates_at").asString());
		assertThat(activates).isBeforeOrEqualTo(Instant.now());
		assertThat(Instant.parse(key.path("created_at").asString())).isEqualTo(activates);

		RSAKey jwk = JWK.parse(key.path("jwk").toString()).toRSAKey();
		assertThat(jwk.getKeyID()).isEqualTo(kid);
		assertThat(jwk.isPrivate()).isTrue();
		assertThat(jwk.size()).isEqualTo(2048);
		assertThat(jwk.getAlgorithm()).isEqualTo(JWSAlgorithm.RS256);

		// the next read returns the same key
		JsonNode again = Json.read(get().body());
		assertThat(again.path("keys")).hasSize(1);
		assertThat(again.path("keys").get(0).path("kid").asString()).isEqualTo(kid);
		assertThat(again.path("keys").get(0).path("jwk").path("d").asString())
			.isEqualTo(jwk.getPrivateExponent().toString());

		// the row holds the private key encrypted
		Map<String, Object> row = app.jdbc()
			.sql("SELECT private_jwk, kek_id FROM console_signing_keys WHERE kid = :kid")
			.param("kid", kid)
			.query()
			.singleRow();
		String stored = new String((byte[]) row.get("private_jwk"), StandardCharsets.ISO_8859_1);
		assertThat(stored).doesNotContain(jwk.getPrivateExponent().toString())
			.doesNotContain(jwk.getModulus().toString())
			.doesNotContain("\"d\"");
		assertThat(row.get("kek_id")).isEqualTo("local");

		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'console.signing_key.created' AND target_id = :kid")
			.param("kid", kid)
			.query(Long.class)
			.single()).isEqualTo(1);
	}

	@Test
	void concurrentFirstReadsCreateExactlyOneKey() throws Exception {
		int callers = 4;
		ExecutorService pool = Executors.newFixedThreadPool(callers);
		try {
			CountDownLatch start = new CountDownLatch(1);
			List<Future<String>> kids = new ArrayList<>();
			for (int i = 0; i < callers; i++) {
				Callable<String> read = () -> {
					start.await();
					List<ConsoleSigningKeys.Key> current = keys.current();
					assertThat(current).hasSize(1);
					return current.get(0).kid();
				};
				kids.add(pool.submit(read));
			}
			start.countDown();
			String first = kids.get(0).get();
			for (Future<String> kid : kids) {
				assertThat(kid.get()).isEqualTo(first);
			}
		}
		finally {
			pool.shutdownNow();
		}
		assertThat(rows()).isEqualTo(1);
	}

	@Test
	void aReplicaWhoseClockIsBehindTakesTheFirstKeyAsActiveAndMakesNoOther() {
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
		String first = keys.ensure(t0, keys.settings()).get(0).kid();
		assertThat(keys.ensure(t0.minusMillis(500), keys.settings())).extracting(ConsoleSigningKeys.Key::kid)
			.containsExactly(first);
		assertThat(rows()).isEqualTo(1);
	}

	@Test
	void aNextKeyIsPrePublishedThenActivatesAndTheOldOneIsRetiredAndLaterDeleted() {
		ConsoleStateProperties.SigningKey settings = new ConsoleStateProperties.SigningKey(Duration.ofHours(1),
				Duration.ofMinutes(10), Duration.ofMinutes(5));
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);

		List<ConsoleSigningKeys.Key> first = keys.ensure(t0, settings);
		assertThat(first).hasSize(1);
		String a = first.get(0).kid();
		assertThat(first.get(0).activatesAt()).isEqualTo(t0);

		// before rotation - pre-publish: nothing changes
		assertThat(keys.ensure(t0.plus(Duration.ofMinutes(49)), settings)).extracting(ConsoleSigningKeys.Key::kid)
			.containsExactly(a);

		// from rotation - pre-publish on: the next key is published, activating at t0 +
		// rotation
		List<ConsoleSigningKeys.Key> prePublished = keys.ensure(t0.plus(Duration.ofMinutes(50)), settings);
		assertThat(prePublished).hasSize(2);
		ConsoleSigningKeys.Key next = prePublished.get(1);
		String b = next.kid();
		assertThat(b).isNotEqualTo(a);
		assertThat(next.activatesAt()).isEqualTo(t0.plus(Duration.ofHours(1)));
		assertThat(next.jwk()).containsEntry("kid", b).containsKey("d");
		assertThat(prePublished.get(0).retiresAt()).isNull();
		// asked again: still two keys, the same ones
		assertThat(keys.ensure(t0.plus(Duration.ofMinutes(55)), settings)).extracting(ConsoleSigningKeys.Key::kid)
			.containsExactly(a, b);

		// the next key activates: the old one retires at that moment + retain
		List<ConsoleSigningKeys.Key> activated = keys.ensure(t0.plus(Duration.ofMinutes(61)), settings);
		assertThat(activated).extracting(ConsoleSigningKeys.Key::kid).containsExactly(a, b);
		assertThat(activated.get(0).retiresAt()).isEqualTo(t0.plus(Duration.ofMinutes(65)));
		assertThat(activated.get(1).retiresAt()).isNull();

		// after retires_at the old key is deleted
		List<ConsoleSigningKeys.Key> after = keys.ensure(t0.plus(Duration.ofMinutes(66)), settings);
		assertThat(after).extracting(ConsoleSigningKeys.Key::kid).containsExactly(b);
		assertThat(rows()).isEqualTo(1);
		assertThat(app.jdbc()
			.sql("SELECT action FROM audit_events WHERE target_type = 'console_signing_key' AND target_id = :a "
					+ "ORDER BY seq")
			.param("a", a)
			.query(String.class)
			.list()).containsExactly("console.signing_key.created", "console.signing_key.retired",
					"console.signing_key.deleted");
	}

	@Test
	void aNextKeyCreatedLateIsStillPublishedForPrePublishBeforeItSigns() {
		ConsoleStateProperties.SigningKey settings = new ConsoleStateProperties.SigningKey(Duration.ofHours(1),
				Duration.ofMinutes(10), Duration.ofMinutes(5));
		Instant t0 = Instant.now().truncatedTo(ChronoUnit.SECONDS);
		String a = keys.ensure(t0, settings).get(0).kid();
		// nobody asked during the pre-publication window (every console was down)
		Instant late = t0.plus(Duration.ofHours(3));
		List<ConsoleSigningKeys.Key> current = keys.ensure(late, settings);
		assertThat(current).extracting(ConsoleSigningKeys.Key::kid).hasSize(2).startsWith(a);
		assertThat(current.get(1).activatesAt()).isEqualTo(late.plus(Duration.ofMinutes(10)));
	}

}
