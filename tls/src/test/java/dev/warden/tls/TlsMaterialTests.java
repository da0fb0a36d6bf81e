package dev.warden.tls;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.mock.env.MockEnvironment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The server bundle made from {@code warden.tls.*}: from a PKCS#12 key store as from PEM
 * files, with the protocols and ciphers it allows, checked with real handshakes on a
 * socket.
 */
class TlsMaterialTests {

	@TempDir
	Path dir;

	@Test
	void aPkcs12KeyStoreServesLikeThePemFiles() throws Exception {
		var ca = LocalCertificateAuthority.create("test CA", Duration.ofDays(1));
		ca.write(this.dir.resolve("ca.pem"), this.dir.resolve("ca-key.pem"));
		var server = ca.issue("server", List.of("localhost"), Duration.ofDays(1));
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setKeyEntry("server", server.key(), "secret".toCharArray(),
				new X509Certificate[] { server.certificate() });
		Path p12 = this.dir.resolve("server.p12");
		try (OutputStream out = Files.newOutputStream(p12)) {
			store.store(out, "secret".toCharArray());
		}
		TlsSettings settings = TlsSettings
			.from(new MockEnvironment().withProperty("warden.tls.keystore", p12.toString())
				.withProperty("warden.tls.keystore-password", "secret")
				.withProperty("warden.tls.ca", this.dir.resolve("ca.pem").toString()));
		assertThat(settings.serverEnabled()).isTrue();
		TlsMaterial material = TlsMaterial.load(settings);
		assertThat(material.leaf().getSerialNumber()).isEqualTo(server.certificate().getSerialNumber());
		SslBundle bundle = material.serverBundle(settings);
		X509Certificate seen = handshake(bundle, ReloadingClientContext.of(settings(ca)).sslContext(), null);
		assertThat(seen.getSerialNumber()).isEqualTo(server.certificate().getSerialNumber());
	}

	@Test
	void aWrongKeyStorePasswordIsAClearError() throws Exception {
		var ca = LocalCertificateAuthority.create("test CA", Duration.ofDays(1));
		var server = ca.issue("server", List.of("localhost"), Duration.ofDays(1));
		KeyStore store = KeyStore.getInstance("PKCS12");
		store.load(null, null);
		store.setKeyEntry("server", server.key(), "secret".toCharArray(),
				new X509Certificate[] { server.certificate() });
		Path p12 = this.dir.resolve("server.p12");
		try (OutputStream out = Files.newOutputStream(p12)) {
			store.store(out, "secret".toCharArray());
		}
		TlsSettings settings = TlsSettings
			.from(new MockEnvironment().withProperty("warden.tls.keystore", p12.toString())
				.withProperty("warden.tls.keystore-password", "wrong"));
		assertThatThrownBy(() -> TlsMaterial.load(settings)).hasMessageContaining("cannot read")
			.hasMessageContaining("server.p12");
	}

	@Test
	void theServerBundleOffersNoCipherWithoutForwardSecrecyAndNoOldProtocol() throws Exception {
		var ca = LocalCertificateAuthority.create("test CA", Duration.ofDays(1));
		ca.write(this.dir.resolve("ca.pem"), this.dir.resolve("ca-key.pem"));
		ca.issue("server", List.of("localhost"), Duration.ofDays(1))
			.write(this.dir.resolve("server.pem"), this.dir.resolve("server-key.pem"));
		TlsSettings settings = TlsSettings.from(
				new MockEnvironment().withProperty("warden.tls.certificate", this.dir.resolve("server.pem").toString())
					.withProperty("warden.tls.private-key", this.dir.resolve("server-key.pem").toString()));
		SslBundle bundle = TlsMaterial.load(settings).serverBundle(settings);
		assertThat(bundle.getOptions().getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
		SSLContext client = ReloadingClientContext.of(settings(ca)).sslContext();
		// a TLS 1.2 client that offers only a static-RSA CBC suite finds nothing in
		// common
		assertThatThrownBy(() -> handshake(bundle, client, (socket) -> {
			socket.setEnabledProtocols(new String[] { "TLSv1.2" });
			socket.setEnabledCipherSuites(new String[] { "TLS_RSA_WITH_AES_128_CBC_SHA" });
		})).isInstanceOf(IOException.class);
		// TLS 1.2 with an ECDHE AEAD suite works
		assertThat(handshake(bundle, client, (socket) -> socket.setEnabledProtocols(new String[] { "TLSv1.2" })))
			.isNotNull();
	}

	private TlsSettings settings(LocalCertificateAuthority ca) {
		ca.write(this.dir.resolve("trusted-ca.pem"), this.dir.resolve("trusted-ca-key.pem"));
		return new TlsSettings(null, null, null, null, null, this.dir.resolve("trusted-ca.pem"), null, null,
				TlsSettings.DEFAULT_PROTOCOLS, TlsSettings.DEFAULT_CIPHERS);
	}

	interface ClientSetup {

		void apply(SSLSocket socket);

	}

	/** One handshake against a server socket configured from the bundle as Tomcat is. */
	private static X509Certificate handshake(SslBundle bundle, SSLContext client, ClientSetup setup) throws Exception {
		SSLContext serverContext = bundle.createSslContext();
		try (SSLServerSocket server = (SSLServerSocket) serverContext.getServerSocketFactory()
			.createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
			server.setEnabledProtocols(bundle.getOptions().getEnabledProtocols());
			server.setEnabledCipherSuites(supported(server, bundle.getOptions().getCiphers()));
			Thread acceptor = new Thread(() -> {
				try (Socket socket = server.accept()) {
					((SSLSocket) socket).startHandshake();
					socket.getOutputStream().write(1);
				}
				catch (IOException expected) {
					// a refused handshake
				}
			});
			acceptor.start();
			try (SSLSocket socket = (SSLSocket) client.getSocketFactory()
				.createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
				socket.setSoTimeout(10_000);
				if (setup != null) {
					setup.apply(socket);
				}
				socket.startHandshake();
				socket.getInputStream().read();
				return (X509Certificate) socket.getSession().getPeerCertificates()[0];
			}
			finally {
				acceptor.join(10_000);
			}
		}
	}

	private static String[] supported(SSLServerSocket server, String[] wanted) {
		List<String> available = List.of(server.getSupportedCipherSuites());
		return java.util.Arrays.stream(wanted).filter(available::contains).toArray(String[]::new);
	}

}
