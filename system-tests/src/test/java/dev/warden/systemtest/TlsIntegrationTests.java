package dev.warden.systemtest;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.api.parallel.ResourceLock;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.warden.tls.LocalCertificateAuthority;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Encryption in transit end to end, against the real processes started with TLS
 * everywhere ({@link WardenClusterExtension.Tls}): a tenant over HTTPS, the worker's
 * mutual TLS, heartbeats over mutual TLS, the gateway's host-name check of the workers'
 * certificates, and the gateway's certificate rotated without a restart. The test JVM
 * trusts the cluster's CA (and the JDK's), nothing else.
 */
@Execution(ExecutionMode.CONCURRENT)
@ResourceLock(WardenCluster.TLS_CLUSTER)
@ExtendWith(WardenClusterExtension.Tls.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TlsIntegrationTests {

	private static final String HEARTBEAT = "/internal/platform/workers/heartbeat";

	WardenCluster cluster;

	/** The cluster's CA, read back from its files: issues the tests' own certificates. */
	LocalCertificateAuthority ca;

	String apiKey;

	String predictBody;

	@BeforeAll
	void tenantAndKeyOverHttps(WardenCluster cluster) throws Exception {
		this.cluster = cluster;
		this.ca = LocalCertificateAuthority.load(cluster.tlsDir.resolve("ca.pem"),
				cluster.tlsDir.resolve("ca-key.pem"));
		// the admin API over HTTPS, with a token of the console's authorization server
		// over HTTPS
		assertThat(cluster.gateway()).startsWith("https://");
		assertThat(cluster.console()).startsWith("https://");
		this.apiKey = cluster.newTenantKey("tls");
		this.predictBody = JsonMapper.shared()
			.writeValueAsString(Map.of("instances", EndToEndIntegrationTests.RECORDS.subList(0, 1)));
	}

	@Test
	void aTenantPredictsOverHttpsAndPlainHttpGetsNoPrediction() throws Exception {
		HttpResponse<String> answer = predict(newClient());

		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(answer.body()).contains("\"predictions\"", "probability");
		assertThat(answer.sslSession())
			.hasValueSatisfying((session) -> assertThat(session.getProtocol()).isIn("TLSv1.3", "TLSv1.2"));
		assertThat(answer.headers().firstValue("Strict-Transport-Security")).isPresent();

		// the same request in plain HTTP to the gateway's port: the port speaks TLS only
		String plain = "http://localhost:" + cluster.gatewayPort + "/v1/models/income:predict";
		try {
			HttpResponse<String> refused = newClient().send(HttpRequest.newBuilder(URI.create(plain))
				.timeout(Duration.ofSeconds(30))
				.header("Authorization", "Bearer " + apiKey)
				.header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString(predictBody))
				.build(), HttpResponse.BodyHandlers.ofString());
			assertThat(refused.statusCode()).isNotEqualTo(200);
			assertThat(refused.body()).doesNotContain("predictions");
		}
		catch (IOException closed) {
			// the server closed the connection: no prediction either
		}
	}

	@Test
	void theWorkerRefusesClientsWithoutAValidCertificateOfTheCaAndAnswersTheGateway() throws Exception {
		int port = cluster.workerPort;
		Instant now = Instant.now();
		var ofAnotherCa = LocalCertificateAuthority.create("another CA", Duration.ofDays(1))
			.issue("warden-gateway", List.of("localhost", "127.0.0.1"), Duration.ofHours(1));
		var expired = ca.issue("warden-gateway", List.of("localhost", "127.0.0.1"), now.minus(Duration.ofDays(3)),
				now.minus(Duration.ofDays(1)));
		var valid = ca.issue("warden-gateway", List.of("localhost", "127.0.0.1"), Duration.ofHours(1));

		// no certificate at all
		assertThatThrownBy(() -> statusLine(cluster.tlsContext(null), port)).isInstanceOf(IOException.class);
		// a certificate presented whatever the server asks for: what is refused is the
		// certificate, by the server
		for (var refused : List.of(ofAnotherCa, expired)) {
			var presented = new AtomicBoolean();
			assertThatThrownBy(() -> statusLine(presenting(refused, presented), port))
				.as(refused.certificate().getIssuerX500Principal() + " until " + refused.certificate().getNotAfter())
				.isInstanceOf(IOException.class);
			assertThat(presented).as("the client presented its certificate").isTrue();
		}
		// the same client with a valid certificate of the CA is answered
		var presented = new AtomicBoolean();
		assertThat(statusLine(presenting(valid, presented), port)).startsWith("HTTP/1.1 200");
		assertThat(presented).isTrue();
		// and so is a client with the gateway's certificate, read from its files
		assertThat(statusLine(cluster.tlsContext("gateway"), port)).startsWith("HTTP/1.1 200");
	}

	@Test
	void aHeartbeatWithoutAClientCertificateIsRefusedAndTheWorkerRegisteredOverMutualTlsServes() throws Exception {
		String body = heartbeat("uncertified-worker", "https://127.0.0.1:1", false);
		// the JVM's default context trusts the CA but has no certificate of its own
		var refused = Http.postJson(cluster.gateway() + HEARTBEAT, Http.bearer(WardenCluster.REGISTRATION_TOKEN), body);

		assertThat(refused.status()).as(refused.body()).isEqualTo(403);
		assertThat(refused.json().path("error").path("code").asString()).isEqualTo("client_certificate_required");
		assertThat(workers()).noneMatch((worker) -> worker.path("id").asString().equals("uncertified-worker"));

		// the second worker registered itself with its certificate, and advertises https
		JsonNode second = awaitWorker(WardenCluster.SECOND_WORKER_ID);
		assertThat(second.path("url").asString()).isEqualTo("https://127.0.0.1:" + cluster.secondWorkerPort);
		assertThat(second.path("source").asString()).isEqualTo("registered");
		// and answers predictions the gateway sends it over mutual TLS (the gateway
		// counts its answers per worker)
		Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
		while (workerCalls(WardenCluster.SECOND_WORKER_ID, "2xx") == 0 && Instant.now().isBefore(deadline)) {
			var answer = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey),
					predictBody);
			assertThat(answer.status()).as(answer.body()).isEqualTo(200);
		}
		assertThat(workerCalls(WardenCluster.SECOND_WORKER_ID, "2xx")).isPositive();
	}

	/**
	 * A worker whose certificate, though issued by the right CA, names only
	 * {@code elsewhere.example} registers as {@code https://127.0.0.1:PORT}. The cheapest
	 * robust stand-in for such a worker is not a third worker process (a JVM with
	 * TensorFlow, tens of seconds and half a gigabyte) but a TLS server in this JVM that
	 * presents that certificate, registered with a heartbeat this test sends over mutual
	 * TLS with the same certificate, claiming to serve {@code income}. What is tested is
	 * the gateway's side only: the gateway picks it at random among the workers, and this
	 * server counts the connections the gateway opens to it and the requests that arrive
	 * after a handshake. Every request must be answered by the real workers (200, never
	 * this server's marked answer); the gateway must have tried (connections above zero)
	 * and never sent a request (it gave up in the handshake); its per-worker counters
	 * show no answer from it, and its log names the host-name failure.
	 */
	@Test
	void theGatewayRefusesAWorkerWhoseCertificateDoesNotNameTheHostOfItsUrl() throws Exception {
		var elsewhere = ca.issue("warden-worker", List.of("elsewhere.example"), Duration.ofHours(1));
		var connections = new AtomicInteger();
		var requests = new AtomicInteger();
		try (var server = (SSLServerSocket) presenting(elsewhere, new AtomicBoolean()).getServerSocketFactory()
			.createServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
			Thread acceptor = new Thread(() -> serveMarkedAnswers(server, connections, requests), "elsewhere-worker");
			acceptor.setDaemon(true);
			acceptor.start();
			String id = "elsewhere-worker";
			String url = "https://127.0.0.1:" + server.getLocalPort();
			HttpClient mutual = HttpClient.newBuilder()
				.sslContext(presenting(elsewhere, new AtomicBoolean()))
				.connectTimeout(Duration.ofSeconds(5))
				.build();
			try {
				var registered = sendHeartbeat(mutual, heartbeat(id, url, false));
				assertThat(registered.statusCode()).as(registered.body()).isEqualTo(200);
				assertThat(awaitWorker(id).path("url").asString()).isEqualTo(url);

				Instant deadline = Instant.now().plus(Duration.ofMinutes(2));
				int sent = 0;
				while ((connections.get() == 0 || sent < 20) && Instant.now().isBefore(deadline)) {
					var answer = Http.postJson(cluster.gateway() + "/v1/models/income:predict", Http.bearer(apiKey),
							predictBody);
					assertThat(answer.status()).as(answer.body()).isEqualTo(200);
					assertThat(answer.body()).doesNotContain("elsewhere");
					sent++;
				}
				assertThat(connections.get()).as("connections the gateway opened to the worker").isPositive();
				assertThat(requests.get()).as("requests that got through the handshake").isZero();
				assertThat(workerCalls(id, "2xx")).isZero();
				assertThat(workerCalls(id, "unreachable")).isPositive();
				assertThat(Files.readAllLines(cluster.log("platform-api"), StandardCharsets.UTF_8))
					.anySatisfy((line) -> assertThat(line).contains("TLS handshake with worker " + id, url)
						.containsIgnoringCase("subject alternative name"));
			}
			finally {
				sendHeartbeat(mutual, heartbeat(id, url, true));
			}
		}
	}

	@Test
	void aRotatedGatewayCertificateIsServedOnNewConnectionsWithoutARestart() throws Exception {
		long pid = cluster.gatewayProcess().pid();
		BigInteger before = gatewaySerial();
		var renewed = ca.issue("warden-gateway", List.of("localhost", "127.0.0.1", "::1"), Duration.ofDays(2));
		assertThat(renewed.certificate().getSerialNumber()).isNotEqualTo(before);

		renewed.write(cluster.tlsDir.resolve("gateway.pem"), cluster.tlsDir.resolve("gateway-key.pem"));

		BigInteger seen = before;
		Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
		while (!seen.equals(renewed.certificate().getSerialNumber()) && Instant.now().isBefore(deadline)) {
			Thread.sleep(200);
			seen = gatewaySerial();
		}
		assertThat(seen).isEqualTo(renewed.certificate().getSerialNumber());
		// a prediction on a new connection: the new certificate, the same process
		HttpResponse<String> answer = predict(newClient());
		assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
		assertThat(((X509Certificate) answer.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber())
			.isEqualTo(renewed.certificate().getSerialNumber());
		assertThat(cluster.gatewayProcess().isAlive()).isTrue();
		assertThat(cluster.gatewayProcess().pid()).isEqualTo(pid);
	}

	/**
	 * A new client (a new connection, a new handshake) with the JVM's default context.
	 */
	private static HttpClient newClient() {
		return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
	}

	private HttpResponse<String> predict(HttpClient client) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create(cluster.gateway() + "/v1/models/income:predict"))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + apiKey)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(predictBody))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The serial number of the certificate the gateway presents to a new handshake. */
	private BigInteger gatewaySerial() throws Exception {
		try (var socket = (SSLSocket) SSLContext.getDefault()
			.getSocketFactory()
			.createSocket("localhost", cluster.gatewayPort)) {
			socket.setSoTimeout(10_000);
			socket.startHandshake();
			return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
		}
	}

	/**
	 * Sends {@code GET /v1/models/income} over a new TLS connection with {@code context}
	 * and returns the answer's status line.
	 * @throws IOException when the handshake or the connection is refused
	 */
	private static String statusLine(SSLContext context, int port) throws IOException {
		try (var socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			socket.startHandshake();
			// TLS 1.3: the server's verdict on the client's certificate arrives after the
			// client's side of the handshake, with the first read
			socket.getOutputStream()
				.write("GET /v1/models/income HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
					.getBytes(StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			byte[] head = socket.getInputStream().readNBytes(64);
			String text = new String(head, StandardCharsets.US_ASCII);
			if (text.isEmpty()) {
				throw new IOException("connection closed without an answer");
			}
			return text.lines().findFirst().orElse("");
		}
	}

	/**
	 * A context that trusts the cluster's CA and presents {@code certificate} whatever
	 * the server asks for (whichever CAs it names, however old the certificate), and
	 * records that it did.
	 */
	private SSLContext presenting(LocalCertificateAuthority.Issued certificate, AtomicBoolean presented)
			throws Exception {
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("ca", ca.certificate());
		TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
		trustManagers.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(new javax.net.ssl.KeyManager[] { new AlwaysPresenting(certificate, presented) },
				trustManagers.getTrustManagers(), null);
		return context;
	}

	/** Answers every request that gets through the handshake with a marked 200. */
	private static void serveMarkedAnswers(SSLServerSocket server, AtomicInteger connections, AtomicInteger requests) {
		while (!server.isClosed()) {
			try (Socket socket = server.accept()) {
				connections.incrementAndGet();
				socket.setSoTimeout(10_000);
				try {
					((SSLSocket) socket).startHandshake();
					if (socket.getInputStream().read() < 0) {
						continue;
					}
					requests.incrementAndGet();
					String body = "{\"predictions\":[{\"answered_by\":\"elsewhere\"}]}";
					socket.getOutputStream()
						.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " + body.length()
								+ "\r\nConnection: close\r\n\r\n" + body)
							.getBytes(StandardCharsets.US_ASCII));
				}
				catch (IOException handshakeRefused) {
					// the gateway gave up in the handshake
				}
			}
			catch (IOException closed) {
				return;
			}
		}
	}

	private String heartbeat(String id, String url, boolean stopping) {
		String version = cluster.modelVersionDir.getFileName().toString();
		return stopping ? "{\"id\":\"" + id + "\",\"stopping\":true}"
				: "{\"id\":\"" + id + "\",\"url\":\"" + url + "\",\"interval_ms\":300000,\"models\":{\"income\":"
						+ "{\"versions\":[" + version + "],\"labels\":{}}}}";
	}

	private HttpResponse<String> sendHeartbeat(HttpClient client, String body) throws Exception {
		return client.send(HttpRequest.newBuilder(URI.create(cluster.gateway() + HEARTBEAT))
			.timeout(Duration.ofSeconds(30))
			.header("Authorization", "Bearer " + WardenCluster.REGISTRATION_TOKEN)
			.header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(body))
			.build(), HttpResponse.BodyHandlers.ofString());
	}

	/** The gateway's worker listing (admin API). */
	private List<JsonNode> workers() throws Exception {
		var listed = Http.get(cluster.gateway() + "/api/admin/workers?size=100", Http.bearer(cluster.adminToken()));
		assertThat(listed.status()).as(listed.body()).isEqualTo(200);
		return listed.json().path("content").valueStream().toList();
	}

	private JsonNode awaitWorker(String id) throws Exception {
		Instant deadline = Instant.now().plus(Duration.ofMinutes(1));
		while (true) {
			for (JsonNode worker : workers()) {
				if (worker.path("id").asString().equals(id) && worker.path("healthy").asBoolean()) {
					return worker;
				}
			}
			if (Instant.now().isAfter(deadline)) {
				throw new AssertionError("worker " + id + " is not listed as healthy by the gateway: " + workers());
			}
			Thread.sleep(250);
		}
	}

	/**
	 * The gateway's count of calls to worker {@code id} with {@code outcome} (2xx,
	 * unreachable, ...), from its Prometheus scrape.
	 */
	private double workerCalls(String id, String outcome) throws Exception {
		var scrape = Http.get(cluster.gateway() + "/actuator/prometheus", Http.bearer(WardenCluster.METRICS_TOKEN));
		assertThat(scrape.status()).as(scrape.body()).isEqualTo(200);
		return scrape.body()
			.lines()
			.filter((line) -> line.startsWith("warden_gateway_worker_calls_total{"))
			.filter((line) -> line.contains("worker=\"" + id + "\"") && line.contains("outcome=\"" + outcome + "\""))
			.mapToDouble((line) -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
			.sum();
	}

	/**
	 * Presents one certificate to any server (or client) that asks, whichever CAs it
	 * names: the test decides what is presented, the peer decides whether it is good
	 * enough.
	 */
	private static final class AlwaysPresenting extends X509ExtendedKeyManager {

		private static final String ALIAS = "presented";

		private final LocalCertificateAuthority.Issued certificate;

		private final AtomicBoolean presented;

		AlwaysPresenting(LocalCertificateAuthority.Issued certificate, AtomicBoolean presented) {
			this.certificate = certificate;
			this.presented = presented;
		}

		private String alias(String... keyTypes) {
			// only the key type must fit (an EC certificate cannot answer an RSA request)
			return Arrays.asList(keyTypes).contains(this.certificate.key().getAlgorithm()) ? ALIAS : null;
		}

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			return (alias(keyType) != null) ? new String[] { ALIAS } : null;
		}

		@Override
		public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
			return alias(keyTypes);
		}

		@Override
		public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
			return alias(keyTypes);
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return (alias(keyType) != null) ? new String[] { ALIAS } : null;
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return alias(keyType);
		}

		@Override
		public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
			return alias(keyType);
		}

		@Override
		public X509Certificate[] getCertificateChain(String alias) {
			this.presented.set(true);
			return new X509Certificate[] { this.certificate.certificate() };
		}

		@Override
		public PrivateKey getPrivateKey(String alias) {
			return this.certificate.key();
		}

	}

}
