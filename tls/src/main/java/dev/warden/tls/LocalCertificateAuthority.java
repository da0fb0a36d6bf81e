package dev.warden.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A small certificate authority for one installation: an EC P-256 CA and the certificates
 * of Warden's processes signed by it (server and client use, so the same certificate
 * serves HTTPS and authenticates the process to a worker or gateway). Made by
 * {@code ./warden --tls} into the data directory; tests make their own, including expired
 * certificates and certificates of another CA.
 *
 * <p>
 * Command line ({@code tls init}): {@code init --dir DIR [--hosts h1,h2] [--days N]}
 * writes {@code ca.pem} and {@code ca-key.pem} (made once, kept on later runs) and, for
 * each of {@code gateway}, {@code worker} and {@code console}, {@code NAME.pem} and
 * {@code NAME-key.pem}, valid for {@code localhost}, {@code 127.0.0.1}, {@code ::1} and
 * the host names given. Key files are readable by their owner only (0600), the directory
 * too (0700).
 */
public final class LocalCertificateAuthority {

	/** The certificates {@code init} issues. */
	public static final List<String> PROCESSES = List.of("gateway", "worker", "console");

	private static final SecureRandom RANDOM = new SecureRandom();

	private final X509Certificate certificate;

	private final PrivateKey key;

	private LocalCertificateAuthority(X509Certificate certificate, PrivateKey key) {
		this.certificate = certificate;
		this.key = key;
	}

	/** A new CA named {@code name}, valid from now for {@code validity}. */
	public static LocalCertificateAuthority create(String name, Duration validity) {
		KeyPair pair = newKeyPair();
		Instant now = Instant.now();
		X500Name subject = name(name);
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, serial(),
					Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(validity)), subject,
					pair.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
				.addExtension(Extension.subjectKeyIdentifier, false,
						extensions.createSubjectKeyIdentifier(pair.getPublic()));
			return new LocalCertificateAuthority(sign(builder, pair.getPrivate()), pair.getPrivate());
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("cannot create a CA certificate", ex);
		}
	}

	/** The CA whose certificate and key were written by {@link #write}. */
	public static LocalCertificateAuthority load(Path certificateFile, Path keyFile) {
		try {
			X509Certificate certificate;
			try (PEMParser parser = new PEMParser(Files.newBufferedReader(certificateFile, StandardCharsets.UTF_8))) {
				certificate = new JcaX509CertificateConverter()
					.getCertificate((X509CertificateHolder) parser.readObject());
			}
			PrivateKey key;
			try (PEMParser parser = new PEMParser(Files.newBufferedReader(keyFile, StandardCharsets.UTF_8))) {
				Object read = parser.readObject();
				JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
				key = (read instanceof PEMKeyPair pair) ? converter.getKeyPair(pair).getPrivate()
						: converter.getPrivateKey((PrivateKeyInfo) read);
			}
			return new LocalCertificateAuthority(certificate, key);
		}
		catch (IOException | GeneralSecurityException | ClassCastException ex) {
			throw new IllegalStateException("cannot read the CA from " + certificateFile + " and " + keyFile, ex);
		}
	}

	/** The CA's certificate. */
	public X509Certificate certificate() {
		return this.certificate;
	}

	/**
	 * A certificate for {@code commonName}, valid for {@code hosts} (DNS names or IP
	 * addresses), for server and client authentication, from {@code notBefore} to
	 * {@code notAfter}.
	 */
	public Issued issue(String commonName, List<String> hosts, Instant notBefore, Instant notAfter) {
		KeyPair pair = newKeyPair();
		try {
			JcaX509ExtensionUtils extensions = new JcaX509ExtensionUtils();
			List<GeneralName> names = new ArrayList<>();
			for (String host : hosts) {
				names.add(isAddress(host) ? new GeneralName(GeneralName.iPAddress, host)
						: new GeneralName(GeneralName.dNSName, host));
			}
			X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(this.certificate, serial(),
					Date.from(notBefore), Date.from(notAfter), name(commonName), pair.getPublic())
				.addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
				.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
				.addExtension(Extension.extendedKeyUsage, false,
						new ExtendedKeyUsage(
								new KeyPurposeId[] { KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth }))
				.addExtension(Extension.subjectAlternativeName, false,
						new GeneralNames(names.toArray(GeneralName[]::new)))
				.addExtension(Extension.subjectKeyIdentifier, false,
						extensions.createSubjectKeyIdentifier(pair.getPublic()))
				.addExtension(Extension.authorityKeyIdentifier, false,
						extensions.createAuthorityKeyIdentifier(this.certificate));
			return new Issued(sign(builder, this.key), pair.getPrivate());
		}
		catch (IOException | GeneralSecurityException ex) {
			throw new IllegalStateException("cannot issue a certificate for " + commonName, ex);
		}
	}

	/**
	 * {@link #issue(String, List, Instant, Instant)} valid from now for {@code validity}.
	 */
	public Issued issue(String commonName, List<String> hosts, Duration validity) {
		Instant now = Instant.now();
		return issue(commonName, hosts, now.minus(Duration.ofMinutes(5)), now.plus(validity));
	}

	/** Writes the CA's certificate (0644) and key (0600). */
	public void write(Path certificateFile, Path keyFile) {
		writePem(certificateFile, pem(this.certificate), false);
		writePem(keyFile, pem(this.key), true);
	}

	/**
	 * A certificate issued by this CA, and its key.
	 *
	 * @param certificate the certificate
	 * @param key its private key
	 */
	public record Issued(X509Certificate certificate, PrivateKey key) {

		/** Writes the certificate (0644) and the key (PKCS#8, 0600). */
		public void write(Path certificateFile, Path keyFile) {
			writePem(certificateFile, pem(this.certificate), false);
			writePem(keyFile, pem(this.key), true);
		}

	}

	/**
	 * {@code init --dir DIR [--hosts h1,h2] [--days N]}: see the class comment. Prints
	 * the files it wrote.
	 */
	public static void main(String[] args) {
		try {
			System.exit(run(args));
		}
		catch (IllegalArgumentException ex) {
			System.err.println("tls: " + ex.getMessage());
			System.exit(2);
		}
	}

	static int run(String[] args) {
		if (args.length == 0 || !args[0].equals("init")) {
			throw new IllegalArgumentException(
					"usage: tls init --dir DIR [--hosts host1,host2] [--days N] (certificates for a local install)");
		}
		Path dir = null;
		Set<String> hosts = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
		int days = 397;
		for (int i = 1; i < args.length; i++) {
			String value = (i + 1 < args.length) ? args[i + 1] : null;
			switch (args[i]) {
				case "--dir" -> dir = Path.of(required(args[i], value));
				case "--hosts" -> {
					for (String host : required(args[i], value).split(",")) {
						if (!host.isBlank()) {
							hosts.add(host.trim());
						}
					}
				}
				case "--days" -> {
					try {
						days = Integer.parseInt(required(args[i], value));
					}
					catch (NumberFormatException ex) {
						throw new IllegalArgumentException("--days must be a number of days, not '" + value + "'");
					}
					if (days < 1 || days > 825) {
						throw new IllegalArgumentException("--days must be between 1 and 825");
					}
				}
				default -> throw new IllegalArgumentException("unknown option " + args[i]);
			}
			i++;
		}
		if (dir == null) {
			throw new IllegalArgumentException("--dir is required");
		}
		init(dir, List.copyOf(hosts), Duration.ofDays(days));
		return 0;
	}

	/**
	 * Makes the CA in {@code dir} (or keeps the one there) and issues a fresh certificate
	 * for each of {@link #PROCESSES}.
	 */
	public static LocalCertificateAuthority init(Path dir, List<String> hosts, Duration validity) {
		try {
			Files.createDirectories(dir);
			ownerOnly(dir, "rwx------");
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot create " + dir, ex);
		}
		Path caFile = dir.resolve("ca.pem");
		Path caKey = dir.resolve("ca-key.pem");
		LocalCertificateAuthority ca;
		if (Files.isRegularFile(caFile) && Files.isRegularFile(caKey)) {
			ca = load(caFile, caKey);
			System.out.println("Kept the CA in " + caFile);
		}
		else {
			ca = create("Warden local CA " + Instant.now().toString().substring(0, 10), Duration.ofDays(3650));
			ca.write(caFile, caKey);
			System.out.println("Made a new CA: " + caFile);
		}
		for (String process : PROCESSES) {
			ca.issue("warden-" + process, hosts, validity)
				.write(dir.resolve(process + ".pem"), dir.resolve(process + "-key.pem"));
			System.out.println("Issued " + dir.resolve(process + ".pem") + " for " + String.join(", ", hosts));
		}
		return ca;
	}

	private static String required(String option, String value) {
		if (value == null || value.startsWith("--")) {
			throw new IllegalArgumentException(option + " needs a value");
		}
		return value;
	}

	private static KeyPair newKeyPair() {
		try {
			KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
			generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
			return generator.generateKeyPair();
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("cannot make an EC P-256 key", ex);
		}
	}

	private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
			throws GeneralSecurityException {
		try {
			return new JcaX509CertificateConverter()
				.getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
		}
		catch (OperatorCreationException ex) {
			throw new GeneralSecurityException(ex);
		}
	}

	private static BigInteger serial() {
		return new BigInteger(127, RANDOM);
	}

	private static X500Name name(String commonName) {
		return new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "Warden").addRDN(BCStyle.CN, commonName).build();
	}

	private static boolean isAddress(String host) {
		if (!host.matches("[0-9.]+") && !host.contains(":")) {
			return false;
		}
		try {
			InetAddress.getByName(host);
			return true;
		}
		catch (UnknownHostException ex) {
			return false;
		}
	}

	private static String pem(Object object) {
		StringWriter out = new StringWriter();
		try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
			writer.writeObject((object instanceof PrivateKey key)
					? new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", key.getEncoded()) : object);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return out.toString();
	}

	private static void writePem(Path file, String content, boolean secret) {
		try {
			Path parent = file.toAbsolutePath().getParent();
			Files.createDirectories(parent);
			// written next to the target and moved over it, so that a process watching
			// the file
			// never reads half of it
			Path temporary = Files.createTempFile(parent, "." + file.getFileName(), ".tmp");
			ownerOnly(temporary, "rw-------");
			Files.writeString(temporary, content, StandardCharsets.US_ASCII);
			if (!secret) {
				ownerOnly(temporary, "rw-r--r--");
			}
			Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("cannot write " + file, ex);
		}
	}

	private static void ownerOnly(Path path, String permissions) throws IOException {
		try {
			Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
		}
		catch (UnsupportedOperationException ex) {
			// not a POSIX file system: its own access rules apply
		}
	}

}
