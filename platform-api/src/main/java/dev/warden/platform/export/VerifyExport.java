package dev.warden.platform.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.SignatureConfig;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import tools.jackson.core.JacksonException;

/**
 * Verifies an export file against its manifest, offline, with only the installation's public key (Tink public
 * keyset JSON): the manifest's signature, the file's SHA-256 and size, and the row count for CSV and NDJSON. Prints
 * one line per check and {@code OK} or {@code FAILED}; exit code 0 when everything holds, 1 otherwise.
 *
 * <pre>
 * java -cp platform-api-&lt;version&gt;-exec.jar -Dloader.main=dev.warden.platform.export.VerifyExport \
 *   org.springframework.boot.loader.launch.PropertiesLauncher \
 *   --export FILE --manifest FILE --public-key FILE
 * </pre>
 */
public final class VerifyExport {

	private VerifyExport() {
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out));
	}

	/** Runs the verification; returns the exit code. */
	static int run(String[] args, PrintStream out) {
		Path export = null;
		Path manifest = null;
		Path publicKey = null;
		for (int i = 0; i < args.length; i++) {
			String value = (i + 1 < args.length) ? args[i + 1] : null;
			switch (args[i]) {
				case "--export" -> export = path(value);
				case "--manifest" -> manifest = path(value);
				case "--public-key" -> publicKey = path(value);
				default -> {
					return usage(out, "unknown argument " + args[i]);
				}
			}
			i++;
		}
		if (export == null || manifest == null || publicKey == null) {
			return usage(out, "--export, --manifest and --public-key are all required");
		}
		List<String> failures = new ArrayList<>();
		Map<String, Object> fields = Map.of();
		try {
			fields = Manifests.parse(Files.readString(manifest, StandardCharsets.UTF_8));
			checkSignature(fields, Files.readString(publicKey, StandardCharsets.UTF_8), failures, out);
			checkFile(fields, export, failures, out);
		}
		catch (IOException | JacksonException | GeneralSecurityException | IllegalArgumentException ex) {
			failures.add("could not read the input: " + ex.getMessage());
			out.println("FAILED: could not read the input: " + ex.getMessage());
		}
		if (failures.isEmpty()) {
			out.println("OK: " + export.getFileName() + " is export " + fields.get("export_id") + " ("
					+ fields.get("export_type") + ", " + fields.get("format") + ", " + fields.get("row_count")
					+ " rows), signed with the key in " + publicKey.getFileName());
			return 0;
		}
		out.println("FAILED: " + String.join("; ", failures));
		return 1;
	}

	private static void checkSignature(Map<String, Object> manifest, String publicKeyset, List<String> failures,
			PrintStream out) throws GeneralSecurityException {
		Object signature = manifest.get(Manifests.SIGNATURE);
		if (!(signature instanceof String encoded)) {
			failures.add("the manifest has no signature");
			out.println("signature: FAILED (missing)");
			return;
		}
		SignatureConfig.register();
		KeysetHandle keyset = TinkJsonProtoKeysetFormat.parseKeysetWithoutSecret(publicKeyset(publicKeyset));
		PublicKeyVerify verifier = keyset.getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
		try {
			verifier.verify(Base64.getDecoder().decode(encoded), Manifests.signedBytes(manifest));
			out.println("signature: OK (key " + manifest.get("key_id") + ")");
		}
		catch (GeneralSecurityException | IllegalArgumentException ex) {
			failures.add("the manifest signature does not verify with this public key (manifest changed, or signed by "
					+ "another key)");
			out.println("signature: FAILED");
		}
	}

	private static void checkFile(Map<String, Object> manifest, Path export, List<String> failures, PrintStream out)
			throws IOException {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		long size = 0;
		try (InputStream in = Files.newInputStream(export)) {
			byte[] buffer = new byte[64 * 1024];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				digest.update(buffer, 0, n);
				size += n;
			}
		}
		String sha256 = HexFormat.of().formatHex(digest.digest());
		compare("sha256", manifest.get("sha256"), sha256, failures, out);
		compare("size_bytes", number(manifest.get("size_bytes")), size, failures, out);
		Object format = manifest.get("format");
		if ("csv".equals(format) || "ndjson".equals(format)) {
			compare("row_count", number(manifest.get("row_count")), rows(export, (String) format), failures, out);
		}
		else {
			out.println("row_count: not checked for format " + format + " (covered by the SHA-256)");
		}
	}

	private static long rows(Path export, String format) throws IOException {
		if (format.equals("ndjson")) {
			try (var lines = Files.lines(export, StandardCharsets.UTF_8)) {
				return lines.filter((line) -> !line.isEmpty()).count();
			}
		}
		try (Reader reader = Files.newBufferedReader(export, StandardCharsets.UTF_8);
				CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get().parse(reader)) {
			long rows = 0;
			for (var ignored : parser) {
				rows++;
			}
			return rows;
		}
	}

	private static void compare(String field, Object expected, Object actual, List<String> failures,
			PrintStream out) {
		if (expected != null && expected.equals(actual)) {
			out.println(field + ": OK (" + actual + ")");
		}
		else {
			failures.add(field + " of the file is " + actual + ", the manifest says " + expected);
			out.println(field + ": FAILED (file " + actual + ", manifest " + expected + ")");
		}
	}

	private static Long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : null;
	}

	/**
	 * The Tink public keyset JSON, given as is or as a field ({@code keyset}, {@code public_keyset}) of a JSON
	 * document that holds it.
	 */
	private static String publicKeyset(String text) {
		Map<String, Object> document = Manifests.parse(text);
		if (document.containsKey("key") && document.containsKey("primaryKeyId")) {
			return text;
		}
		for (String field : List.of("keyset", "public_keyset")) {
			Object nested = document.get(field);
			if (nested instanceof String json) {
				return json;
			}
			if (nested instanceof Map<?, ?> map) {
				return Manifests.json(map);
			}
		}
		throw new IllegalArgumentException("the public key file is not a Tink public keyset (JSON)");
	}

	private static Path path(String value) {
		return (value != null) ? Path.of(value) : null;
	}

	private static int usage(PrintStream out, String problem) {
		out.println("FAILED: " + problem);
		out.println("usage: VerifyExport --export FILE --manifest FILE --public-key FILE");
		return 1;
	}

}
