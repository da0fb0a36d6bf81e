package dev.warden.platform.export;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.PublicKeyVerify;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.signature.SignatureConfig;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Verifies an export file against its manifest, offline, with only the installation's
 * public key (Tink public keyset JSON). Prints one line per check and ends with
 * {@code OK: …} (exit code 0) or {@code FAILED: <reasons>} (exit code 1).
 *
 * <pre>
 * java -cp platform-api-&lt;version&gt;-exec.jar -Dloader.main=dev.warden.platform.export.VerifyExport \
 *   org.springframework.boot.loader.launch.PropertiesLauncher \
 *   --export FILE --manifest FILE --public-key FILE
 * </pre>
 *
 * <p>
 * Contract: the files it reads are the very input a tamperer controls, so nothing in them
 * may stop the verification half-way. The checks run in this order, each on its own and
 * each reported:
 * <ol>
 * <li>the manifest is read as strict UTF-8 JSON (one object, no duplicate keys, at most
 * {@value #MAX_DOCUMENT_BYTES} bytes); if it cannot be read there is nothing to verify
 * against and the verdict is FAILED;</li>
 * <li>its signature is checked with the public keyset;</li>
 * <li>the export's SHA-256 and size are computed over its raw bytes, without interpreting
 * them;</li>
 * <li>only when the SHA-256 matches the manifest (so the file is the one the manifest
 * describes) are its rows counted (CSV records after the header, NDJSON lines that are
 * each one JSON object; PDF is covered by the SHA-256 alone). The parse is strict (UTF-8
 * with malformed bytes reported, RFC 4180 CSV, JSON) and any problem becomes a failed
 * check naming it. A file whose SHA-256 does not match is already FAILED and is never
 * parsed.</li>
 * </ol>
 * Every problem with the input ends as a {@code FAILED} line and exit code 1, never as an
 * exception. {@link #run} is the testable entry point; {@link #main} only exits with its
 * result.
 */
public final class VerifyExport {

	/**
	 * Manifests and public keysets are a few KB; a larger file is not one of them (and is
	 * not read whole).
	 */
	static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

	private static final int MAX_REASON_LENGTH = 200;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private VerifyExport() {
	}

	public static void main(String[] args) {
		System.exit(run(args, System.out));
	}

	/**
	 * Runs the verification, printing to {@code out}; returns the exit code (0 verified,
	 * 1 anything else).
	 */
	static int run(String[] args, PrintStream out) {
		Path export = null;
		Path manifestFile = null;
		Path publicKey = null;
		for (int i = 0; i < args.length; i++) {
			String value = (i + 1 < args.length) ? args[i + 1] : null;
			try {
				switch (args[i]) {
					case "--export" -> export = path(value);
					case "--manifest" -> manifestFile = path(value);
					case "--public-key" -> publicKey = path(value);
					default -> {
						return usage(out, "unknown argument " + args[i]);
					}
				}
			}
			catch (InvalidPathException ex) {
				return usage(out, args[i] + " is not a valid path");
			}
			i++;
		}
		if (export == null || manifestFile == null || publicKey == null) {
			return usage(out, "--export, --manifest and --public-key are all required");
		}
		Checks checks = new Checks(out);
		Map<String, Object> manifest;
		try {
			manifest = Manifests.parse(readDocument(manifestFile));
			out.println("manifest: OK");
		}
		catch (UnreadableInput | IllegalArgumentException ex) {
			checks.fail("manifest", "the manifest cannot be read: " + ex.getMessage());
			return checks.verdict("");
		}
		checkSignature(manifest, publicKey, checks);
		boolean sameFile = checkFile(manifest, export, checks);
		checkRows(manifest, export, sameFile, checks);
		return checks.verdict(export.getFileName() + " is export " + manifest.get("export_id") + " ("
				+ manifest.get("export_type") + ", " + manifest.get("format") + ", " + manifest.get("row_count")
				+ " rows), signed with the key in " + publicKey.getFileName());
	}

	private static void checkSignature(Map<String, Object> manifest, Path publicKeyFile, Checks checks) {
		if (!(manifest.get(Manifests.SIGNATURE) instanceof String encoded)) {
			checks.fail("signature", "the manifest has no signature", "missing");
			return;
		}
		PublicKeyVerify verifier;
		try {
			SignatureConfig.register();
			KeysetHandle keyset = TinkJsonProtoKeysetFormat
				.parseKeysetWithoutSecret(publicKeyset(readDocument(publicKeyFile)));
			verifier = keyset.getPrimitive(RegistryConfiguration.get(), PublicKeyVerify.class);
		}
		catch (UnreadableInput | GeneralSecurityException | IllegalArgumentException ex) {
			checks.fail("signature", "the public key cannot be read: " + reason(ex), "no usable public key");
			return;
		}
		byte[] signature;
		byte[] signed;
		try {
			signature = Base64.getDecoder().decode(encoded);
			signed = Manifests.signedBytes(manifest);
		}
		catch (IllegalArgumentException ex) {
			checks.fail("signature", "the manifest signature does not verify: " + reason(ex), "malformed manifest");
			return;
		}
		try {
			verifier.verify(signature, signed);
			checks.ok("signature", "key " + manifest.get("key_id"));
		}
		catch (GeneralSecurityException ex) {
			checks.fail("signature", "the manifest signature does not verify with this public key (manifest changed, "
					+ "or signed by another key)", null);
		}
	}

	/**
	 * SHA-256 and size over the raw bytes; returns whether the SHA-256 is the manifest's.
	 */
	private static boolean checkFile(Map<String, Object> manifest, Path export, Checks checks) {
		MessageDigest digest;
		try {
			digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("every Java runtime has SHA-256", ex);
		}
		long size = 0;
		try (InputStream in = Files.newInputStream(export)) {
			byte[] buffer = new byte[64 * 1024];
			for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
				digest.update(buffer, 0, n);
				size += n;
			}
		}
		catch (IOException ex) {
			checks.fail("sha256", "the export file cannot be read: " + reason(ex), "unreadable");
			return false;
		}
		boolean sameFile = checks.compare("sha256", manifest.get("sha256"), HexFormat.of().formatHex(digest.digest()));
		checks.compare("size_bytes", number(manifest.get("size_bytes")), size);
		return sameFile;
	}

	private static void checkRows(Map<String, Object> manifest, Path export, boolean sameFile, Checks checks) {
		Object format = manifest.get("format");
		if (!"csv".equals(format) && !"ndjson".equals(format)) {
			checks.note("row_count", "not checked for format " + format + " (covered by the SHA-256)");
			return;
		}
		if (!sameFile) {
			checks.note("row_count", "not checked: the file is not the one the manifest describes (see sha256)");
			return;
		}
		long rows;
		try {
			rows = "csv".equals(format) ? csvRows(export) : ndjsonRows(export);
		}
		catch (UnreadableInput ex) {
			checks.fail("row_count", "the file cannot be read as " + format + ": " + ex.getMessage(),
					"not " + format + ": " + ex.getMessage());
			return;
		}
		checks.compare("row_count", number(manifest.get("row_count")), rows);
	}

	/** Records after the header line, quoted line breaks included. */
	private static long csvRows(Path export) throws UnreadableInput {
		try (BufferedReader reader = strictUtf8(export);
				CSVParser parser = CSVFormat.RFC4180.builder()
					.setHeader()
					.setSkipHeaderRecord(true)
					.get()
					.parse(reader)) {
			long rows = 0;
			for (Iterator<CSVRecord> records = parser.iterator(); records.hasNext(); records.next()) {
				rows++;
			}
			return rows;
		}
		// the iterator reports malformed CSV (and malformed UTF-8 underneath it)
		// unchecked; a bad header is an
		// IllegalArgumentException
		catch (IOException | UncheckedIOException | IllegalArgumentException | IllegalStateException ex) {
			throw new UnreadableInput(reason(ex));
		}
	}

	/** Non-empty lines, each one JSON object. */
	private static long ndjsonRows(Path export) throws UnreadableInput {
		long rows = 0;
		long lineNumber = 0;
		try (BufferedReader reader = strictUtf8(export)) {
			for (String line = reader.readLine(); line != null; line = reader.readLine()) {
				lineNumber++;
				if (line.isEmpty()) {
					continue;
				}
				JsonNode row = JSON.readTree(line);
				if (!row.isObject()) {
					throw new UnreadableInput("line " + lineNumber + " is not a JSON object");
				}
				rows++;
			}
			return rows;
		}
		catch (JacksonException ex) {
			throw new UnreadableInput("line " + lineNumber + " is not JSON: " + reason(ex));
		}
		catch (IOException ex) {
			throw new UnreadableInput(reason(ex));
		}
	}

	/** A reader that reports malformed UTF-8 instead of replacing it. */
	private static BufferedReader strictUtf8(Path file) throws IOException {
		CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
			.onMalformedInput(CodingErrorAction.REPORT)
			.onUnmappableCharacter(CodingErrorAction.REPORT);
		return new BufferedReader(new InputStreamReader(Files.newInputStream(file), decoder));
	}

	/** A small JSON document (manifest, keyset) as strict UTF-8 text. */
	private static String readDocument(Path file) throws UnreadableInput {
		byte[] bytes;
		try (InputStream in = Files.newInputStream(file)) {
			bytes = in.readNBytes(MAX_DOCUMENT_BYTES + 1);
		}
		catch (IOException ex) {
			throw new UnreadableInput(reason(ex));
		}
		if (bytes.length > MAX_DOCUMENT_BYTES) {
			throw new UnreadableInput("larger than " + MAX_DOCUMENT_BYTES + " bytes");
		}
		try {
			return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
		}
		catch (CharacterCodingException ex) {
			throw new UnreadableInput("not UTF-8 text");
		}
	}

	/**
	 * The Tink public keyset JSON, given as is or as a field ({@code keyset},
	 * {@code public_keyset}) of a JSON document that holds it.
	 */
	private static String publicKeyset(String text) throws UnreadableInput {
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
		throw new UnreadableInput("not a Tink public keyset (JSON)");
	}

	private static Long number(Object value) {
		return (value instanceof Number number) ? number.longValue() : null;
	}

	/**
	 * The first line of an exception's message, shortened: readable, and no file content
	 * dumped.
	 */
	private static String reason(Exception ex) {
		Throwable shown = (ex instanceof UncheckedIOException && ex.getCause() != null) ? ex.getCause() : ex;
		if (shown instanceof CharacterCodingException) {
			return "not UTF-8 text";
		}
		String message = (shown.getMessage() != null) ? shown.getMessage().strip().lines().findFirst().orElse("") : "";
		String text = shown.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
		return (text.length() > MAX_REASON_LENGTH) ? text.substring(0, MAX_REASON_LENGTH) + "…" : text;
	}

	private static Path path(String value) {
		return (value != null) ? Path.of(value) : null;
	}

	private static int usage(PrintStream out, String problem) {
		out.println("FAILED: " + problem);
		out.println("usage: VerifyExport --export FILE --manifest FILE --public-key FILE");
		return 1;
	}

	/**
	 * An input that cannot be read as what it should be; the message says why, without
	 * its content.
	 */
	static final class UnreadableInput extends Exception {

		UnreadableInput(String message) {
			super(message);
		}

	}

	/** The printed check lines and the failures for the last line. */
	private static final class Checks {

		private final PrintStream out;

		private final List<String> failures = new ArrayList<>();

		Checks(PrintStream out) {
			this.out = out;
		}

		void ok(String check, String detail) {
			this.out.println(check + ": OK (" + detail + ")");
		}

		void note(String check, String detail) {
			this.out.println(check + ": " + detail);
		}

		void fail(String check, String failure) {
			fail(check, failure, failure);
		}

		void fail(String check, String failure, String detail) {
			this.failures.add(failure);
			this.out.println(check + ": FAILED" + ((detail != null) ? " (" + detail + ")" : ""));
		}

		boolean compare(String field, Object expected, Object actual) {
			if (expected != null && expected.equals(actual)) {
				ok(field, String.valueOf(actual));
				return true;
			}
			this.failures.add(field + " of the file is " + actual + ", the manifest says " + expected);
			this.out.println(field + ": FAILED (file " + actual + ", manifest " + expected + ")");
			return false;
		}

		/** The last line; {@code whatHolds} is what an OK verdict states. */
		int verdict(String whatHolds) {
			if (this.failures.isEmpty()) {
				this.out.println("OK: " + whatHolds);
				return 0;
			}
			this.out.println("FAILED: " + String.join("; ", this.failures));
			return 1;
		}

	}

}
