package dev.warden.platform.demo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.crypto.SecretFiles;
import dev.warden.platform.system.WardenProperties;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

/**
 * Default-install convenience (only with {@code warden.demo.enabled=true}, env WARDEN_DEMO=true): on first start
 * creates tenant {@code demo} (plan {@code free}) with an API key {@code demo}, audited as actor
 * {@code system}, and writes the raw key to {@code <data dir>/demo-api-key} (mode 0600) so that later starts can
 * print it again.
 */
@Component
@ConditionalOnBooleanProperty("warden.demo.enabled")
class DemoBootstrap implements ApplicationRunner {

	static final String TENANT = "demo";

	static final String KEY_FILE = "demo-api-key";

	private static final Logger log = LoggerFactory.getLogger(DemoBootstrap.class);

	private final TenantManagement tenants;

	private final ApiKeyManagement keys;

	private final TransactionTemplate transactions;

	private final Path keyFile;

	DemoBootstrap(TenantManagement tenants, ApiKeyManagement keys, TransactionTemplate transactions,
			WardenProperties warden) {
		this.tenants = tenants;
		this.keys = keys;
		this.transactions = transactions;
		this.keyFile = warden.dataDir().resolve(KEY_FILE);
	}

	@Override
	public void run(ApplicationArguments args) throws IOException {
		if (this.tenants.findByName(TENANT).isEmpty()) {
			String raw = this.transactions.execute((status) -> {
				Tenant tenant = this.tenants.create(TENANT, "free", "system");
				return this.keys.create(tenant.id(), "demo", "system").rawKey();
			});
			Files.deleteIfExists(this.keyFile);
			SecretFiles.createOwnerOnly(this.keyFile, raw + "\n");
			log.info("Created demo tenant '{}' and its API key ({})", TENANT, this.keyFile.toAbsolutePath());
		}
		if (Files.exists(this.keyFile)) {
			String raw = Files.readString(this.keyFile, StandardCharsets.UTF_8).strip();
			System.out.println("Demo API key: " + raw);
		}
	}

}
