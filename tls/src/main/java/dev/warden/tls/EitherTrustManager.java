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
 *
 * <p>
 * When both refuse a chain, the refusal reported is the one of the manager whose CAs
 * issued it: a certificate of Warden's CA that does not name the host connected to is
 * reported as such, not as "no path to a JDK CA".
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

	private void either(X509Certificate[] chain, Check check) throws CertificateException {
		try {
			check.run(this.first);
		}
		catch (CertificateException firstFailure) {
			try {
				check.run(this.second);
			}
			catch (CertificateException secondFailure) {
				CertificateException reported = issuedByFirst(chain) ? firstFailure : secondFailure;
				reported.addSuppressed((reported == firstFailure) ? secondFailure : firstFailure);
				throw reported;
			}
		}
	}

	/** Whether the chain ends at a certificate issued by one of the first's CAs. */
	private boolean issuedByFirst(X509Certificate[] chain) {
		if (chain == null || chain.length == 0) {
			return false;
		}
		X509Certificate last = chain[chain.length - 1];
		for (X509Certificate ca : this.first.getAcceptedIssuers()) {
			if (ca.getSubjectX500Principal().equals(last.getIssuerX500Principal())
					|| ca.getSubjectX500Principal().equals(last.getSubjectX500Principal())) {
				return true;
			}
		}
		return false;
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
			throws CertificateException {
		either(chain, (manager) -> manager.checkClientTrusted(chain, authType, socket));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
			throws CertificateException {
		either(chain, (manager) -> manager.checkServerTrusted(chain, authType, socket));
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		either(chain, (manager) -> manager.checkClientTrusted(chain, authType, engine));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
			throws CertificateException {
		either(chain, (manager) -> manager.checkServerTrusted(chain, authType, engine));
	}

	@Override
	public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		either(chain, (manager) -> manager.checkClientTrusted(chain, authType));
	}

	@Override
	public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
		either(chain, (manager) -> manager.checkServerTrusted(chain, authType));
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
