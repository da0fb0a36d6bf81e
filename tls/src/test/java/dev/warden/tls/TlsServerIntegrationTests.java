package dev.warden.tls;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A real web server started with {@code warden.tls.*} (HTTPS, mutual TLS with
 * {@code client-auth=need}, a plain port that redirects), reached by real TLS clients:
 * who gets through the handshake and who does not, protocol versions, host-name
 * verification of the outgoing context, and certificate rotation on both sides without a
 * restart.
 */
class TlsServerIntegrationTests {

	@TempDir
	static Path dir;

	static LocalCertificateAuthority ca;

	static ConfigurableApplicationContext app;

	static int port;

	static int httpPort;

	@BeforeAll
	static void start() throws IOException {
		ca = LocalCertificateAuthority.create("test CA", Duration.ofDays(30));
		ca.write(dir.resolve("ca.pem"), dir.resolve("ca-key.pem"));
		ca.issue("server", List.of("localhost", "127.0.0.1"), Duration.ofDays(1))
			.write(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
		ca.issue("client", List.of("localhost"), Duration.ofDays(1))
			.write(dir.resolve("client.pem"), dir.resolve("client-key.pem"));
		port = freePort();
		httpPort = freePort();
		app = new SpringApplication(EchoApplication.class).run("--server.port=" + port, "--server.address=127.0.0.1",
				"--warden.tls.certificate=" + dir.resolve("server.pem"),
				"--warden.tls.private-key=" + dir.resolve("server-key.pem"), "--warden.tls.ca=" + dir.resolve("ca.pem"),
				"--warden.tls.client-auth=need", "--warden.tls.http-port=" + httpPort,
				"--warden.tls.reload-interval=200ms", "--spring.main.banner-mode=off");
	}

	@AfterAll
	static void stop() {
		if (app != null) {
			app.close();
		}
	}

	@Test
	void aClientWithACertificateOfTheCaIsServedOverTls13Or12() throws Exception {
		ReloadingClientContext client = ReloadingClientContext.of(settings("client.pem", "client-key.pem"));
		var answer = get(client.sslContext(), "https://localhost:" + port + "/echo");
		assertThat(answer.statusCode()).isEqualTo(200);
		assertThat(answer.body()).contains("client=CN=client").contains("secure=true");
		assertThat(answer.sslSession().orElseThrow().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
	}

	@Test
	void theKeyFileWrittenByTheAuthorityIsReadableByItsOwnerOnly() throws IOException {
		assertThat(Files.getPosixFilePermissions(dir.resolve("client-key.pem")))
			.containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
		assertThat(Files.readString(dir.resolve("client-key.pem"))).startsWith("-----BEGIN PRIVATE KEY-----");
	}

	@Test
	void aClientWithoutACertificateIsRefusedInTheHandshake() {
		ReloadingClientContext client = ReloadingClientContext.of(settings(null, null));
		assertThatThrownBy(() -> get(client.sslContext(), "https://localhost:" + port + "/echo"))
			.isInstanceOf(IOException.class);
	}

	@Test
	void aCertificateOfAnotherCaIsRefusedByTheServer() throws Exception {
		var other = LocalCertificateAuthority.create("another CA", Duration.ofDays(30));
		var stranger = other.issue("client", List.of("localhost"), Duration.ofDays(1));
		assertThatThrownBy(() -> handshakePresenting(stranger)).isInstanceOf(SSLHandshakeException.class);
	}

	@Test
	void anExpiredCertificateOfTheCaIsRefusedByTheServer() throws Exception {
		Instant now = Instant.now();
		var expired = ca.issue("client", List.of("localhost"), now.minus(Duration.ofDays(10)),
				now.minus(Duration.ofDays(1)));
		assertThatThrownBy(() -> handshakePresenting(expired)).isInstanceOf(SSLHandshakeException.class);
		// the same handshake with a valid certificate of the CA goes through
		var valid = ca.issue("client", List.of("localhost"), Duration.ofHours(1));
		handshakePresenting(valid);
	}

	@Test
	void tls11IsNotOffered() throws Exception {
		SSLContext context = presenting(ca.issue("client", List.of("localhost"), Duration.ofHours(1)));
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.setEnabledProtocols(new String[] { "TLSv1.1" });
			assertThatThrownBy(socket::startHandshake).isInstanceOf(IOException.class);
		}
	}

	@Test
	void theOutgoingContextVerifiesTheServersHostName() throws Exception {
		// a server of the same CA whose certificate names another host
		var elsewhere = ca.issue("elsewhere", List.of("elsewhere.example"), Duration.ofHours(1));
		try (SSLServerSocket server = (SSLServerSocket) presenting(elsewhere).getServerSocketFactory()
			.createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			Thread acceptor = new Thread(() -> {
				try (Socket socket = server.accept()) {
					((SSLSocket) socket).startHandshake();
				}
				catch (IOException expected) {
					// the client gives up in the handshake
				}
			});
			acceptor.start();
			ReloadingClientContext client = ReloadingClientContext.of(settings("client.pem", "client-key.pem"));
			// the reason reported is the host name (the certificate is of Warden's CA),
			// not the JDK's CAs not knowing it
			assertThatThrownBy(() -> get(client.sslContext(), "https://localhost:" + server.getLocalPort() + "/"))
				.isInstanceOf(SSLHandshakeException.class)
				.hasMessageContaining("localhost")
				.hasMessageNotContaining("PKIX path building failed");
			acceptor.join(10_000);
		}
	}

	@Test
	void thePlainPortOnlyRedirectsToHttps() throws Exception {
		var answer = HttpClient.newHttpClient()
			.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/echo?x=1")).build(),
					HttpResponse.BodyHandlers.ofString());
		assertThat(answer.statusCode()).isBetween(301, 308);
		assertThat(answer.headers().firstValue("Location")).hasValueSatisfying(
				(location) -> assertThat(location).startsWith("https://").contains(":" + port + "/echo"));
		assertThat(answer.body()).doesNotContain("client=");
	}

	@Test
	void aRotatedServerCertificateIsUsedByNewConnectionsWithoutARestart() throws Exception {
		ReloadingClientContext client = ReloadingClientContext.of(settings("client.pem", "client-key.pem"));
		X509Certificate before = serverCertificate(client.sslContext());
		var renewed = ca.issue("server", List.of("localhost", "127.0.0.1"), Duration.ofDays(2));
		renewed.write(dir.resolve("server.pem"), dir.resolve("server-key.pem"));
		X509Certificate after = before;
		Instant deadline = Instant.now().plusSeconds(30);
		while (after.getSerialNumber().equals(before.getSerialNumber()) && Instant.now().isBefore(deadline)) {
			Thread.sleep(100);
			after = serverCertificate(client.sslContext());
		}
		assertThat(after.getSerialNumber()).isEqualTo(renewed.certificate().getSerialNumber());
	}

	@Test
	void aRotatedClientCertificateIsPresentedOnNewConnections() throws Exception {
		Path cert = dir.resolve("rotating.pem");
		Path key = dir.resolve("rotating-key.pem");
		ca.issue("first", List.of("localhost"), Duration.ofHours(1)).write(cert, key);
		ReloadingClientContext client = ReloadingClientContext.of(new TlsSettings(cert, key, null, null, null,
				dir.resolve("ca.pem"), null, null, TlsSettings.DEFAULT_PROTOCOLS, TlsSettings.DEFAULT_CIPHERS));
		assertThat(get(client.sslContext(), "https://localhost:" + port + "/echo").body()).contains("CN=first");
		// connections made while the files change, so that TLS sessions (and their
		// tickets)
		// made with the first certificate are cached when the reload happens
		var second = ca.issue("second", List.of("localhost"), Duration.ofHours(1));
		second.write(cert, key);
		Instant deadline = Instant.now().plusSeconds(30);
		while (!client.certificate().getSerialNumber().equals(second.certificate().getSerialNumber())
				&& Instant.now().isBefore(deadline)) {
			get(client.sslContext(), "https://localhost:" + port + "/echo");
			Thread.sleep(50);
		}
		assertThat(client.certificate().getSerialNumber()).isEqualTo(second.certificate().getSerialNumber());
		// the first connection after the reload presents the new certificate: no session
		// of
		// the old one is resumed
		assertThat(get(client.sslContext(), "https://localhost:" + port + "/echo").body()).contains("CN=second");
	}

	@Test
	void settingsThatContradictEachOtherStopTheStartWithAClearMessage() {
		var environment = new MockEnvironment().withProperty("warden.tls.certificate",
				dir.resolve("server.pem").toString());
		assertThatThrownBy(() -> TlsSettings.from(environment)).hasMessageContaining("WARDEN_TLS_KEY");
		var missing = new MockEnvironment().withProperty("warden.tls.ca", dir.resolve("nothing.pem").toString());
		assertThatThrownBy(() -> TlsSettings.from(missing)).hasMessageContaining("cannot read")
			.hasMessageContaining("nothing.pem");
		var badAuth = new MockEnvironment().withProperty("warden.tls.client-auth", "sometimes");
		assertThatThrownBy(() -> TlsSettings.from(badAuth)).hasMessageContaining("none, want or need");
	}

	@Test
	void aKeyThatDoesNotBelongToTheCertificateIsRefused() {
		var environment = new MockEnvironment()
			.withProperty("warden.tls.certificate", dir.resolve("client.pem").toString())
			.withProperty("warden.tls.private-key", dir.resolve("ca-key.pem").toString());
		assertThatThrownBy(() -> TlsMaterial.load(TlsSettings.from(environment)))
			.hasMessageContaining("does not belong to the certificate");
	}

	private static TlsSettings settings(String certificate, String key) {
		return new TlsSettings((certificate != null) ? dir.resolve(certificate) : null,
				(key != null) ? dir.resolve(key) : null, null, null, null, dir.resolve("ca.pem"), null, null,
				TlsSettings.DEFAULT_PROTOCOLS, TlsSettings.DEFAULT_CIPHERS);
	}

	private static HttpResponse<String> get(SSLContext context, String url) throws Exception {
		// a new client each time: a new connection, a new handshake
		HttpClient client = HttpClient.newBuilder().sslContext(context).connectTimeout(Duration.ofSeconds(5)).build();
		return client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
				HttpResponse.BodyHandlers.ofString());
	}

	/** A context that presents {@code certificate} whatever the server asks for. */
	private static SSLContext presenting(LocalCertificateAuthority.Issued certificate) throws Exception {
		KeyStore keys = KeyStore.getInstance("PKCS12");
		keys.load(null, null);
		keys.setKeyEntry("client", certificate.key(), new char[0], new X509Certificate[] { certificate.certificate() });
		KeyManagerFactory keyManagers = KeyManagerFactory.getInstance("SunX509");
		keyManagers.init(keys, new char[0]);
		KeyStore trust = KeyStore.getInstance("PKCS12");
		trust.load(null, null);
		trust.setCertificateEntry("ca", ca.certificate());
		TrustManagerFactory trustManagers = TrustManagerFactory.getInstance("PKIX");
		trustManagers.init(trust);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
		return context;
	}

	private static void handshakePresenting(LocalCertificateAuthority.Issued certificate) throws Exception {
		try (SSLSocket socket = (SSLSocket) presenting(certificate).getSocketFactory()
			.createSocket("127.0.0.1", port)) {
			socket.setSoTimeout(10_000);
			socket.startHandshake();
			// TLS 1.3: the server's verdict on the client certificate arrives with the
			// first
			// read after the handshake
			socket.getOutputStream()
				.write("GET /echo HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
					.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
			socket.getOutputStream().flush();
			byte[] head = socket.getInputStream().readNBytes(12);
			if (!new String(head, java.nio.charset.StandardCharsets.US_ASCII).startsWith("HTTP/1.1 200")) {
				throw new IllegalStateException("unexpected answer " + new String(head));
			}
		}
	}

	private static X509Certificate serverCertificate(SSLContext context) throws Exception {
		try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
			socket.startHandshake();
			return (X509Certificate) socket.getSession().getPeerCertificates()[0];
		}
	}

	private static int freePort() throws IOException {
		try (ServerSocket socket = new ServerSocket()) {
			socket.bind(new InetSocketAddress("127.0.0.1", 0));
			return socket.getLocalPort();
		}
	}

	@SpringBootApplication
	@RestController
	static class EchoApplication {

		@GetMapping("/echo")
		Map<String, Object> echo(HttpServletRequest request) {
			Object chain = request.getAttribute("jakarta.servlet.request.X509Certificate");
			String client = (chain instanceof X509Certificate[] certificates && certificates.length > 0)
					? certificates[0].getSubjectX500Principal().getName() : "none";
			return Map.of("answer", "client=" + client.replace("O=Warden,", "").replace(",O=Warden", "") + " secure="
					+ request.isSecure());
		}

	}

}
