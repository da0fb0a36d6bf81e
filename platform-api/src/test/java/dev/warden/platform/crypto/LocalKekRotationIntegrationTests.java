package dev.warden.platform.crypto;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.requestlog.RequestLogEntry;
import dev.warden.platform.requestlog.RequestLogWriter;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Rotating the local key-encryption key for real, across restarts on one data directory,
 * as docs/operations.md describes: a new primary key is added to master-key.json, the
 * tenant keysets are re-wrapped, then the old key is deleted; every payload stays
 * readable. Deleting the old key without the re-wrap leaves the keysets unreadable, which
 * the API reports as 503 {@code data_key_unavailable}.
 */
class LocalKekRotationIntegrationTests {

	@TempDir
	static Path dataDir;

	static TestIssuer issuer;

	@BeforeAll
	static void issuer() throws Exception {
		issuer = new TestIssuer();
	}

	@AfterAll
	static void close() throws Exception {
		issuer.close();
	}

	private static WardenTestApp start() {
		return WardenTestApp.start(dataDir, Map.of("warden.security.issuer-uri", issuer.issuer()));
	}

	private static KeysetHandle readKek() throws Exception {
		return TinkJsonProtoKeysetFormat.parseKeyset(Files.readString(dataDir.resolve("master-key.json")),
				InsecureSecretKeyAccess.get());
	}

	private static void writeKek(KeysetHandle keyset) throws Exception {
		Files.writeString(dataDir.resolve("master-key.json"),
				TinkJsonProtoKeysetFormat.serializeKeyset(keyset, InsecureSecretKeyAccess.get()));
	}

	private static HttpResponse<String> view(WardenTestApp app, UUID record) {
		return Http.send("POST", app.url("/api/admin/request-log/" + record + "/payload"),
				"{\"justification\":\"KEK rotation drill, verifying old rows\"}", issuer.admin());
	}

	@Test
	void addPromoteRewrapThenDeleteTheOldKeyKeepsEveryPayloadReadable() throws Exception {
		UUID record;
		UUID tenant;
		try (WardenTestApp app = start()) {
			HttpResponse<String> created = Http.send("POST", app.url("/api/admin/tenants"),
					"{\"name\":\"kek-rotation\",\"plan\":\"free\"}", issuer.admin());
			assertThat(created.statusCode()).isEqualTo(201);
			tenant = UUID.fromString(Json.field(created.body(), "id"));
			app.bean(RequestLogWriter.class)
				.write(new RequestLogEntry("kek-1", Instant.now(), tenant, null, "income", "1", "POST",
						"/v1/models/income:predict", 200, 10, 10, 2, null,
						"{\"kek\":\"drill\"}".getBytes(StandardCharsets.UTF_8), "{}".getBytes(StandardCharsets.UTF_8)));
			record = app.jdbc().sql("SELECT id FROM request_log WHERE request_id = 'kek-1'").query(UUID.class).single();
		}
		KeysetHandle original = readKek();
		int oldKeyId = original.getPrimary().getId();
		writeKek(PayloadCrypto.rotate(original));

		try (WardenTestApp app = start()) {
			assertThat(view(app, record).body()).contains("drill");
			HttpResponse<String> rewrap = Http.send("POST", app.url("/api/admin/tenants/data-keys:rewrap"), null,
					issuer.admin());
			assertThat(rewrap.statusCode()).as(rewrap.body()).isEqualTo(200);
		}

		KeysetHandle rotated = readKek();
		KeysetHandle.Builder withoutOld = KeysetHandle.newBuilder(rotated);
		for (int i = 0; i < rotated.size(); i++) {
			if (rotated.getAt(i).getId() == oldKeyId) {
				withoutOld.deleteAt(i);
			}
		}
		writeKek(withoutOld.build());
		assertThat(readKek().size()).isEqualTo(1);

		try (WardenTestApp app = start()) {
			HttpResponse<String> shown = view(app, record);
			assertThat(shown.statusCode()).as(shown.body()).isEqualTo(200);
			assertThat(shown.body()).contains("drill");
			assertThat(Http.get(app.url("/api/admin/tenants/" + tenant + "/data-key"), issuer.admin()).statusCode())
				.isEqualTo(200);

			// a keyset left wrapped by a key that is gone: a clear 503, never a 500
			app.jdbc()
				.sql("UPDATE tenants SET data_key = :wrapped WHERE id = :id")
				.param("wrapped",
						PayloadCrypto.encryptDataKey(PayloadCrypto.newKeyset(),
								PayloadCrypto.masterAead(PayloadCrypto.toJson(PayloadCrypto.newKeyset())), tenant))
				.param("id", tenant)
				.update();
			HttpResponse<String> unavailable = view(app, record);
			assertThat(unavailable.statusCode()).as(unavailable.body()).isEqualTo(503);
			assertThat(unavailable.body()).contains("\"code\":\"data_key_unavailable\"");
		}
	}

}
