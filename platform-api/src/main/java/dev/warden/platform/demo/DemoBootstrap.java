package dev.warden.platform.demo;

import java.io.IOException;
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
import dev.warden.platform.apikey.ApiKeyManagement.CreatedApiKey;
import dev.warden.platform.crypto.SecretFiles;
import dev.warden.platform.system.WardenProperties;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;

/**
 * Default-install convenience (only with {@code warden.demo.enabled=true}, env
 * WARDEN_DEMO=true): on first start creates tenant {@code demo} (plan {@code free}) with
 * an API key {@code demo}, audited as actor {@code system}, and writes the raw key to
 * {@code <data dir>/demo-api-key} (mode 0600) so that later starts can show it again.
 *
 * <p>
 * The raw key is written to that file and nowhere else: never logged, never printed. The
 * process's output ends up in log files (the quickstart captures it into
 * {@code <data dir>/logs/}, a container runtime keeps it), which are read by more people
 * and tools than the key should be. The log names the key by its prefix only; the
 * quickstart launcher reads the file once the gateway is healthy and prints the
 * {@code Demo API key: …} line on the terminal.
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
			CreatedApiKey created = this.transactions.execute((status) -> {
				Tenant tenant = this.tenants.create(TENANT, "free", "system");
				return this.keys.create(tenant.id(), "demo", "system");
			});
			Files.deleteIfExists(this.keyFile);
			SecretFiles.createOwnerOnly(this.keyFile, created.rawKey() + "\n");
			log.info("Created demo tenant '{}' and its API key {}… (the raw key is in {}, mode 0600)", TENANT,
					created.key().prefix(), this.keyFile.toAbsolutePath());
		}
		else if (Files.exists(this.keyFile)) {
			log.info("Demo tenant '{}' exists; its raw API key is in {}", TENANT, this.keyFile.toAbsolutePath());
		}
	}

}
