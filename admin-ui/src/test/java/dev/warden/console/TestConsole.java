package dev.warden.console;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The console started for a test class as in production: on a fixed free port, so that
 * its origin (the embedded issuer and the public URL) is known before start-up, with the
 * embedded authorization server and a {@link StubPlatformApi} in place of platform-api.
 * Start it in {@code @BeforeAll}, close it in {@code @AfterAll}.
 */
public final class TestConsole implements AutoCloseable {

	private final URI origin;

	private final StubPlatformApi platformApi;

	private final ConfigurableApplicationContext context;

	private final boolean ownsPlatformApi;

	private TestConsole(URI origin, StubPlatformApi platformApi, ConfigurableApplicationContext context,
			boolean ownsPlatformApi) {
		this.origin = origin;
		this.platformApi = platformApi;
		this.context = context;
		this.ownsPlatformApi = ownsPlatformApi;
	}

	/**
	 * Starts a console.
	 * @param properties settings on top of application.yml (they win, as command-line
	 * arguments do)
	 */
	public static TestConsole start(Map<String, ?> properties) {
		StubPlatformApi platformApi = new StubPlatformApi();
		try {
			return start(properties, platformApi, freePort(), true);
		}
		catch (RuntimeException ex) {
			platformApi.close();
			throw ex;
		}
	}

	/**
	 * Starts a console on the given port against a stand-in that outlives it (as replicas
	 * share one platform-api; closing the console leaves the stand-in running).
	 * @param properties settings on top of application.yml
	 */
	public static TestConsole start(Map<String, ?> properties, StubPlatformApi platformApi, int port) {
		return start(properties, platformApi, port, false);
	}

	private static TestConsole start(Map<String, ?> properties, StubPlatformApi platformApi, int port,
			boolean ownsPlatformApi) {
		URI origin = URI.create("http://localhost:" + port);
		Map<String, Object> all = new LinkedHashMap<>();
		all.put("server.port", port);
		all.put("WARDEN_CONSOLE_ISSUER", origin);
		all.put("WARDEN_GATEWAY_URL", platformApi.url());
		all.put("spring.main.banner-mode", "off");
		all.putAll(properties);
		String[] args = all.entrySet()
			.stream()
			.map((e) -> "--" + e.getKey() + "=" + e.getValue())
			.toArray(String[]::new);
		return new TestConsole(origin, platformApi, new SpringApplicationBuilder(ConsoleApplication.class).run(args),
				ownsPlatformApi);
	}

	/** A port nothing listens on right now. */
	public static int freePort() {
		try (ServerSocket socket = new ServerSocket(0)) {
			return socket.getLocalPort();
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * The console's origin, {@code http://localhost:<port>}: its public URL and the
	 * embedded issuer.
	 */
	public URI origin() {
		return this.origin;
	}

	public URI url(String pathAndQuery) {
		return URI.create(this.origin + pathAndQuery);
	}

	public StubPlatformApi platformApi() {
		return this.platformApi;
	}

	public <T> T bean(Class<T> type) {
		return this.context.getBean(type);
	}

	@Override
	public void close() {
		this.context.close();
		if (this.ownsPlatformApi) {
			this.platformApi.close();
		}
	}

}
