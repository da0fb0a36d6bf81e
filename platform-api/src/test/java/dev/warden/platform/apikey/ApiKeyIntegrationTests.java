package dev.warden.platform.apikey;

import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.apikey.internal.ApiKeyFormat;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SharedWardenExtension.class)
class ApiKeyIntegrationTests {

	static WardenTestApp app;

	@BeforeAll
	static void use(WardenFixture shared) {
		app = shared.app();
	}

	@Test
	void createdKeyVerifiesAndOnlyItsHashIsStored() {
		Tenant tenant = app.bean(TenantManagement.class).create("keys-a", "free", "test");
		ApiKeyManagement keys = app.bean(ApiKeyManagement.class);
		ApiKeyManagement.CreatedApiKey created = keys.create(tenant.id(), "ci", "test");

		assertThat(created.rawKey()).matches("wdn_[A-Za-z0-9]{12}_[A-Za-z0-9]{32}");
		assertThat(created.rawKey()).startsWith(created.key().prefix() + "_");
		assertThat(keys.verify(created.rawKey())).hasValueSatisfying((v) -> {
			assertThat(v.tenantId()).isEqualTo(tenant.id());
			assertThat(v.apiKeyId()).isEqualTo(created.key().id());
			assertThat(v.plan()).isEqualTo("free");
		});

		String secret = created.rawKey().substring(17);
		List<String> dump = app.jdbc()
			.sql("SELECT t::text FROM api_keys t UNION ALL SELECT a::text FROM audit_events a")
			.query(String.class)
			.list();
		assertThat(dump).noneMatch((row) -> row.contains(secret) || row.contains(created.rawKey()));
		byte[] hash = app.jdbc()
			.sql("SELECT key_hash FROM api_keys WHERE id = :id")
			.param("id", created.key().id())
			.query(byte[].class)
			.single();
		assertThat(hash).hasSize(32).isEqualTo(ApiKeyFormat.hash(created.rawKey()));
	}

	@Test
	void wrongSecretUnknownIdAndMalformedKeysAreRejected() {
		Tenant tenant = app.bean(TenantManagement.class).create("keys-b", "free", "test");
		ApiKeyManagement keys = app.bean(ApiKeyManagement.class);
		String raw = keys.create(tenant.id(), "ci", "test").rawKey();
		String wrongSecret = raw.substring(0, raw.length() - 1) + (raw.endsWith("A") ? "B" : "A");

		assertThat(keys.verify(wrongSecret)).isEmpty();
		assertThat(keys.verify("wdn_AAAAAAAAAAAA_" + "A".repeat(32))).isEmpty();
		assertThat(keys.verify("not-a-key")).isEmpty();
		assertThat(keys.verify(raw + "x")).isEmpty();
		assertThat(keys.verify(null)).isEmpty();
		assertThat(keys.verify(raw)).isPresent();
	}

	@Test
	void listingShowsPrefixAndStatusButNoSecret() {
		Tenant tenant = app.bean(TenantManagement.class).create("keys-c", "standard", "test");
		ApiKeyManagement keys = app.bean(ApiKeyManagement.class);
		ApiKeyManagement.CreatedApiKey created = keys.create(tenant.id(), "batch", "test");
		assertThat(keys.list(tenant.id())).singleElement().satisfies((key) -> {
			assertThat(key.prefix()).isEqualTo(created.key().prefix());
			assertThat(key.status()).isEqualTo("active");
		});
	}

}
