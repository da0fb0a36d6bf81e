package dev.warden.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer that either of two trust managers trusts: Warden's own CA first, then the
 * JDK's CAs (so that a process configured with Warden's CA still reaches, say, an
 * external identity provider or a webhook receiver with a public certificate). Host names
 * are checked by each of them as the connection asks.
 */
final class EitherTrustManager extends X509ExtendedTrustManager {

	private final X509ExtendedTrustManager first;

	private final X509ExtendedTrustManager second;

	EitherTrustManager(X509ExtendedTrustManager first, X509ExtendedTrustManager second) {
		this.first = first;
		this.second = second;
	}

	@FunctionalInterface
	private interface Check {

		void run(X509ExtendedTrustManager manager) throws CertificateException;

	}

	private void either(Check check) throws CertificateException {
		try {
			check.run(this.first);
		}
		catch (CertificateException firstFailure) {
			try {
				check.run(this.second);
			}
			catch (CertificateException secondFailure) {
				secondFailure.addSuppressed(firstFailure);
				throw secondFailure;
			}
		}
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
			throws CertificateException {
		either((manager) -> manager.checkClientTrusted(chain, authType, socket));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
			throws CertificateException {
		either((manager) -> manager.checkServerTrusted(chain, authType, socket));
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		either((manager) -> manager.checkClientTrusted(chain, authType, engine));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		either((manager) -> manager.checkServerTrusted(chain, authType, engine));
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		either((manager) -> manager.checkClientTrusted(chain, authType));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		either((manager) -> manager.checkServerTrusted(chain, authType));
	}

	@Override
	public X509Certificate[] getAcceptedIssuers() {
		X509Certificate[] a = this.first.getAcceptedIssuers();
		X509Certificate[] b = this.second.getAcceptedIssuers();
		X509Certificate[] all = Arrays.copyOf(a, a.length + b.length);
		System.arraycopy(b, 0, all, a.length, b.length);
		return all;
	}

}
