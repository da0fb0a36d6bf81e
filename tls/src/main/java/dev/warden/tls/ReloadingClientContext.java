package dev.warden.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SSLContext} of a process's outgoing connections: it trusts Warden's CA and
 * the JDK's CAs, and presents the process's own certificate when a server asks for one
 * (mutual TLS to a worker, a worker's heartbeat to a gateway). Host names are verified by
 * the HTTP clients as usual.
 *
 * <p>
 * The files are checked every second (sizes and modification times). When they changed
 * and the new files are a consistent pair, a new JDK context is made from them and every
 * new connection of every client holding this context uses it: the context handed out
 * stays the same object and passes each socket, engine and session question to the
 * current JDK context. The new one starts with an empty session cache, so that no
 * connection resumes a TLS session made with the old certificate (a resumed session keeps
 * the identity it was made with, and would hand it on to every session resumed from it).
 * A half-written rotation is ignored until it is complete; connections already open keep
 * their session.
 */
public final class ReloadingClientContext {

	private static final Logger log = LoggerFactory.getLogger(ReloadingClientContext.class);

	/** One daemon thread checks the files of every context of the process. */
	private static final ScheduledExecutorService CHECKS = Executors.newSingleThreadScheduledExecutor((runnable) -> {
		Thread thread = new Thread(runnable, "tls-client-reload");
		thread.setDaemon(true);
		return thread;
	});

	private final TlsSettings settings;

	private final SSLContext context;

	private volatile Current current;

	private String failure;

	private ReloadingClientContext(TlsSettings settings) {
		this.settings = settings;
		this.current = Current.of(TlsMaterial.load(settings));
		this.context = new SwitchingContext(new SwitchingSpi(), this.current.context());
		if (!settings.files().isEmpty()) {
			CHECKS.scheduleWithFixedDelay(this::reloadIfChanged, 1, 1, TimeUnit.SECONDS);
		}
	}

	/**
	 * A context for these settings.
	 * @throws IllegalStateException when the files cannot be read
	 */
	public static ReloadingClientContext of(TlsSettings settings) {
		return new ReloadingClientContext(settings);
	}

	/** The settings this context follows. */
	TlsSettings settings() {
		return this.settings;
	}

	/** The context, for an HTTP client; it follows the files as they change. */
	public SSLContext sslContext() {
		return this.context;
	}

	/** The certificate presented to servers that ask for one, or {@code null}. */
	public X509Certificate certificate() {
		return this.current.material().leaf();
	}

	private SSLContext delegate() {
		return this.current.context();
	}

	private synchronized void reloadIfChanged() {
		if (TlsMaterial.stamp(this.settings).equals(this.current.material().stamp())) {
			return;
		}
		try {
			this.current = Current.of(TlsMaterial.load(this.settings));
			this.failure = null;
			log.info("TLS certificate or CA files changed: new outgoing connections use them ({})",
					this.settings.files());
		}
		catch (RuntimeException ex) {
			if (!String.valueOf(ex.getMessage()).equals(this.failure)) {
				this.failure = String.valueOf(ex.getMessage());
				log.warn("TLS files changed but cannot be used (yet); keeping the previous ones: {}", ex.getMessage());
			}
		}
	}

	/** The files as read last, and the JDK context made from them. */
	private record Current(TlsMaterial material, SSLContext context) {

		static Current of(TlsMaterial material) {
			try {
				SSLContext context = SSLContext.getInstance("TLS");
				X509ExtendedKeyManager keys = material.keyManager();
				context.init((keys != null) ? new KeyManager[] { keys } : null,
						new TrustManager[] { material.trustManager() }, null);
				return new Current(material, context);
			}
			catch (GeneralSecurityException ex) {
				throw new IllegalStateException("cannot create the TLS context", ex);
			}
		}

	}

	private static final class SwitchingContext extends SSLContext {

		SwitchingContext(SSLContextSpi spi, SSLContext first) {
			super(spi, first.getProvider(), first.getProtocol());
		}

	}

	/** Every question goes to the JDK context made from the current files. */
	private final class SwitchingSpi extends SSLContextSpi {

		private final SSLSocketFactory sockets = new SwitchingSocketFactory();

		@Override
		protected void engineInit(KeyManager[] keys, TrustManager[] trust, SecureRandom random)
				throws KeyManagementException {
			throw new KeyManagementException(
					"this context is made from the warden.tls files and cannot be re-initialised");
		}

		@Override
		protected SSLSocketFactory engineGetSocketFactory() {
			// one factory that asks for the current context's on every socket: some
			// clients
			// keep the factory for the life of the process (HttpsURLConnection's default)
			return this.sockets;
		}

		@Override
		protected SSLServerSocketFactory engineGetServerSocketFactory() {
			return delegate().getServerSocketFactory();
		}

		@Override
		protected SSLEngine engineCreateSSLEngine() {
			return delegate().createSSLEngine();
		}

		@Override
		protected SSLEngine engineCreateSSLEngine(String host, int port) {
			return delegate().createSSLEngine(host, port);
		}

		@Override
		protected SSLSessionContext engineGetServerSessionContext() {
			return delegate().getServerSessionContext();
		}

		@Override
		protected SSLSessionContext engineGetClientSessionContext() {
			return delegate().getClientSessionContext();
		}

		@Override
		protected SSLParameters engineGetDefaultSSLParameters() {
			return delegate().getDefaultSSLParameters();
		}

		@Override
		protected SSLParameters engineGetSupportedSSLParameters() {
			return delegate().getSupportedSSLParameters();
		}

	}

	private final class SwitchingSocketFactory extends SSLSocketFactory {

		private SSLSocketFactory factory() {
			return delegate().getSocketFactory();
		}

		@Override
		public String[] getDefaultCipherSuites() {
			return factory().getDefaultCipherSuites();
		}

		@Override
		public String[] getSupportedCipherSuites() {
			return factory().getSupportedCipherSuites();
		}

		@Override
		public Socket createSocket() throws IOException {
			return factory().createSocket();
		}

		@Override
		public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
			return factory().createSocket(socket, host, port, autoClose);
		}

		@Override
		public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose) throws IOException {
			return factory().createSocket(socket, consumed, autoClose);
		}

		@Override
		public Socket createSocket(String host, int port) throws IOException {
			return factory().createSocket(host, port);
		}

		@Override
		public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
			return factory().createSocket(host, port, localHost, localPort);
		}

		@Override
		public Socket createSocket(InetAddress host, int port) throws IOException {
			return factory().createSocket(host, port);
		}

		@Override
		public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
				throws IOException {
			return factory().createSocket(address, port, localAddress, localPort);
		}

	}

}
