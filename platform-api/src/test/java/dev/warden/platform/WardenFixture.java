package dev.warden.platform;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A started application with its own {@link TestIssuer} (its
 * {@code warden.security.issuer-uri}), optionally the stand-in worker it forwards to, a
 * second replica on the same database when a test asks for one, and the admin API calls
 * that tests repeat: the headers of an administrator, a new tenant, a new key. One per
 * test class that needs its own settings ({@link #start(Path, Map)} or
 * {@link #start(Path, HttpServer, Map)}, closed by the class), or the one shared by every
 * class that needs none ({@link SharedWardenExtension}).
 */
public final class WardenFixture implements AutoCloseable {

	private final Path dataDir;

	private final Map<String, Object> properties;

	private final TestIssuer issuer;

	private final WardenTestApp app;

	private final HttpServer worker;

	private WardenTestApp replica;

	private WardenFixture(Path dataDir, Map<String, Object> properties, TestIssuer issuer, WardenTestApp app,
			HttpServer worker) {
		this.dataDir = dataDir;
		this.properties = properties;
		this.issuer = issuer;
		this.app = app;
		this.worker = worker;
	}

	/**
	 * Starts a test issuer and the application on {@code dataDir} with these settings,
	 * trusting that issuer.
	 * @param properties settings for this test (they win over application.yml)
	 */
	public static WardenFixture start(Path dataDir, Map<String, Object> properties) throws Exception {
		return start(dataDir, properties, null);
	}

	/**
	 * Starts a test issuer and the application on {@code dataDir} with these settings and
	 * {@code worker} (a {@link FakeWorker}) as its {@code warden.worker.url}; the fixture
	 * stops the worker when it is closed, or when the start fails.
	 * @param properties settings for this test (they win over application.yml)
	 */
	public static WardenFixture start(Path dataDir, HttpServer worker, Map<String, Object> properties)
			throws Exception {
		try {
			Map<String, Object> all = new LinkedHashMap<>(properties);
			all.put("warden.worker.url", FakeWorker.url(worker));
			return start(dataDir, all, worker);
		}
		catch (Exception | Error ex) {
			FakeWorker.stop(worker);
			throw ex;
		}
	}

	private static WardenFixture start(Path dataDir, Map<String, Object> properties, HttpServer worker)
			throws Exception {
		TestIssuer issuer = new TestIssuer();
		try {
			Map<String, Object> all = new LinkedHashMap<>(properties);
			all.putIfAbsent("warden.security.issuer-uri", issuer.issuer());
			return new WardenFixture(dataDir, Map.copyOf(all), issuer, WardenTestApp.start(dataDir, all), worker);
		}
		catch (RuntimeException ex) {
			issuer.close();
			throw ex;
		}
	}

	public WardenTestApp app() {
		return this.app;
	}

	public TestIssuer issuer() {
		return this.issuer;
	}

	/**
	 * A second gateway replica with the same settings on the same database (same master
	 * key, its own port and caches), started on first use and closed with this fixture.
	 */
	public synchronized WardenTestApp replica() {
		if (this.replica == null) {
			this.replica = startReplica();
		}
		return this.replica;
	}

	/**
	 * Another replica like {@link #replica()}, which the caller closes (e.g. to see what
	 * it does on shutdown).
	 */
	public WardenTestApp startReplica() {
		Map<String, Object> replica = new LinkedHashMap<>(this.properties);
		replica.putAll(this.app.databaseProperties());
		return WardenTestApp.start(this.dataDir, replica);
	}

	/**
	 * Headers of an admin API call as {@code alice}, ADMIN, with a JSON body
	 * ({@link TestIssuer#admin()}).
	 */
	public String[] admin() {
		return this.issuer.admin();
	}

	/**
	 * Headers of an admin API call as {@code subject} with these roles
	 * ({@link TestIssuer#as}).
	 */
	public String[] as(String subject, String... roles) {
		return this.issuer.as(subject, roles);
	}

	/**
	 * The {@code Authorization} header value of an admin API token for {@code subject}
	 * with these roles ({@link TestIssuer#bearer}).
	 */
	public String bearer(String subject, String... roles) {
		return this.issuer.bearer(subject, roles);
	}

	/** Creates a tenant on the default plan through the admin API; returns its id. */
	public String tenant(String name) {
		return createTenant("{\"name\":\"" + name + "\"}");
	}

	/** Creates a tenant on {@code plan} through the admin API; returns its id. */
	public String tenant(String name, String plan) {
		return createTenant("{\"name\":\"" + name + "\",\"plan\":\"" + plan + "\"}");
	}

	private String createTenant(String body) {
		HttpResponse<String> created = Http.send("POST", this.app.url("/api/admin/tenants"), body, admin());
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return Json.field(created.body(), "id");
	}

	/**
	 * Creates a key named {@code k} for the tenant, without scopes, expiry or quota
	 * override.
	 */
	public CreatedKey key(String tenantId) {
		return key(tenantId, "{\"name\":\"k\"}");
	}

	/** Creates a key for the tenant through the admin API with this request body. */
	public CreatedKey key(String tenantId, String body) {
		HttpResponse<String> created = Http.send("POST", this.app.url("/api/admin/tenants/" + tenantId + "/keys"), body,
				admin());
		assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
		return new CreatedKey(Json.field(created.body(), "id"), Json.field(created.body(), "prefix"),
				Json.field(created.body(), "key"));
	}

	@Override
	public synchronized void close() throws Exception {
		try (TestIssuer closedLast = this.issuer; WardenTestApp app = this.app; WardenTestApp replica = this.replica) {
			// closed in reverse order: the replica, the application, then the issuer
		}
		finally {
			if (this.worker != null) {
				FakeWorker.stop(this.worker);
			}
		}
	}

	/**
	 * A key as the admin API answers its creation.
	 *
	 * @param id the key's id
	 * @param prefix its public prefix ({@code wdn_<lookup id>})
	 * @param key the raw key, shown only in this answer
	 */
	public record CreatedKey(String id, String prefix, String key) {
	}

}
