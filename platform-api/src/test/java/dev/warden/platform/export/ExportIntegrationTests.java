package dev.warden.platform.export;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeyTemplates;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeySign;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.SignatureConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

import dev.warden.platform.Http;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.crypto.SigningKeys;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Compliance exports end to end: real JWTs, the real database, the streamed file checked
 * against its signed manifest by the offline verifier.
 */
class ExportIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

	private static final String RANGE = "&from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:03Z";

	@TempDir
	static Path dataDir;

	@TempDir
	static Path files;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	static String acme;

	static String other;

	@BeforeAll
	static void start() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of("warden.exports.pdf-max-rows", "3"));
		issuer = warden.issuer();
		app = warden.app();
		acme = warden.tenant("acme");
		other = warden.tenant("other");
		logRequest(acme, T0, 200);
		logRequest(acme, T0.plusSeconds(1), 200);
		logRequest(other, T0.plusSeconds(1), 429);
		logRequest(acme, T0.plusMillis(2999), 500);
		// the range is [from, to): a row exactly at 'to' is not exported
		logRequest(acme, T0.plusSeconds(3), 200);
	}

	@AfterAll
	static void stop() throws Exception {
		warden.close();
	}

	@Test
	void complianceExportsOneTenantsRequestLogAsCsvWithASignedManifestThatVerifiesOffline() throws Exception {
		HttpResponse<byte[]> export = get("/api/admin/exports/request-log?format=csv&tenant=" + acme + RANGE, "carol",
				"COMPLIANCE");

		assertThat(export.statusCode()).isEqualTo(200);
		assertThat(export.headers().firstValue("Content-Type"))
			.hasValueSatisfying((v) -> assertThat(v).startsWith("text/csv"));
		String id = export.headers().firstValue("X-Export-Id").orElseThrow();
		String csv = new String(export.body(), StandardCharsets.UTF_8);
		List<String> lines = csv.lines().toList();
		assertThat(lines).hasSize(4);
		assertThat(lines.get(0)).isEqualTo("id,request_id,occurred_at,tenant_id,api_key_id,model,model_version,method,"
				+ "path,status,latency_micros,request_bytes,response_bytes,error_code");
		assertThat(lines.get(1)).contains("2026-01-01T00:00:00Z", acme, "POST", "/v1/models/income:predict", ",200,");
		assertThat(lines.get(3)).contains("2026-01-01T00:00:02.999Z", ",500,", "internal_error");
		assertThat(csv).doesNotContain(other).doesNotContain("2026-01-01T00:00:03Z").doesNotContain("c2VjcmV0");

		Map<String, Object> manifest = manifest(id);
		assertThat(manifest).containsEntry("export_id", id)
			.containsEntry("export_type", "request-log")
			.containsEntry("format", "csv")
			.containsEntry("tenant_id", acme)
			.containsEntry("from", "2026-01-01T00:00:00Z")
			.containsEntry("to", "2026-01-01T00:00:03Z")
			.containsEntry("requested_by", "carol")
			.containsEntry("row_count", 3)
			.containsEntry("first_occurred_at", "2026-01-01T00:00:00Z")
			.containsEntry("last_occurred_at", "2026-01-01T00:00:02.999Z")
			.containsEntry("size_bytes", export.body().length)
			.containsEntry("sha256", sha256(export.body()))
			.containsEntry("key_id", app.bean(SigningKeys.class).keyId())
			.containsKeys("requested_at", "completed_at", "audit_chain_head", "signature");
		assertThat(verify(export.body(), manifest, publicKey())).startsWith("0\n").contains("OK");
		// the chain head in the export's snapshot is a real, sealed event of the audit
		// hash chain (the export's own
		// "started" event at the latest)
		@SuppressWarnings("unchecked")
		Map<String, Object> head = (Map<String, Object>) manifest.get("audit_chain_head");
		assertThat(head).isNotNull();
		assertThat(app.jdbc()
			.sql("SELECT hash FROM audit_events WHERE seq = :seq")
			.param("seq", ((Number) head.get("sequence")).longValue())
			.query(String.class)
			.single()).isEqualTo(head.get("hash"));

		List<Map<String, Object>> audit = app.jdbc()
			.sql("SELECT actor, action, details::text AS details FROM audit_events WHERE target_type = 'export' "
					+ "AND target_id = :id ORDER BY occurred_at")
			.param("id", id)
			.query()
			.listOfRows();
		assertThat(audit).extracting((row) -> row.get("action")).containsExactly("export.started", "export.completed");
		assertThat(audit).allSatisfy((row) -> assertThat(row).containsEntry("actor", "carol"));
		assertThat((String) audit.get(1).get("details")).contains("\"row_count\": 3", sha256(export.body()),
				"\"format\": \"csv\"", acme);
	}

	@Test
	void adminExportsAllTenantsAsNdjsonOneObjectPerRowWithoutPayloads() throws Exception {
		HttpResponse<byte[]> export = get("/api/admin/exports/request-log?format=ndjson" + RANGE, "alice", "ADMIN");

		assertThat(export.statusCode()).isEqualTo(200);
		List<String> lines = new String(export.body(), StandardCharsets.UTF_8).lines().toList();
		assertThat(lines).hasSize(4);
		@SuppressWarnings("unchecked")
		Map<String, Object> first = JSON.readValue(lines.get(0), Map.class);
		assertThat(first.keySet()).containsExactly("id", "request_id", "occurred_at", "tenant_id", "api_key_id",
				"model", "model_version", "method", "path", "status", "latency_micros", "request_bytes",
				"response_bytes", "error_code");
		assertThat(first.get("status")).isEqualTo(200);
		assertThat(first.get("api_key_id")).isNull();
		assertThat(lines).anySatisfy((line) -> assertThat(line).contains(other, "\"status\":429"));
		Map<String, Object> manifest = manifest(export.headers().firstValue("X-Export-Id").orElseThrow());
		assertThat(manifest).containsEntry("tenant_id", null).containsEntry("row_count", 4);
		assertThat(verify(export.body(), manifest, publicKey())).startsWith("0\n");
	}

	@Test
	void auditTrailOfOneTenantIsExportedWithItsApiKeyEventsButNotOtherTenants() throws Exception {
		Http.postJson(app.url("/api/admin/tenants/" + acme + "/keys"), "{\"name\":\"ci\"}", "Authorization",
				"Bearer " + issuer.token("alice", "ADMIN"));
		String today = "&from=" + Instant.now().minusSeconds(3600) + "&to=" + Instant.now().plusSeconds(3600);

		HttpResponse<byte[]> export = get("/api/admin/exports/audit?format=ndjson&tenant=" + acme + today, "carol",
				"COMPLIANCE");

		assertThat(export.statusCode()).isEqualTo(200);
		String ndjson = new String(export.body(), StandardCharsets.UTF_8);
		assertThat(ndjson).contains("\"action\":\"tenant.created\"", "\"action\":\"api_key.created\"", acme)
			.doesNotContain(other);
		Map<?, ?> created = JSON.readValue(
				ndjson.lines().filter((l) -> l.contains("api_key.created")).findFirst().orElseThrow(), Map.class);
		assertThat(created.get("details")).isInstanceOf(Map.class);
		Map<String, Object> manifest = manifest(export.headers().firstValue("X-Export-Id").orElseThrow());
		assertThat(verify(export.body(), manifest, publicKey())).startsWith("0\n");
	}

	@Test
	void pdfExportIsAPdfAndVerifiesButLargeOnesAreSentToCsv() throws Exception {
		HttpResponse<byte[]> pdf = get("/api/admin/exports/request-log?format=pdf&tenant=" + acme + RANGE, "carol",
				"COMPLIANCE");

		assertThat(pdf.statusCode()).isEqualTo(200);
		assertThat(pdf.headers().firstValue("Content-Type")).hasValue("application/pdf");
		assertThat(new String(pdf.body(), 0, 5, StandardCharsets.US_ASCII)).isEqualTo("%PDF-");
		Map<String, Object> manifest = manifest(pdf.headers().firstValue("X-Export-Id").orElseThrow());
		assertThat(manifest).containsEntry("row_count", 3);
		assertThat(verify(pdf.body(), manifest, publicKey())).startsWith("0\n").contains("row_count: not checked");

		HttpResponse<byte[]> tooLarge = get("/api/admin/exports/request-log?format=pdf" + RANGE, "carol", "COMPLIANCE");
		assertThat(tooLarge.statusCode()).isEqualTo(400);
		assertThat(text(tooLarge)).contains("export_too_large_for_pdf", "4 rows", "limited to 3", "format=csv");
	}

	@Test
	void changedFileChangedManifestOrAnotherKeysSignatureFailVerification() throws Exception {
		HttpResponse<byte[]> export = get("/api/admin/exports/request-log?format=csv&tenant=" + acme + RANGE, "carol",
				"COMPLIANCE");
		byte[] body = export.body();
		Map<String, Object> manifest = manifest(export.headers().firstValue("X-Export-Id").orElseThrow());
		assertThat(verify(body, manifest, publicKey())).startsWith("0\n");

		byte[] changedByte = body.clone();
		changedByte[body.length / 2] ^= 1;
		assertThat(verify(changedByte, manifest, publicKey())).startsWith("1\n")
			.contains("sha256: FAILED")
			.contains("signature: OK");

		Map<String, Object> changedField = new LinkedHashMap<>(manifest);
		changedField.put("requested_by", "mallory");
		assertThat(verify(body, changedField, publicKey())).startsWith("1\n").contains("signature: FAILED");

		Map<String, Object> fewerRows = new LinkedHashMap<>(manifest);
		fewerRows.put("row_count", 2);
		assertThat(verify(body, fewerRows, publicKey())).startsWith("1\n")
			.contains("signature: FAILED")
			.contains("row_count: FAILED (file 3, manifest 2)");

		SignatureConfig.register();
		KeysetHandle anotherKey = KeysetHandle.generateNew(KeyTemplates.get("ED25519"));
		Map<String, Object> resigned = new LinkedHashMap<>(manifest);
		resigned.put("signature",
				Base64.getEncoder()
					.encodeToString(anotherKey.getPrimitive(RegistryConfiguration.get(), PublicKeySign.class)
						.sign(Manifests.signedBytes(resigned))));
		assertThat(verify(body, resigned, publicKey())).startsWith("1\n").contains("signature: FAILED");
		// and the other key's public keyset verifies its own signature: the check is the
		// key, not the format
		String anotherPublic = TinkJsonProtoKeysetFormat
			.serializeKeysetWithoutSecret(anotherKey.getPublicKeysetHandle());
		assertThat(verify(body, resigned, anotherPublic)).startsWith("0\n");
		assertThat(TinkJsonProtoKeysetFormat.serializeKeyset(anotherKey, InsecureSecretKeyAccess.get()))
			.isNotEqualTo(publicKey());
	}

	@Test
	void badRequestsAreAnsweredWithJsonErrorsNamingTheProblem() {
		long exportsBefore = app.jdbc().sql("SELECT count(*) FROM exports").query(Long.class).single();

		assertError(get("/api/admin/exports/request-log?format=xml" + RANGE, "carol", "COMPLIANCE"), 400, "format",
				"csv, ndjson or pdf");
		assertError(get("/api/admin/exports/request-log?from=yesterday&to=2026-01-02", "carol", "COMPLIANCE"), 400,
				"invalid_date", "from: 'yesterday'");
		assertError(get("/api/admin/exports/request-log?to=2026-01-02", "carol", "COMPLIANCE"), 400,
				"missing_parameter", "from is required");
		assertError(get("/api/admin/exports/audit?from=2026-01-02&to=2026-01-01", "carol", "COMPLIANCE"), 400,
				"invalid_range", "must be before");
		assertError(get("/api/admin/exports/audit?tenant=acme" + RANGE, "carol", "COMPLIANCE"), 400, "invalid_tenant",
				"'acme'");
		assertError(get("/api/admin/exports/audit?tenant=" + UUID.randomUUID() + RANGE, "carol", "COMPLIANCE"), 404,
				"not_found", "tenant");
		assertError(get("/api/admin/exports/payloads?format=csv" + RANGE, "carol", "COMPLIANCE"), 404, "not_found",
				"audit or request-log");
		assertError(get("/api/admin/exports/" + UUID.randomUUID() + "/manifest", "carol", "COMPLIANCE"), 404,
				"not_found", "export");
		assertError(get("/api/admin/exports/nope/manifest", "carol", "COMPLIANCE"), 400, "id", "");
		assertThat(get("/api/admin/exports/audit?format=csv" + RANGE, "mallory").statusCode()).isEqualTo(403);
		assertThat(Http.get(app.url("/api/admin/exports/audit?format=csv" + RANGE)).statusCode()).isEqualTo(401);
		// refused requests leave no export behind
		assertThat(app.jdbc().sql("SELECT count(*) FROM exports").query(Long.class).single()).isEqualTo(exportsBefore);
	}

	@Test
	void anExportThatFailsMidStreamCutsTheDownloadIsAuditedAndHasNoManifest() throws Exception {
		// one statement for 300,000 rows: longer than the default socket timeout on a
		// busy
		// machine
		app.bulkUpdate("INSERT INTO request_log (id, request_id, occurred_at, method, path, status, latency_micros) "
				+ "SELECT gen_random_uuid(), 'bulk-' || g, timestamptz '2025-01-01 00:00:00+00' + g * interval '1 ms', "
				+ "'POST', '/v1/models/income:predict', 200, 1000 FROM generate_series(1, 300000) AS g");
		HttpResponse<java.io.InputStream> response = CLIENT.send(HttpRequest
			.newBuilder(URI.create(app.url("/api/admin/exports/request-log?format=csv&from=2025-01-01&to=2025-01-02")))
			.header("Authorization", "Bearer " + issuer.token("carol", "COMPLIANCE"))
			.build(), HttpResponse.BodyHandlers.ofInputStream());
		assertThat(response.statusCode()).isEqualTo(200);
		String id = response.headers().firstValue("X-Export-Id").orElseThrow();

		try (java.io.InputStream body = response.body()) {
			assertThat(body.readNBytes(1000)).hasSize(1000);
			// the database connection of the export goes away while the file is being
			// sent
			assertThat(app.jdbc()
				.sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
						+ "WHERE query LIKE 'SELECT id::text AS id, request_id%' AND pid <> pg_backend_pid()")
				.query(Long.class)
				.single()).isEqualTo(1);
			org.assertj.core.api.Assertions.assertThatIOException()
				.isThrownBy(() -> body.transferTo(java.io.OutputStream.nullOutputStream()));
		}

		assertError(get("/api/admin/exports/" + id + "/manifest", "carol", "COMPLIANCE"), 409, "export_failed",
				"no manifest");
		assertThat(app.jdbc()
			.sql("SELECT action FROM audit_events WHERE target_id = :id ORDER BY occurred_at")
			.param("id", id)
			.query(String.class)
			.list()).containsExactly("export.started", "export.failed");
	}

	@Test
	void aFailedExportHasNoManifest() {
		UUID id = UUID.randomUUID();
		app.jdbc()
			.sql("INSERT INTO exports (id, export_type, format, range_from, range_to, requested_by, requested_at, "
					+ "status, failure) VALUES (:id, 'audit', 'csv', now() - interval '1 day', now(), 'carol', now(), "
					+ "'failed', 'IOException: Broken pipe')")
			.param("id", id)
			.update();

		assertError(get("/api/admin/exports/" + id + "/manifest", "carol", "COMPLIANCE"), 409, "export_failed",
				"Broken pipe");
	}

	@Test
	void exportHistoryListsWhatWasAskedAndByWhom() throws Exception {
		get("/api/admin/exports/audit?format=csv" + RANGE, "dave", "COMPLIANCE");

		String list = text(get("/api/admin/exports?size=500", "carol", "COMPLIANCE"));

		assertThat(list).contains("\"requested_by\":\"dave\"", "\"export_type\":\"audit\"", "\"status\":\"completed\"",
				"\"row_count\":0");
	}

	private static void assertError(HttpResponse<byte[]> response, int status, String code, String message) {
		assertThat(response.statusCode()).isEqualTo(status);
		assertThat(text(response)).contains("\"error\"", code, message, "request_id");
	}

	private static void logRequest(String tenant, Instant at, int status) {
		app.jdbc()
			.sql("INSERT INTO request_log (id, request_id, occurred_at, tenant_id, model, model_version, method, path, "
					+ "status, latency_micros, request_bytes, response_bytes, error_code, request_payload) VALUES "
					+ "(:id, :requestId, :at, CAST(:tenant AS uuid), 'income', '1', 'POST', '/v1/models/income:predict', "
					+ ":status, 1234, 56, 78, :error, :payload)")
			.param("id", UUID.randomUUID())
			.param("requestId", UUID.randomUUID().toString())
			.param("at", Timestamp.from(at))
			.param("tenant", tenant)
			.param("status", status)
			.param("error", (status == 200) ? null : "internal_error")
			.param("payload", Base64.getEncoder().encode("secret".getBytes(StandardCharsets.UTF_8)))
			.update();
	}

	private static HttpResponse<byte[]> get(String path, String subject, String... roles) {
		try {
			return CLIENT.send(HttpRequest.newBuilder(URI.create(app.url(path)))
				.header("Authorization", "Bearer " + issuer.token(subject, roles))
				.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String text(HttpResponse<byte[]> response) {
		return new String(response.body(), StandardCharsets.UTF_8);
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> manifest(String id) {
		HttpResponse<byte[]> response = get("/api/admin/exports/" + id + "/manifest", "carol", "COMPLIANCE");
		assertThat(response.statusCode()).isEqualTo(200);
		return JSON.readValue(response.body(), Map.class);
	}

	private static String publicKey() {
		return app.bean(SigningKeys.class).publicKeysetJson();
	}

	/**
	 * Runs the offline verifier on files; returns the exit code, a newline, and what it
	 * printed.
	 */
	private static String verify(byte[] export, Map<String, Object> manifest, String publicKey) throws Exception {
		OfflineVerifier.Verification verification = OfflineVerifier.verify(files, export,
				JSON.writeValueAsBytes(manifest), publicKey.getBytes(StandardCharsets.UTF_8));
		return verification.code() + "\n" + verification.output();
	}

	private static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

}
