package dev.warden.worker.registration;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Posts a heartbeat to the platform every {@code warden.registration.interval}:
 * {@code POST <platform-url>/internal/platform/workers/heartbeat} with the worker's id,
 * advertised URL, interval, the generation of the desired state it follows and what it
 * serves ({@link WorkerStatus}), authenticated by the shared token. The platform routes
 * to the worker while heartbeats arrive and forgets it after three missed ones. Its
 * answer carries the platform's desired state (which versions to load), applied by
 * {@link DesiredStates}. When the worker shuts down it first sends
 * {@code "stopping": true}, before the web server stops taking requests, so the gateways
 * stop sending new ones.
 *
 * <p>
 * Started after the web server (the port is known then); a failed heartbeat is logged
 * once and retried at the next interval. Off when no platform URL is set; refuses to
 * start sending when no token is set.
 */
@Component
class PlatformRegistration implements SmartLifecycle {

	private static final Logger log = LoggerFactory.getLogger(PlatformRegistration.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RegistrationProperties properties;

	private final WorkerStatus status;

	private final DesiredStates desiredStates;

	private final Environment environment;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

	private volatile ScheduledExecutorService scheduler;

	private volatile boolean failing;

	private volatile String workerId;

	private volatile String advertisedUrl;

	PlatformRegistration(RegistrationProperties properties, WorkerStatus status, DesiredStates desiredStates,
			Environment environment) {
		this.properties = properties;
		this.status = status;
		this.desiredStates = desiredStates;
		this.environment = environment;
	}

	String workerId() {
		if (this.workerId == null) {
			this.workerId = resolveWorkerId();
		}
		return this.workerId;
	}

	@Override
	public void start() {
		if (!this.properties.enabled()) {
			return;
		}
		if (this.properties.token() == null || this.properties.token().isBlank()) {
			log.warn("warden.registration.platform-url is set but no registration token (WARDEN_REGISTRATION_TOKEN): "
					+ "this worker does not register itself");
			return;
		}
		this.advertisedUrl = resolveAdvertisedUrl();
		log.info("Registering with {} as {} at {} every {}", this.properties.platformUrl(), workerId(),
				this.advertisedUrl, this.properties.interval());
		this.scheduler = Executors.newSingleThreadScheduledExecutor((runnable) -> {
			Thread thread = new Thread(runnable, "platform-registration");
			thread.setDaemon(true);
			return thread;
		});
		this.scheduler.scheduleWithFixedDelay(() -> send(false), 0, this.properties.interval().toMillis(),
				TimeUnit.MILLISECONDS);
	}

	@Override
	public void stop() {
		ScheduledExecutorService running = this.scheduler;
		if (running == null) {
			return;
		}
		running.shutdownNow();
		try {
			running.awaitTermination(2, TimeUnit.SECONDS);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		send(true);
		this.scheduler = null;
	}

	@Override
	public boolean isRunning() {
		return this.scheduler != null;
	}

	/** Stops (deregisters) before the web server's graceful shutdown starts. */
	@Override
	public int getPhase() {
		return SmartLifecycle.DEFAULT_PHASE;
	}

	void send(boolean stopping) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("id", workerId());
		body.put("url", this.advertisedUrl);
		body.put("interval_ms", this.properties.interval().toMillis());
		if (stopping) {
			body.put("stopping", true);
		}
		else {
			body.put("desired_generation", this.status.desiredGeneration());
			body.put("models", this.status.models());
		}
		String platform = this.properties.platformUrl().endsWith("/")
				? this.properties.platformUrl().substring(0, this.properties.platformUrl().length() - 1)
				: this.properties.platformUrl();
		HttpRequest request = HttpRequest.newBuilder(URI.create(platform + "/internal/platform/workers/heartbeat"))
			.timeout(Duration.ofSeconds(5))
			.header("Content-Type", "application/json")
			.header("Authorization", "Bearer " + this.properties.token())
			.POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
			.build();
		try {
			HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				warnOnce("the platform refused the heartbeat (HTTP " + response.statusCode() + "): " + response.body());
			}
			else {
				if (this.failing) {
					this.failing = false;
					log.info("Registered with the platform again");
				}
				if (!stopping) {
					applyDesiredState(response.body());
				}
			}
		}
		catch (IOException ex) {
			warnOnce("the platform is not reachable: " + ex.getMessage());
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
		}
		catch (RuntimeException ex) {
			warnOnce("heartbeat failed: " + ex.getMessage());
		}
	}

	/**
	 * The heartbeat's answer carries the platform's desired state ({@code "desired"}):
	 * which versions of which model this worker must load. A malformed one is logged and
	 * ignored (the worker keeps the state it has).
	 */
	private void applyDesiredState(String answer) {
		JsonNode desired;
		try {
			desired = JSON.readTree(answer).get("desired");
		}
		catch (RuntimeException ex) {
			log.warn("Worker registration: the platform's answer is not JSON; desired state not updated");
			return;
		}
		if (desired == null || desired.isNull()) {
			return;
		}
		try {
			this.desiredStates.apply(DesiredStates.parse(desired));
		}
		catch (IllegalArgumentException ex) {
			log.warn("Worker registration: the platform's desired state is not valid ({}); keeping generation {}",
					ex.getMessage(), this.desiredStates.generation());
		}
	}

	private void warnOnce(String message) {
		if (!this.failing) {
			this.failing = true;
			log.warn("Worker registration: {}; retrying every {}", message, this.properties.interval());
		}
	}

	private String resolveAdvertisedUrl() {
		if (this.properties.advertisedUrl() != null && !this.properties.advertisedUrl().isBlank()) {
			return this.properties.advertisedUrl();
		}
		String address = this.environment.getProperty("server.address", "127.0.0.1");
		if (address.isBlank() || "0.0.0.0".equals(address) || "::".equals(address)) {
			address = "127.0.0.1";
		}
		if (address.contains(":") && !address.startsWith("[")) {
			address = "[" + address + "]";
		}
		// https when this worker serves TLS (warden.tls.*); the gateway then checks the
		// host
		// name against the worker's certificate, so advertise a name it holds
		return this.environment.getProperty("warden.tls.scheme", "http") + "://" + address + ":" + port();
	}

	private String resolveWorkerId() {
		if (this.properties.workerId() != null && !this.properties.workerId().isBlank()) {
			return this.properties.workerId();
		}
		String host;
		try {
			host = InetAddress.getLocalHost().getHostName();
		}
		catch (UnknownHostException ex) {
			host = "worker";
		}
		String id = (host + "-" + port()).replaceAll("[^A-Za-z0-9._-]", "-");
		return (id.length() > 64) ? id.substring(id.length() - 64) : id;
	}

	private String port() {
		return this.environment.getProperty("local.server.port", this.environment.getProperty("server.port", "8081"));
	}

}
