package dev.warden.platform.worker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

import dev.warden.platform.system.MetricsProperties;
import dev.warden.platform.worker.internal.WorkerPool;
import dev.warden.tls.LocalCertificateAuthority;
import dev.warden.tls.ReloadingClientContext;
import dev.warden.tls.TlsSettings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The gateway's worker client against a worker that requires a client certificate (a real
 * TLS server, {@code needClientAuth}): it presents the gateway's certificate, keeps its
 * connections (one handshake for many requests, not one per request), verifies the
 * worker's host name, and gets nowhere without a certificate.
 */
class WorkerClientMutualTlsTests {

	@TempDir
	static Path dir;

	static HttpsServer worker;

	/** TLS connections the worker accepted (one configuration per connection). */
	static final AtomicInteger connections = new AtomicInteger();

	@BeforeAll
	static void startWorker() throws Exception {
		var ca = LocalCertificateAuthority.create("test CA", Duration.ofDays(1));
		ca.write(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
		ca.issue("worker", List.of("localhost"), Duration.ofDays(1))
			.write(dir.resolve("worker.pem"), dir.resolve("worker-key.pem"));
		ca.issue("gateway", List.of("localhost"), Duration.ofDays(1))
			.write(dir.resolve("gateway.pem"), dir.resolve("gateway-key.pem"));
		worker = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
		worker.setHttpsConfigurator(new HttpsConfigurator(serverContext()) {
			@Override
			public void configure(HttpsParameters params) {
				connections.incrementAndGet();
				SSLParameters parameters = getSSLContext().getDefaultSSLParameters();
				parameters.setNeedClientAuth(true);
				params.setSSLParameters(parameters);
			}
		});
		worker.createContext("/", (exchange) -> {
			byte[] body = "{\"models\":[]}".getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			exchange.getResponseBody().write(body);
			exchange.close();
		});
		worker.start();
	}

	@AfterAll
	static void stopWorker() {
		worker.stop(0);
	}

	@Test
	void presentsTheGatewaysCertificateAndKeepsItsConnection() throws IOException {
		WorkerClient client = client("https://localhost:" + worker.getAddress().getPort(),
				settings("gateway.pem", "gateway-key.pem"));
		try {
			int before = connections.get();
			for (int i = 0; i < 50; i++) {
				assertThat(client.exchange("GET", "/v1/models", null, null, "r" + i).status()).isEqualTo(200);
			}
			// one connection, reused: not a handshake per request
			assertThat(connections.get() - before).isLessThanOrEqualTo(2);
		}
		finally {
			client.destroy();
		}
	}

	@Test
	void withoutACertificateTheWorkerIsNotReached() throws IOException {
		WorkerClient client = client("https://localhost:" + worker.getAddress().getPort(), settings(null, null));
		try {
			assertThatThrownBy(() -> client.exchange("GET", "/v1/models", null, null, "r"))
				.isInstanceOf(WorkerClient.WorkerUnavailableException.class);
		}
		finally {
			client.destroy();
		}
	}

	@Test
	void aWorkerWhoseCertificateDoesNotNameTheHostIsRefused() throws IOException {
		// the worker's certificate names localhost only
		WorkerClient client = client("https://127.0.0.1:" + worker.getAddress().getPort(),
				settings("gateway.pem", "gateway-key.pem"));
		try {
			int before = connections.get();
			assertThatThrownBy(() -> client.exchange("GET", "/v1/models", null, null, "r"))
				.isInstanceOf(WorkerClient.WorkerUnavailableException.class);
			assertThat(connections.get()).isGreaterThan(before);
		}
		finally {
			client.destroy();
		}
	}

	private static WorkerClient client(String url, TlsSettings tls) {
		WorkerProperties properties = new WorkerProperties(url, null, 4, Duration.ofSeconds(2), Duration.ofSeconds(5),
				null, Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), null);
		WorkerPool pool = new WorkerPool(properties);
		pool.workers().get(0).polled(true);
		return new WorkerClient(properties, pool, new SimpleMeterRegistry(), new MetricsProperties("", 10),
				ReloadingClientContext.of(tls).sslContext(), null);
	}

	private static TlsSettings settings(String certificate, String key) {
		return new TlsSettings((certificate != null) ? dir.resolve(certificate) : null,
				(key != null) ? dir.resolve(key) : null, null, null, null, dir.resolve("ca.pem"), null, null,
				TlsSettings.DEFAULT_PROTOCOLS, TlsSettings.DEFAULT_CIPHERS);
	}

	/** The worker's key; the CA as the only issuer of clients it trusts. */
	private static SSLContext serverContext() {
		return SslBundle
			.of(new PemSslStoreBundle(
					PemSslStoreDetails.forCertificate(dir.resolve("worker.pem").toString())
						.withPrivateKey(dir.resolve("worker-key.pem").toString()),
					PemSslStoreDetails.forCertificates(dir.resolve("ca.pem").toString())))
			.createSslContext();
	}

}
