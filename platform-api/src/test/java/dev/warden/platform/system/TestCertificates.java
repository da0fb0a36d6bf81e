package dev.warden.platform.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: EC P-256 keys, certificates valid for a
 * day, written as PEM (keys as unencrypted PKCS#8, owner-only).
 */
final class TestCertificates {

	private static final AtomicLong serial = new AtomicLong(System.currentTimeMillis());

	private final String name;

	private final KeyPair keys;

	private final X509Certificate certificate;

	private TestCertificates(String name, KeyPair keys, X509Certificate certificate) {
		this.name = name;
		this.keys = keys;
		this.certificate = certificate;
	}

	static TestCertificates authority(String name) {
		KeyPair keys = ecKeys();
		X500Name subject = new X500Name("CN=" + name);
		return new TestCertificates(name, keys, sign(subject, keys, subject, keys, (builder, ext) -> {
			builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
			builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
			builder.addExtension(Extension.subjectKeyIdentifier, false,
					ext.createSubjectKeyIdentifier(keys.getPublic()));
		}));
	}

	/**
	 * A server certificate whose subject alternative names are exactly the DNS names
	 * given.
	 */
	Issued server(String commonName, String... dnsNames) {
		KeyPair leaf = ecKeys();
		X509Certificate cert = sign(new X500Name("CN=" + commonName), leaf, new X500Name("CN=" + this.name), this.keys,
				(builder, ext) -> {
					GeneralName[] names = new GeneralName[dnsNames.length];
					for (int i = 0; i < dnsNames.length; i++) {
						names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
					}
					builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
					builder.addExtension(Extension.extendedKeyUsage, false,
							new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
					builder.addExtension(Extension.authorityKeyIdentifier, false,
							ext.createAuthorityKeyIdentifier(this.certificate));
				});
		return new Issued(cert, leaf.getPrivate());
	}

	/** A client certificate for the database user {@code user} (its common name). */
	Issued client(String user) {
		KeyPair leaf = ecKeys();
		X509Certificate cert = sign(new X500Name("CN=" + user), leaf, new X500Name("CN=" + this.name), this.keys,
				(builder, ext) -> builder.addExtension(Extension.extendedKeyUsage, false,
						new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth)));
		return new Issued(cert, leaf.getPrivate());
	}

	void writeCertificate(Path file) {
		write(file, pem("CERTIFICATE", encoded(this.certificate)), false);
	}

	record Issued(X509Certificate certificate, PrivateKey key) {

		void writeCertificate(Path file) {
			write(file, pem("CERTIFICATE", encoded(this.certificate)), false);
		}

		/** The key as unencrypted PKCS#8 PEM, readable by its owner only. */
		void writeKey(Path file) {
			write(file, pem("PRIVATE KEY", this.key.getEncoded()), true);
		}

	}

	private interface Extensions {

		void add(X509v3CertificateBuilder builder, JcaX509ExtensionUtils ext) throws Exception;

	}

	private static X509Certificate sign(X500Name subject, KeyPair subjectKeys, X500Name issuer, KeyPair issuerKeys,
			Extensions extensions) {
		Instant now = Instant.now();
		try {
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
					BigInteger.valueOf(serial.incrementAndGet()), Date.from(now.minus(Duration.ofMinutes(5))),
					Date.from(now.plus(Duration.ofDays(1))), subject, subjectKeys.getPublic());
			extensions.add(builder, new JcaX509ExtensionUtils());
			return new JcaX509CertificateConverter().getCertificate(
					builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
		}
		catch (Exception ex) {
			throw new IllegalStateException("could not issue a test certificate", ex);
		}
	}

	private static KeyPair ecKeys() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"));
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static byte[] encoded(X509Certificate certificate) {
		try {
			return certificate.getEncoded();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException(ex);
		}
	}

	private static String pem(String type, byte[] der) {
		return "-----BEGIN " + type + "-----\n"
				+ Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
				+ "\n-----END " + type + "-----\n";
	}

	private static void write(Path file, String content, boolean ownerOnly) {
		try {
			Files.writeString(file, content, StandardCharsets.US_ASCII);
			if (ownerOnly) {
				Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
