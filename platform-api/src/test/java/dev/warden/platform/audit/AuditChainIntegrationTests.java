package dev.warden.platform.audit;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.audit.AuditChainVerifier.BrokenLink;
import dev.warden.platform.audit.AuditChainVerifier.Problem;
import dev.warden.platform.audit.AuditChainVerifier.Result;
import dev.warden.platform.audit.internal.AuditCanonical;
import dev.warden.platform.audit.internal.AuditCanonical.EventContent;
import dev.warden.platform.crypto.SigningKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The hash chain against a real PostgreSQL: tampering done with plain SQL behind the
 * application's back (edit, delete, reorder, insert, rewrite, digest forgery) is reported
 * at the right first broken sequence; concurrent appends form one chain; the request
 * context is captured; the admin endpoints and the offline command work.
 */
class AuditChainIntegrationTests {

	@TempDir
	static Path dataDir;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	static JdbcClient jdbc;

	static TransactionTemplate transactions;

	static AuditTrail trail;

	static AuditDigests digests;

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of("warden.audit.digest-interval", "1h"));
		issuer = warden.issuer();
		app = warden.app();
		jdbc = app.jdbc();
		transactions = app.bean(TransactionTemplate.class);
		trail = app.bean(AuditTrail.class);
		digests = app.bean(AuditDigests.class);
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	@BeforeEach
	void emptyChain() {
		transactions.executeWithoutResult((status) -> {
			jdbc.sql("TRUNCATE audit_events, audit_digests").update();
			jdbc.sql("UPDATE audit_chain_head SET seq = 0, hash = NULL").update();
		});
	}

	@Test
	void validChainVerifies() {
		appendEvents(6);
		digestNow();
		appendEvents(3);

		Result result = verify();

		assertThat(result.valid()).as("%s", result.firstBrokenLink()).isTrue();
		assertThat(result.eventsChecked()).isEqualTo(10);
		assertThat(result.headSeq()).isEqualTo(10);
		assertThat(result.digestsChecked()).isEqualTo(1);
	}

	@Test
	void editedEventIsReportedAtItsSequence() {
		appendEvents(6);

		jdbc.sql("UPDATE audit_events SET details = jsonb_set(details, '{n}', '99') WHERE seq = 3").update();

		assertBroken(Problem.CONTENT_HASH_MISMATCH, 3);
	}

	@Test
	void actorNameOrIssuerAddedOrChangedIsReportedAtItsSequence() {
		appendEvents(6);

		jdbc.sql("UPDATE audit_events SET actor_name = 'mallory' WHERE seq = 3").update();
		jdbc.sql("UPDATE audit_events SET actor_issuer = 'http://evil.example' WHERE seq = 5").update();

		assertBroken(Problem.CONTENT_HASH_MISMATCH, 3);
		jdbc.sql("UPDATE audit_events SET actor_name = NULL WHERE seq = 3").update();
		assertBroken(Problem.CONTENT_HASH_MISMATCH, 5);
	}

	@Test
	void editedEventWithRecomputedHashIsReportedAtTheNextLink() {
		appendEvents(6);

		jdbc.sql("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3").update();
		rehash(3, 3);

		assertBroken(Problem.PREV_HASH_MISMATCH, 4);
	}

	@Test
	void deletedEventIsReportedAsMissingSequence() {
		appendEvents(6);

		jdbc.sql("DELETE FROM audit_events WHERE seq = 3").update();

		BrokenLink link = assertBroken(Problem.MISSING_SEQUENCE, 3);
		assertThat(link.message()).contains("event 3 is missing");
	}

	@Test
	void deletedLastEventIsReportedAsMissingSequence() {
		appendEvents(6);

		jdbc.sql("DELETE FROM audit_events WHERE seq = 6").update();

		assertBroken(Problem.MISSING_SEQUENCE, 6);
	}

	@Test
	void truncatedChainWithHeadMovedBackIsCaughtByTheSignedDigest() {
		appendEvents(6);
		digestNow();

		jdbc.sql("DELETE FROM audit_events WHERE seq >= 5").update();
		jdbc.sql("UPDATE audit_chain_head SET seq = 4, hash = (SELECT hash FROM audit_events WHERE seq = 4)").update();

		BrokenLink link = assertBroken(Problem.MISSING_SEQUENCE, 5);
		assertThat(link.digest()).isEqualTo(1L);
	}

	@Test
	void reorderedEventsAreReportedAtTheFirstMovedSequence() {
		appendEvents(6);

		transactions.executeWithoutResult((status) -> {
			jdbc.sql("UPDATE audit_events SET seq = 1000 WHERE seq = 3").update();
			jdbc.sql("UPDATE audit_events SET seq = 3 WHERE seq = 4").update();
			jdbc.sql("UPDATE audit_events SET seq = 4 WHERE seq = 1000").update();
		});

		assertBroken(Problem.CONTENT_HASH_MISMATCH, 3);
	}

	@Test
	void insertedEventIsReported() {
		appendEvents(6);

		// make room at 3 and insert a forged event whose own hash is correct and links to
		// event 2
		transactions.executeWithoutResult((status) -> {
			jdbc.sql("UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 3").update();
			jdbc.sql("UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1000").update();
			String prev = jdbc.sql("SELECT hash FROM audit_events WHERE seq = 2").query(String.class).single();
			EventContent forged = new EventContent(UUID.randomUUID(), 3,
					java.time.Instant.parse("2026-01-01T00:00:00.000001Z"), "mallory", List.of("ADMIN"),
					"tenant.created", "tenant", "x", "{\"name\":\"forged\"}", null, null, null, prev);
			jdbc.sql("INSERT INTO audit_events (id, seq, occurred_at, actor, actor_roles, action, target_type, "
					+ "target_id, details, prev_hash, hash) VALUES (:id, 3, :at, 'mallory', '{ADMIN}', "
					+ "'tenant.created', 'tenant', 'x', CAST(:details AS jsonb), :prev, :hash)")
				.param("id", forged.id())
				.param("at", java.sql.Timestamp.from(forged.occurredAt()))
				.param("details", forged.detailsJson())
				.param("prev", prev)
				.param("hash", AuditCanonical.hash(forged))
				.update();
		});

		// the forged event itself is consistent; the event after it no longer is
		assertBroken(Problem.CONTENT_HASH_MISMATCH, 4);
	}

	@Test
	void insertedEventBeyondTheHeadIsReported() {
		appendEvents(4);
		transactions.executeWithoutResult((status) -> {
			String prev = jdbc.sql("SELECT hash FROM audit_events WHERE seq = 4").query(String.class).single();
			EventContent forged = new EventContent(UUID.randomUUID(), 5,
					java.time.Instant.parse("2026-01-01T00:00:00Z"), "mallory", List.of(), "tenant.deleted", "tenant",
					"y", "{}", null, null, null, prev);
			jdbc.sql("INSERT INTO audit_events (id, seq, occurred_at, actor, action, target_type, target_id, "
					+ "details, prev_hash, hash) VALUES (:id, 5, :at, 'mallory', 'tenant.deleted', 'tenant', 'y', "
					+ "'{}'::jsonb, :prev, :hash)")
				.param("id", forged.id())
				.param("at", java.sql.Timestamp.from(forged.occurredAt()))
				.param("prev", prev)
				.param("hash", AuditCanonical.hash(forged))
				.update();
		});

		assertBroken(Problem.HEAD_MISMATCH, 5);
	}

	@Test
	void chainRewrittenConsistentlyIsCaughtByTheSignedDigest() {
		appendEvents(5);
		AuditDigests.Digest digest = digestNow();
		appendEvents(2);

		jdbc.sql("UPDATE audit_events SET details = '{\"n\":42}'::jsonb WHERE seq = 2").update();
		rehash(2, 8);

		BrokenLink link = assertBroken(Problem.DIGEST_HEAD_MISMATCH, digest.lastSeq());
		assertThat(link.digest()).isEqualTo(digest.number());
	}

	@Test
	void tamperedDigestSignatureIsReported() {
		appendEvents(3);
		digestNow();
		appendEvents(3);
		AuditDigests.Digest second = digestNow();

		// every bit of the tenth byte inverted (setting it to 0 changed nothing when it
		// was
		// 0 already: 1 run in 256 failed)
		jdbc.sql("UPDATE audit_digests SET signature = set_byte(signature, 9, get_byte(signature, 9) # 255) "
				+ "WHERE number = 2")
			.update();

		BrokenLink link = assertBroken(Problem.DIGEST_SIGNATURE_INVALID, second.lastSeq());
		assertThat(link.digest()).isEqualTo(2L);
	}

	@Test
	void digestWithEditedHeadHashIsReportedAsInvalidSignature() {
		appendEvents(3);
		AuditDigests.Digest digest = digestNow();

		jdbc.sql("UPDATE audit_digests SET head_hash = :h WHERE number = 1").param("h", "ab".repeat(32)).update();

		assertBroken(Problem.DIGEST_SIGNATURE_INVALID, digest.lastSeq());
	}

	@Test
	void deletedDigestIsReported() {
		appendEvents(2);
		digestNow();
		appendEvents(2);
		digestNow();
		appendEvents(2);
		AuditDigests.Digest third = digestNow();

		jdbc.sql("DELETE FROM audit_digests WHERE number = 2").update();

		BrokenLink link = assertBroken(Problem.DIGEST_CHAIN_BROKEN, third.lastSeq());
		assertThat(link.message()).contains("digest 2 is missing");
	}

	@Test
	void rolledBackAppendsLeaveTheChainIntact() {
		appendEvents(2);
		assertThatThrownBy(() -> transactions.executeWithoutResult((status) -> {
			trail.append("alice", "tenant.created", "tenant", "t-rolled-back", Map.of());
			throw new IllegalStateException("the write failed");
		})).isInstanceOf(IllegalStateException.class);
		appendEvents(2);

		Result result = verify();
		assertThat(result.valid()).as("%s", result.firstBrokenLink()).isTrue();
		assertThat(result.headSeq()).isEqualTo(4);
		assertThat(jdbc.sql("SELECT count(*) FROM audit_events WHERE target_id = 't-rolled-back'")
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void concurrentAppendsFromManyThreadsFormOneVerifiableChain() throws Exception {
		int threads = 8;
		int perThread = 25;
		ExecutorService pool = Executors.newFixedThreadPool(threads);
		try {
			List<Callable<Void>> tasks = new ArrayList<>();
			for (int t = 0; t < threads; t++) {
				int thread = t;
				tasks.add(() -> {
					for (int i = 0; i < perThread; i++) {
						int n = i;
						if (n % 10 == 9) {
							try {
								transactions.executeWithoutResult((status) -> {
									trail.append("t" + thread, "test.rolled_back", "test", thread + "-" + n, Map.of());
									status.setRollbackOnly();
								});
							}
							catch (RuntimeException ignored) {
								// not expected, but a rollback must not matter either way
							}
						}
						transactions.executeWithoutResult((status) -> trail.append("t" + thread, "test.appended",
								"test", thread + "-" + n, Map.of("thread", thread, "i", n)));
					}
					return null;
				});
			}
			for (Future<Void> done : pool.invokeAll(tasks)) {
				done.get();
			}
		}
		finally {
			pool.shutdown();
			assertThat(pool.awaitTermination(1, TimeUnit.MINUTES)).isTrue();
		}
		digestNow();

		Result result = verify();

		assertThat(result.valid()).as("%s", result.firstBrokenLink()).isTrue();
		assertThat(result.eventsChecked()).isEqualTo(threads * perThread + 1);
		assertThat(jdbc.sql("SELECT min(seq), max(seq), count(DISTINCT seq) FROM audit_events")
			.query((rs, row) -> List.of(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
			.single()).containsExactly(1L, (long) threads * perThread + 1, (long) threads * perThread + 1);
	}

	@Test
	void eventsWrittenBeforeTheChainExistedAreSealed() {
		// as left by the migration: sequence numbers, no hashes, head unsealed
		transactions.executeWithoutResult((status) -> {
			for (int i = 1; i <= 3; i++) {
				jdbc.sql(
						"INSERT INTO audit_events (id, seq, occurred_at, actor, action, target_type, target_id, details) "
								+ "VALUES (:id, :seq, now(), 'alice', 'tenant.created', 'tenant', :t, '{\"legacy\":1.50}'::jsonb)")
					.param("id", UUID.randomUUID())
					.param("seq", i)
					.param("t", "legacy-" + i)
					.update();
			}
			jdbc.sql("UPDATE audit_chain_head SET seq = 3, hash = NULL").update();
		});
		assertThat(verify().valid()).isFalse();

		new AuditChainSealer(trail, transactions).run(null);
		appendEvents(1);

		Result result = verify();
		assertThat(result.valid()).as("%s", result.firstBrokenLink()).isTrue();
		assertThat(result.eventsChecked()).isEqualTo(4);
	}

	@Test
	void adminWriteRecordsRolesClientAddressUserAgentAndRequestId() {
		HttpResponse<String> created = Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"ctx-tenant\"}",
				"Authorization", "Bearer " + issuer.token("alice", "ADMIN", "COMPLIANCE"), "User-Agent",
				"audit-test/1.0", "X-Request-Id", "req-audit-ctx-1");
		assertThat(created.statusCode()).isEqualTo(201);

		Map<String, Object> row = jdbc
			.sql("SELECT actor, array_to_string(actor_roles, ',') AS roles, client_address, user_agent, request_id "
					+ "FROM audit_events WHERE action = 'tenant.created'")
			.query()
			.singleRow();

		assertThat(row).containsEntry("actor", "alice")
			.containsEntry("roles", "ADMIN,COMPLIANCE")
			.containsEntry("client_address", "127.0.0.1")
			.containsEntry("user_agent", "audit-test/1.0")
			.containsEntry("request_id", "req-audit-ctx-1");
		assertThat(verify().valid()).isTrue();
	}

	@Test
	void eventsOutsideARequestAreSystemEvents() {
		transactions.executeWithoutResult((status) -> trail.append(null, "catalogue.synced", "model", null, null));

		Map<String, Object> row = jdbc
			.sql("SELECT actor, cardinality(actor_roles) AS roles, client_address, user_agent, request_id "
					+ "FROM audit_events")
			.query()
			.singleRow();
		assertThat(row).containsEntry("actor", "system").containsEntry("roles", 0);
		assertThat(row.get("client_address")).isNull();
		assertThat(row.get("user_agent")).isNull();
		assertThat(row.get("request_id")).isNull();
	}

	@Test
	void appendOutsideATransactionIsRefused() {
		assertThatThrownBy(() -> trail.append("alice", "x", "y", "z", Map.of()))
			.isInstanceOf(org.springframework.transaction.IllegalTransactionStateException.class);
	}

	@Test
	void adminApiVerifiesSignsDigestsAndPublishesThePublicKey() throws Exception {
		String admin = "Bearer " + issuer.token("alice", "ADMIN");
		String compliance = "Bearer " + issuer.token("carol", "COMPLIANCE");
		appendEvents(3);

		HttpResponse<String> digest = Http.postJson(app.url("/api/admin/audit/digests"), "", "Authorization", admin);
		assertThat(digest.statusCode()).isEqualTo(201);
		assertThat(digest.body()).contains("\"number\":1", "\"first_seq\":1", "\"last_seq\":4", "\"event_count\":4",
				"\"signature\":");
		assertThat(Http.postJson(app.url("/api/admin/audit/digests"), "", "Authorization", compliance).statusCode())
			.isEqualTo(403);
		assertThat(jdbc.sql("SELECT actor FROM audit_events WHERE action = 'audit.digest_created'")
			.query(String.class)
			.single()).isEqualTo("alice");

		HttpResponse<String> ok = Http.get(app.url("/api/admin/audit/verify"), "Authorization", compliance);
		assertThat(ok.statusCode()).isEqualTo(200);
		assertThat(ok.body()).contains("\"valid\":true", "\"events_checked\":4", "\"digests_checked\":1");

		jdbc.sql("UPDATE audit_events SET target_id = 'other' WHERE seq = 2").update();
		HttpResponse<String> broken = Http.get(app.url("/api/admin/audit/verify"), "Authorization", compliance);
		assertThat(broken.body()).contains("\"valid\":false", "\"problem\":\"CONTENT_HASH_MISMATCH\"", "\"seq\":2");

		HttpResponse<String> key = Http.get(app.url("/api/admin/audit/public-key"), "Authorization", compliance);
		assertThat(key.statusCode()).isEqualTo(200);
		assertThat(key.body()).contains("Ed25519PublicKey").doesNotContain("Ed25519PrivateKey");
		assertThat(key.body()).isEqualTo(Files.readString(dataDir.resolve("signing-public-key.json")));
		assertThat(key.headers().firstValue("X-Key-Id")).hasValue(app.bean(SigningKeys.class).keyId());
		assertThat(Http.get(app.url("/api/admin/audit/verify")).statusCode()).isEqualTo(401);
	}

	@Test
	void signingKeyFileIsEncryptedAndOwnerOnly() throws Exception {
		Path file = dataDir.resolve("signing-key.json");
		String content = Files.readString(file);
		assertThat(content).contains("encryptedKeyset").doesNotContain("keyData");
		assertThat(Files.getPosixFilePermissions(file))
			.containsExactlyInAnyOrderElementsOf(java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
	}

	@Test
	void consoleReportedLoginIsAuditedOncePerToken() {
		String token = issuer.token("carol", "COMPLIANCE");
		String body = "{\"client_address\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0 test\"}";

		HttpResponse<String> first = Http.postJson(app.url("/api/admin/audit/events/login"), body, "Authorization",
				"Bearer " + token);
		HttpResponse<String> again = Http.postJson(app.url("/api/admin/audit/events/login"), body, "Authorization",
				"Bearer " + token);

		assertThat(first.statusCode()).isEqualTo(201);
		assertThat(again.statusCode()).isEqualTo(200);
		Map<String, Object> row = jdbc
			.sql("SELECT actor, action, target_type, target_id, details->>'user_client_address' AS browser, "
					+ "array_to_string(actor_roles, ',') AS roles FROM audit_events")
			.query()
			.singleRow();
		assertThat(row).containsEntry("actor", "carol")
			.containsEntry("action", "user.login")
			.containsEntry("target_type", "user")
			.containsEntry("browser", "203.0.113.7")
			.containsEntry("roles", "COMPLIANCE");
		assertThat(Http
			.postJson(app.url("/api/admin/audit/events/login"), "{\"user_agent\":\"" + "x".repeat(600) + "\"}",
					"Authorization", "Bearer " + token)
			.statusCode()).isEqualTo(400);
	}

	@Test
	void consoleReportedFailedSignInsAndLockOutsAreAuditedAndChained() {
		String console = "Bearer " + issuer.clientToken("warden-console", "warden.audit.sign-in");
		String url = app.url("/api/admin/audit/events/login-failures");

		assertThat(Http
			.postJson(url,
					"{\"outcome\":\"failed\",\"username\":\"admin\",\"known_user\":true,"
							+ "\"client_address\":\"203.0.113.7\",\"user_agent\":\"Mozilla/5.0 test\"}",
					"Authorization", console)
			.statusCode()).isEqualTo(201);
		assertThat(Http
			.postJson(url,
					"{\"outcome\":\"user_locked_out\",\"username\":\"admin\","
							+ "\"retry_after_seconds\":180,\"client_address\":\"203.0.113.7\"}",
					"Authorization", console)
			.statusCode()).isEqualTo(201);
		assertThat(Http
			.postJson(url,
					"{\"outcome\":\"client_address_locked_out\",\"username\":\"root\","
							+ "\"retry_after_seconds\":45,\"client_address\":\"203.0.113.8\"}",
					"Authorization", console)
			.statusCode()).isEqualTo(201);

		List<Map<String, Object>> rows = jdbc
			.sql("SELECT actor, action, target_type, target_id, details::text AS details, "
					+ "array_to_string(actor_roles, ',') AS roles FROM audit_events ORDER BY seq")
			.query()
			.listOfRows();
		assertThat(rows)
			.extracting((row) -> row.get("action") + " " + row.get("target_type") + "/" + row.get("target_id"))
			.containsExactly("user.login_failed user/admin", "user.login_locked_out user/admin",
					"client_address.login_locked_out client_address/203.0.113.8");
		assertThat(rows)
			.allSatisfy((row) -> assertThat(row).containsEntry("actor", "warden-console").containsEntry("roles", ""));
		assertThat((String) rows.get(0).get("details")).contains("\"known_user\": true",
				"\"user_client_address\": \"203.0.113.7\"", "\"user_agent\": \"Mozilla/5.0 test\"");
		assertThat((String) rows.get(1).get("details")).contains("\"retry_after_seconds\": 180");
		assertThat((String) rows.get(2).get("details")).contains("\"username\": \"root\"");
		assertThat(verify().valid()).isTrue();
	}

	@Test
	void onlyTheConsolesSignInScopeMayReportFailedSignIns() {
		String url = app.url("/api/admin/audit/events/login-failures");
		String body = "{\"outcome\":\"failed\",\"username\":\"admin\"}";

		assertThat(Http.postJson(url, body, "Authorization", "Bearer " + issuer.token("alice", "ADMIN")).statusCode())
			.isEqualTo(403);
		assertThat(
				Http.postJson(url, body, "Authorization", "Bearer " + issuer.token("carol", "COMPLIANCE")).statusCode())
			.isEqualTo(403);
		assertThat(Http.postJson(url, body, "Authorization", "Bearer " + issuer.clientToken("other", "openid"))
			.statusCode()).isEqualTo(403);
		assertThat(Http.postJson(url, body).statusCode()).isEqualTo(401);
		String console = "Bearer " + issuer.clientToken("warden-console", "warden.audit.sign-in");
		assertThat(Http.postJson(url, "{\"outcome\":\"guessed\",\"username\":\"admin\"}", "Authorization", console)
			.statusCode()).isEqualTo(400);
		assertThat(Http
			.postJson(url, "{\"outcome\":\"client_address_locked_out\",\"username\":\"admin\"}", "Authorization",
					console)
			.statusCode()).isEqualTo(400);
		assertThat(Http.postJson(app.url("/api/admin/tenants"), "{\"name\":\"sneaky\"}", "Authorization", console)
			.statusCode()).isEqualTo(403);
		assertThat(jdbc.sql("SELECT count(*) FROM audit_events").query(Long.class).single()).isZero();
	}

	@Test
	void offlineCommandVerifiesOverJdbcWithOnlyThePublicKey() throws Exception {
		appendEvents(4);
		digestNow();
		HikariDataSource dataSource = (HikariDataSource) app.bean(DataSource.class);
		String[] args = { "verify-audit", "--jdbc-url", dataSource.getJdbcUrl(), "--user", dataSource.getUsername(),
				"--password", dataSource.getPassword(), "--public-key",
				dataDir.resolve("signing-public-key.json").toString() };

		ByteArrayOutputStream out = new ByteArrayOutputStream();
		int ok = VerifyAuditCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
		assertThat(ok).isZero();
		assertThat(out.toString(StandardCharsets.UTF_8)).contains("OK: 5 events (head 5) and 1 signed digests");

		jdbc.sql("DELETE FROM audit_events WHERE seq = 2").update();
		out.reset();
		int broken = VerifyAuditCommand.run(args, Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
				System.err);
		assertThat(broken).isEqualTo(1);
		assertThat(out.toString(StandardCharsets.UTF_8)).contains("BROKEN at sequence 2: MISSING_SEQUENCE");

		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertThat(VerifyAuditCommand.run(new String[] { "verify-audit" }, Map.of(), System.out,
				new PrintStream(err, true, StandardCharsets.UTF_8)))
			.isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("--jdbc-url is required");
	}

	@Test
	void offlineCommandFollowsTheGatewaysDatabaseTlsVariables() {
		HikariDataSource dataSource = (HikariDataSource) app.bean(DataSource.class);
		String[] args = { "verify-audit", "--jdbc-url", dataSource.getJdbcUrl(), "--user", dataSource.getUsername(),
				"--password", dataSource.getPassword(), "--public-key",
				dataDir.resolve("signing-public-key.json").toString() };
		// the embedded server has no TLS: a required sslmode must make the command fail,
		// not quietly connect in plain
		ByteArrayOutputStream err = new ByteArrayOutputStream();
		assertThat(VerifyAuditCommand.run(args, Map.of("WARDEN_DB_SSLMODE", "require"), System.out,
				new PrintStream(err, true, StandardCharsets.UTF_8)))
			.isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("does not support SSL");
		err.reset();
		assertThat(VerifyAuditCommand.run(args, Map.of("WARDEN_DB_SSLMODE", "strict"), System.out,
				new PrintStream(err, true, StandardCharsets.UTF_8)))
			.isEqualTo(2);
		assertThat(err.toString(StandardCharsets.UTF_8)).contains("WARDEN_DB_SSLMODE").contains("verify-full");
	}

	@Test
	void aDigestSignedWithAnotherKeyIsRejected() throws Exception {
		appendEvents(2);
		digestNow();
		String otherPublicKey = com.google.crypto.tink.TinkJsonProtoKeysetFormat
			.serializeKeysetWithoutSecret(com.google.crypto.tink.KeysetHandle
				.generateNew(com.google.crypto.tink.signature.PredefinedSignatureParameters.ED25519)
				.getPublicKeysetHandle());

		try (Connection connection = app.bean(DataSource.class).getConnection()) {
			Result result = new AuditChainVerifier(SigningKeys.verifier(otherPublicKey)).verify(connection);
			assertThat(result.firstBrokenLink().problem()).isEqualTo(Problem.DIGEST_SIGNATURE_INVALID);
		}
	}

	private static void appendEvents(int count) {
		for (int i = 0; i < count; i++) {
			int n = i;
			transactions.executeWithoutResult((status) -> {
				Map<String, Object> details = new LinkedHashMap<>();
				details.put("n", n);
				details.put("ratio", 1.5);
				details.put("big", 12345678901234L);
				details.put("text", "zürich \"quoted\"\n\u0001 ✓");
				details.put("nested", Map.of("z", List.of(1, 2.25, "x"), "a", true));
				details.put("nothing", null);
				trail.append("alice", "test.event", "test", "e-" + n, details);
			});
		}
	}

	private static AuditDigests.Digest digestNow() {
		return digests.createNow("alice");
	}

	/**
	 * What a tamperer with the canonical form at hand would do: recompute the hashes of
	 * events from..to.
	 */
	private static void rehash(long from, long to) {
		transactions.executeWithoutResult((status) -> {
			String prev = (from == 1) ? AuditCanonical.GENESIS_HASH
					: jdbc.sql("SELECT hash FROM audit_events WHERE seq = :s")
						.param("s", from - 1)
						.query(String.class)
						.single();
			for (long seq = from; seq <= to; seq++) {
				EventContent stored = jdbc.sql("SELECT " + AuditTrail.COLUMNS + " FROM audit_events WHERE seq = :s")
					.param("s", seq)
					.query((rs, row) -> AuditTrail.content(rs))
					.single();
				EventContent relinked = stored.withPrevHash(prev);
				String hash = AuditCanonical.hash(relinked);
				jdbc.sql("UPDATE audit_events SET prev_hash = :p, hash = :h WHERE seq = :s")
					.param("p", prev)
					.param("h", hash)
					.param("s", seq)
					.update();
				prev = hash;
			}
			jdbc.sql("UPDATE audit_chain_head SET hash = :h WHERE seq = :s").param("h", prev).param("s", to).update();
		});
	}

	private static Result verify() {
		try (Connection connection = app.bean(DataSource.class).getConnection()) {
			return new AuditChainVerifier(SigningKeys.verifier(app.bean(SigningKeys.class).publicKeysetJson()))
				.verify(connection);
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static BrokenLink assertBroken(Problem problem, long seq) {
		Result result = verify();
		assertThat(result.valid()).isFalse();
		assertThat(result.firstBrokenLink()).isNotNull();
		assertThat(result.firstBrokenLink().problem()).as("%s", result.firstBrokenLink()).isEqualTo(problem);
		assertThat(result.firstBrokenLink().seq()).as("%s", result.firstBrokenLink()).isEqualTo(seq);
		return result.firstBrokenLink();
	}

}
