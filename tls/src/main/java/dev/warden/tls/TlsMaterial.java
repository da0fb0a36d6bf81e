package dev.warden.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslBundleKey;
import org.springframework.boot.ssl.SslOptions;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * What the files of {@link TlsSettings} hold at one moment: the process's key and
 * certificate chain (if any) and the CA certificates it trusts (if any), checked to
 * belong together (the private key matches the certificate) so that a half-written pair
 * of files during a rotation is refused rather than served.
 *
 * @param identity key store with the one key entry, or {@code null}
 * @param identityPassword password of the key entry
 * @param trust key store of the CA certificates, or {@code null}
 * @param stamp the files' sizes and modification times when they were read
 */
record TlsMaterial(KeyStore identity, String identityPassword, KeyStore trust, List<Object> stamp) {

	private static final String KEY_ALIAS = "warden";

	/**
	 * Reads the files.
	 * @throws IllegalStateException when a file cannot be parsed or the key does not
	 * match the certificate
	 */
	static TlsMaterial load(TlsSettings settings) {
		List<Object> stamp = stamp(settings);
		KeyStore identity = null;
		String password = null;
		try {
			if (settings.keystore() != null) {
				password = (settings.keystorePassword() != null) ? settings.keystorePassword() : "";
				identity = KeyStore.getInstance("PKCS12");
				try (InputStream in = Files.newInputStream(settings.keystore())) {
					identity.load(in, password.toCharArray());
				}
			}
			else if (settings.certificate() != null) {
				PemSslStoreDetails details = PemSslStoreDetails.forCertificates(settings.certificate().toString())
					.withPrivateKey(settings.privateKey().toString())
					.withPrivateKeyPassword(settings.privateKeyPassword())
					.withAlias(KEY_ALIAS);
				identity = new PemSslStoreBundle(details, null).getKeyStore();
				password = "";
			}
			KeyStore trust = null;
			if (settings.ca() != null) {
				trust = new PemSslStoreBundle(null, PemSslStoreDetails.forCertificates(settings.ca().toString()))
					.getTrustStore();
			}
			if (identity != null) {
				checkKeyMatchesCertificate(identity, password, settings);
			}
			return new TlsMaterial(identity, password, trust, stamp);
		}
		catch (IOException | GeneralSecurityException | RuntimeException ex) {
			throw new IllegalStateException("warden.tls: cannot read the certificate, key or CA files "
					+ settings.files() + ": " + ex.getMessage(), ex);
		}
	}

	/**
	 * The sizes and modification times of the settings' files; a different value means a
	 * file changed.
	 */
	static List<Object> stamp(TlsSettings settings) {
		List<Object> stamp = new ArrayList<>();
		for (Path file : settings.files()) {
			try {
				FileTime modified = Files.getLastModifiedTime(file);
				stamp.add(file + "|" + modified.toMillis() + "|" + Files.size(file));
			}
			catch (IOException ex) {
				stamp.add(file + "|missing");
			}
		}
		return Collections.unmodifiableList(stamp);
	}

	/** The certificate this process presents, or {@code null}. */
	X509Certificate leaf() {
		if (this.identity == null) {
			return null;
		}
		try {
			for (String alias : Collections.list(this.identity.aliases())) {
				if (this.identity.isKeyEntry(alias)) {
					return (X509Certificate) this.identity.getCertificate(alias);
				}
			}
			return null;
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The server's SSL bundle: identity, trusted CAs and the protocols and ciphers. */
	SslBundle serverBundle(TlsSettings settings) {
		SslStoreBundle stores = SslStoreBundle.of(this.identity, this.identityPassword, this.trust);
		return SslBundle.of(stores, SslBundleKey.of(this.identityPassword),
				SslOptions.of(settings.ciphers().toArray(String[]::new), settings.protocols().toArray(String[]::new)));
	}

	/** Key manager presenting this process's certificate, or {@code null} without one. */
	X509ExtendedKeyManager keyManager() {
		if (this.identity == null) {
			return null;
		}
		try {
			KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
			factory.init(this.identity, this.identityPassword.toCharArray());
			for (KeyManager manager : factory.getKeyManagers()) {
				if (manager instanceof X509ExtendedKeyManager x509) {
					return x509;
				}
			}
			throw new IllegalStateException("no X.509 key manager");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("warden.tls: cannot use the key store: " + ex.getMessage(), ex);
		}
	}

	/**
	 * Trust manager for outgoing connections: Warden's CA (if any), then the JDK's
	 * default CAs.
	 */
	X509ExtendedTrustManager trustManager() {
		X509ExtendedTrustManager system = trustManager(null);
		if (this.trust == null) {
			return system;
		}
		return new EitherTrustManager(trustManager(this.trust), system);
	}

	private static X509ExtendedTrustManager trustManager(KeyStore store) {
		try {
			TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
			factory.init(store);
			for (TrustManager manager : factory.getTrustManagers()) {
				if (manager instanceof X509ExtendedTrustManager x509) {
					return x509;
				}
			}
			throw new IllegalStateException("no X.509 trust manager");
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("warden.tls: cannot use the CA certificates: " + ex.getMessage(), ex);
		}
	}

	private static void checkKeyMatchesCertificate(KeyStore identity, String password, TlsSettings settings)
			throws GeneralSecurityException {
		String alias = null;
		for (String candidate : Collections.list(identity.aliases())) {
			if (identity.isKeyEntry(candidate)) {
				alias = candidate;
				break;
			}
		}
		if (alias == null) {
			throw new IllegalStateException("no private key in " + settings.files());
		}
		Key key = identity.getKey(alias, password.toCharArray());
		Certificate certificate = identity.getCertificate(alias);
		if (!(key instanceof PrivateKey privateKey) || certificate == null) {
			throw new IllegalStateException("no private key with a certificate in " + settings.files());
		}
		String algorithm = switch (privateKey.getAlgorithm()) {
			case "EC" -> "SHA256withECDSA";
			case "RSA" -> "SHA256withRSA";
			case "Ed25519" -> "Ed25519";
			default -> null;
		};
		if (algorithm == null) {
			return;
		}
		byte[] challenge = new byte[32];
		new SecureRandom().nextBytes(challenge);
		Signature signer = Signature.getInstance(algorithm);
		signer.initSign(privateKey);
		signer.update(challenge);
		byte[] signature = signer.sign();
		Signature verifier = Signature.getInstance(algorithm);
		verifier.initVerify(certificate.getPublicKey());
		verifier.update(challenge);
		if (!verifier.verify(signature)) {
			throw new IllegalStateException("the private key does not belong to the certificate");
		}
	}

}
