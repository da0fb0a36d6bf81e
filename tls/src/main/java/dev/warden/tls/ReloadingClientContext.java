package dev.warden.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SSLContext} of a process's outgoing connections: it trusts Warden's CA and
 * the JDK's CAs, and presents the process's own certificate when a server asks for one
 * (mutual TLS to a worker, a worker's heartbeat to a gateway). Host names are verified by
 * the HTTP clients as usual.
 *
 * <p>
 * The key and trust material is re-read when its files change: each new handshake checks
 * the files' sizes and modification times (at most once a second) and, when they changed
 * and the new files are a consistent pair, uses them. A half-written rotation is ignored
 * until it is complete; connections already open keep their session.
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

	private volatile Managers current;

	private String failure;

	private ReloadingClientContext(TlsSettings settings) {
		this.settings = settings;
		this.current = Managers.of(TlsMaterial.load(settings));
		try {
			this.context = SSLContext.getInstance("TLS");
			this.context.init(new KeyManager[] { new CurrentKeyManager() }, new TrustManager[] { new CurrentTrust() },
					null);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot create the TLS context", ex);
		}
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

	/** The context, for an HTTP client. */
	public SSLContext sslContext() {
		return this.context;
	}

	/** The certificate presented to servers that ask for one, or {@code null}. */
	public X509Certificate certificate() {
		return managers().material().leaf();
	}

	private Managers managers() {
		return this.current;
	}

	private synchronized void reloadIfChanged() {
		if (TlsMaterial.stamp(this.settings).equals(this.current.material().stamp())) {
			return;
		}
		try {
			this.current = Managers.of(TlsMaterial.load(this.settings));
			this.failure = null;
			// a resumed session would carry the old certificates: new connections make a
			// full
			// handshake with the new ones
			SSLSessionContext sessions = this.context.getClientSessionContext();
			for (byte[] id : Collections.list(sessions.getIds())) {
				SSLSession session = sessions.getSession(id);
				if (session != null) {
					session.invalidate();
				}
			}
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

	private record Managers(TlsMaterial material, X509ExtendedKeyManager keys, X509ExtendedTrustManager trust) {

		static Managers of(TlsMaterial material) {
			return new Managers(material, material.keyManager(), material.trustManager());
		}

	}

	private final class CurrentKeyManager extends X509ExtendedKeyManager {

		private X509ExtendedKeyManager keys() {
			return managers().keys();
		}

		@Override
		public String[] getClientAliases(String keyType, Principal[] issuers) {
			X509ExtendedKeyManager keys = keys();
			return (keys != null) ? keys.getClientAliases(keyType, issuers) : null;
		}

		@Override
		public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
			X509ExtendedKeyManager keys = keys();
			return (keys != null) ? keys.chooseClientAlias(keyType, issuers, socket) : null;
		}

		@Override
		public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
			X509ExtendedKeyManager keys = keys();
			return (keys != null) ? keys.chooseEngineClientAlias(keyType, issuers, engine) : null;
		}

		@Override
		public String[] getServerAliases(String keyType, Principal[] issuers) {
			return null;
		}

		@Override
		public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
			return null;
		}

		@Override
		public X509Certificate[] getCertificateChain(String alias) {
			X509ExtendedKeyManager keys = current.keys();
			return (keys != null) ? keys.getCertificateChain(alias) : null;
		}

		@Override
		public PrivateKey getPrivateKey(String alias) {
			X509ExtendedKeyManager keys = current.keys();
			return (keys != null) ? keys.getPrivateKey(alias) : null;
		}

	}

	private final class CurrentTrust extends X509ExtendedTrustManager {

		private X509ExtendedTrustManager trust() {
			return managers().trust();
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			trust().checkClientTrusted(chain, authType, socket);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
				throws CertificateException {
			trust().checkServerTrusted(chain, authType, socket);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			trust().checkClientTrusted(chain, authType, engine);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
				throws CertificateException {
			trust().checkServerTrusted(chain, authType, engine);
		}

		@Override
		public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			trust().checkClientTrusted(chain, authType);
		}

		@Override
		public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
			trust().checkServerTrusted(chain, authType);
		}

		@Override
		public X509Certificate[] getAcceptedIssuers() {
			return trust().getAcceptedIssuers();
		}

	}

}
