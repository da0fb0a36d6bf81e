package dev.warden.platform.crypto;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.requestlog.RequestLogEntry;
import dev.warden.platform.requestlog.RequestLogWriter;
import dev.warden.platform.tenant.DataKeyDestroyedException;
import dev.warden.platform.tenant.TenantDataKeys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * Envelope encryption end to end on the real application and database: payloads written
 * by the real request-log writer, read back only through the audited break-glass call;
 * data-key rotation; ciphertexts moved between rows and tenants in SQL; crypto-shredding
 * on tenant deletion.
 */
@ExtendWith(SharedWardenExtension.class)
class EnvelopeEncryptionIntegrationTests {

	private static final String JUSTIFICATION = "INC-4711: customer disputes the prediction of this call";

	static WardenFixture warden;

	static WardenTestApp app;

	@BeforeAll
	static void use(WardenFixture shared) {
		warden = shared;
		app = shared.app();
	}

	private static UUID tenant(String name) {
		return UUID.fromString(warden.tenant(name, "free"));
	}

	/** Writes a row through the real request-log writer and returns its id. */
	private static UUID log(UUID tenant, String requestId, String request, String response) {
		app.bean(RequestLogWriter.class)
			.write(new RequestLogEntry(requestId, Instant.now(), tenant, null, "income", "1", "POST",
					"/v1/models/income:predict", 200, 1200, request.length(), response.length(), null,
					request.getBytes(StandardCharsets.UTF_8), response.getBytes(StandardCharsets.UTF_8)));
		return app.jdbc()
			.sql("SELECT id FROM request_log WHERE request_id = :r")
			.param("r", requestId)
			.query(UUID.class)
			.single();
	}

	private static HttpResponse<String> view(UUID record, String body, String[] headers) {
		return Http.send("POST", app.url("/api/admin/request-log/" + record + "/payload"), body, headers);
	}

	private static HttpResponse<String> view(UUID record) {
		return view(record, "{\"justification\":\"" + JUSTIFICATION + "\"}", warden.admin());
	}

	private static List<Map<String, Object>> views(UUID record) {
		return app.jdbc()
			.sql("SELECT actor, details::text AS details FROM audit_events WHERE action = 'request_log.payload_viewed' "
					+ "AND target_type = 'request_log' AND target_id = :id ORDER BY occurred_at")
			.param("id", record.toString())
			.query()
			.listOfRows();
	}

	private static byte[] payload(UUID record) {
		return (byte[]) app.jdbc()
			.sql("SELECT request_payload FROM request_log WHERE id = :id")
			.param("id", record)
			.query()
			.singleRow()
			.get("request_payload");
	}

	@Test
	void storedPayloadsAreCiphertextOfFormat2AndTheKeysetIsWrappedByTheLocalKek() {
		UUID tenant = tenant("ee-format");
		UUID record = log(tenant, "ee-format-1", "{\"secret\":\"tenant-private\"}", "{\"p\":1}");
		byte[] stored = payload(record);
		assertThat(stored[0]).isEqualTo(PayloadCrypto.FORMAT_2);
		assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("tenant-private");
		assertThat(app.jdbc()
			.sql("SELECT kek_id FROM tenants WHERE id = :id")
			.param("id", tenant)
			.query(String.class)
			.single()).isEqualTo("local");
	}

	@Test
	void adminAndComplianceSeeAPayloadWithAJustificationAndEachViewIsAudited() {
		UUID tenant = tenant("ee-view");
		UUID record = log(tenant, "ee-view-1", "{\"instances\":[[1,2]]}", "{\"predictions\":[0.7]}");

		HttpResponse<String> byAdmin = view(record);
		assertThat(byAdmin.statusCode()).as(byAdmin.body()).isEqualTo(200);
		assertThat(byAdmin.body()).contains("\"tenant_id\":\"" + tenant + "\"", "\"request_id\":\"ee-view-1\"",
				"\"content\":\"{\\\"instances\\\":[[1,2]]}\"", "\"content\":\"{\\\"predictions\\\":[0.7]}\"",
				"\"encoding\":\"utf-8\"");
		HttpResponse<String> byCompliance = view(record,
				"{\"justification\":\"GDPR art. 15 access request from the data subject\"}",
				warden.as("carol", "COMPLIANCE"));
		assertThat(byCompliance.statusCode()).as(byCompliance.body()).isEqualTo(200);
		assertThat(byCompliance.body()).contains("predictions");

		List<Map<String, Object>> events = views(record);
		assertThat(events).extracting((event) -> event.get("actor")).containsExactly("alice", "carol");
		assertThat((String) events.get(0).get("details")).contains("\"justification\": \"" + JUSTIFICATION + "\"",
				"\"outcome\": \"decrypted\"", "\"roles\": [\"ADMIN\"]", "\"tenant_id\": \"" + tenant + "\"",
				"\"request_id\": \"ee-view-1\"");
		assertThat((String) events.get(1).get("details")).contains("GDPR art. 15", "\"roles\": [\"COMPLIANCE\"]");
	}

	@Test
	void aViewWithoutAWrittenJustificationIsRefusedAndRevealsNothing() {
		UUID tenant = tenant("ee-refused");
		UUID record = log(tenant, "ee-refused-1", "{\"x\":\"hidden-text\"}", "{}");
		for (String body : new String[] { null, "{}", "{\"justification\":null}", "{\"justification\":\"   \"}",
				"{\"justification\":\"too short\"}" }) {
			HttpResponse<String> refused = view(record, body, warden.admin());
			assertThat(refused.statusCode()).as(body).isEqualTo(400);
			assertThat(refused.body()).contains("\"code\":\"justification_required\"", "at least 10 characters")
				.doesNotContain("hidden-text");
		}
		HttpResponse<String> get = Http.get(app.url("/api/admin/request-log/" + record + "/payload"), warden.admin());
		assertThat(get.statusCode()).isEqualTo(405);
		assertThat(get.body()).doesNotContain("hidden-text");
		assertThat(view(record, "{\"justification\":\"" + JUSTIFICATION + "\"}", warden.as("dave", "OPERATOR"))
			.statusCode()).isEqualTo(403);
		assertThat(Http
			.send("POST", app.url("/api/admin/request-log/" + record + "/payload"),
					"{\"justification\":\"" + JUSTIFICATION + "\"}", "Content-Type", "application/json")
			.statusCode()).isEqualTo(401);
		assertThat(views(record)).isEmpty();

		HttpResponse<String> unknown = view(UUID.randomUUID());
		assertThat(unknown.statusCode()).isEqualTo(404);
		assertThat(unknown.body()).contains("\"code\":\"not_found\"");
	}

	@Test
	void aCiphertextCopiedToAnotherRowOrAnotherTenantDoesNotDecrypt() {
		UUID first = tenant("ee-move-a");
		UUID second = tenant("ee-move-b");
		UUID source = log(first, "ee-move-1", "{\"owner\":\"tenant-a-secret\"}", "{}");
		UUID sameTenant = log(first, "ee-move-2", "{\"owner\":\"a-other\"}", "{}");
		UUID otherTenant = log(second, "ee-move-3", "{\"owner\":\"b\"}", "{}");
		String copy = "UPDATE request_log SET request_payload = (SELECT request_payload FROM request_log WHERE id = :from) "
				+ "WHERE id = :to";
		app.jdbc().sql(copy).param("from", source).param("to", sameTenant).update();
		app.jdbc().sql(copy).param("from", source).param("to", otherTenant).update();

		for (UUID moved : List.of(sameTenant, otherTenant)) {
			HttpResponse<String> refused = view(moved);
			assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
			assertThat(refused.body()).contains("\"code\":\"payload_integrity_failed\"", moved.toString())
				.doesNotContain("tenant-a-secret");
			assertThat((String) views(moved).get(0).get("details")).contains("\"outcome\": \"integrity_failed\"");
		}
		// the original row is untouched and still reads
		assertThat(view(source).body()).contains("tenant-a-secret");
	}

	@Test
	void rowsOfFormat1WrittenBeforeTheFormatChangeStayReadable() throws Exception {
		UUID tenant = tenant("ee-legacy");
		UUID record = UUID.randomUUID();
		Aead aead = app.bean(TenantDataKeys.class).aead(tenant);
		byte[] legacy = PayloadCryptoTests.format1(aead, "{\"old\":true}".getBytes(StandardCharsets.UTF_8),
				"ee-legacy-1", "request");
		app.jdbc()
			.sql("INSERT INTO request_log (id, request_id, occurred_at, tenant_id, method, path, status, latency_micros, "
					+ "request_payload) VALUES (:id, 'ee-legacy-1', now(), :tenant, 'POST', '/v1/models/m:predict', 200, 1, "
					+ ":payload)")
			.param("id", record)
			.param("tenant", tenant)
			.param("payload", legacy)
			.update();
		HttpResponse<String> shown = view(record);
		assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
		assertThat(shown.body()).contains("{\\\"old\\\":true}");
	}

	@Test
	void rotationAddsAPrimaryKeyNewRowsUseItAndOldRowsStayReadable() {
		UUID tenant = tenant("ee-rotate");
		UUID before = log(tenant, "ee-rotate-1", "{\"n\":\"before-rotation\"}", "{}");
		HttpResponse<String> info = Http.get(app.url("/api/admin/tenants/" + tenant + "/data-key"), warden.admin());
		assertThat(info.statusCode()).isEqualTo(200);
		assertThat(info.body()).contains("\"kek_id\":\"local\"").doesNotContain("value");

		HttpResponse<String> rotated = Http.send("POST", app.url("/api/admin/tenants/" + tenant + "/data-key:rotate"),
				null, warden.admin());
		assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(200);
		long primary = Long.parseLong(Json.field(rotated.body(), "primary_key_id"));
		assertThat(rotated.body()).containsPattern("\"key_ids\":\\[\\d+,\\d+\\]");

		UUID after = log(tenant, "ee-rotate-2", "{\"n\":\"after-rotation\"}", "{}");
		// Tink prefix after the format byte: 0x01 then the 4-byte id of the key that
		// encrypted the payload
		assertThat(Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(payload(after), 2, 4).getInt())).isEqualTo(primary);
		assertThat(Integer.toUnsignedLong(java.nio.ByteBuffer.wrap(payload(before), 2, 4).getInt()))
			.isNotEqualTo(primary);
		assertThat(view(before).body()).contains("before-rotation");
		assertThat(view(after).body()).contains("after-rotation");

		Map<String, Object> event = app.jdbc()
			.sql("SELECT actor, details::text AS details FROM audit_events WHERE action = 'tenant.data_key_rotated' "
					+ "AND target_id = :id")
			.param("id", tenant.toString())
			.query()
			.singleRow();
		assertThat(event).containsEntry("actor", "alice");
		assertThat((String) event.get("details")).contains("\"primary_key_id\": " + primary);
		assertThat(app.jdbc()
			.sql("SELECT data_key_rotated_at IS NOT NULL FROM tenants WHERE id = :id")
			.param("id", tenant)
			.query(Boolean.class)
			.single()).isTrue();

		assertThat(Http
			.send("POST", app.url("/api/admin/tenants/" + tenant + "/data-key:rotate"), null,
					warden.as("carol", "COMPLIANCE"))
			.statusCode()).isEqualTo(403);
		assertThat(Http
			.send("POST", app.url("/api/admin/tenants/" + UUID.randomUUID() + "/data-key:rotate"), null, warden.admin())
			.statusCode()).isEqualTo(404);
	}

	@Test
	void deletingATenantDestroysItsKeysetAndItsPayloadsAreGoneForGoodWhileMetadataStays() {
		UUID tenant = tenant("ee-shred");
		UUID record = log(tenant, "ee-shred-1", "{\"pii\":\"shred-me\"}", "{}");
		assertThat(view(record).statusCode()).isEqualTo(200);

		assertThat(Http.send("DELETE", app.url("/api/admin/tenants/" + tenant), null, warden.admin()).statusCode())
			.isEqualTo(204);
		Map<String, Object> row = app.jdbc()
			.sql("SELECT data_key, data_key_destroyed_at FROM tenants WHERE id = :id")
			.param("id", tenant)
			.query()
			.singleRow();
		assertThat(row.get("data_key")).isNull();
		assertThat(row.get("data_key_destroyed_at")).isNotNull();
		assertThat((String) app.jdbc()
			.sql("SELECT details::text FROM audit_events WHERE action = 'tenant.deleted' AND target_id = :id")
			.param("id", tenant.toString())
			.query(String.class)
			.single()).contains("\"data_key\": \"destroyed\"");

		HttpResponse<String> gone = view(record);
		assertThat(gone.statusCode()).as(gone.body()).isEqualTo(410);
		assertThat(gone.body()).contains("\"code\":\"payload_shredded\"").doesNotContain("shred-me");
		assertThat((String) views(record).get(1).get("details")).contains("\"outcome\": \"shredded\"");

		// metadata stays, with its (now unreadable) ciphertext
		assertThat(Http.get(app.url("/api/admin/request-log?tenant_id=" + tenant), warden.admin()).body())
			.contains("\"request_id\":\"ee-shred-1\"", "\"has_request_payload\":true");
		// no code path can get the key any more: no new payloads, rotation refused
		assertThatExceptionOfType(DataKeyDestroyedException.class)
			.isThrownBy(() -> app.bean(TenantDataKeys.class).aead(tenant));
		UUID late = log(tenant, "ee-shred-late", "{\"in\":\"flight\"}", "{}");
		assertThat(payload(late)).isNull();
		assertThat(Http.send("POST", app.url("/api/admin/tenants/" + tenant + "/data-key:rotate"), null, warden.admin())
			.statusCode()).isEqualTo(404);
		// the database refuses a key for a destroyed tenant
		assertThat(app.jdbc()
			.sql("SELECT count(*) FROM tenants WHERE status = 'deleted' AND data_key IS NOT NULL")
			.query(Long.class)
			.single()).isZero();
	}

	@Test
	void rewrapKeepsEveryPayloadReadableAndIsAudited() {
		UUID tenant = tenant("ee-rewrap");
		UUID record = log(tenant, "ee-rewrap-1", "{\"r\":\"rewrapped\"}", "{}");
		long rewrapsBefore = rewrapAudits();
		byte[] wrappedBefore = app.jdbc()
			.sql("SELECT data_key FROM tenants WHERE id = :id")
			.param("id", tenant)
			.query(byte[].class)
			.single();
		HttpResponse<String> rewrap = Http.send("POST", app.url("/api/admin/tenants/data-keys:rewrap"), null,
				warden.admin());
		assertThat(rewrap.statusCode()).as(rewrap.body()).isEqualTo(200);
		assertThat(rewrap.body()).containsPattern("\"rewrapped\":[1-9]");
		byte[] wrappedAfter = app.jdbc()
			.sql("SELECT data_key FROM tenants WHERE id = :id")
			.param("id", tenant)
			.query(byte[].class)
			.single();
		assertThat(wrappedAfter).isNotEqualTo(wrappedBefore);
		assertThat(view(record).body()).contains("rewrapped");
		assertThat(rewrapAudits()).isEqualTo(rewrapsBefore + 1);
	}

	private static long rewrapAudits() {
		return app.jdbc()
			.sql("SELECT count(*) FROM audit_events WHERE action = 'crypto.data_keys_rewrapped' AND actor = 'alice'")
			.query(Long.class)
			.single();
	}

}
