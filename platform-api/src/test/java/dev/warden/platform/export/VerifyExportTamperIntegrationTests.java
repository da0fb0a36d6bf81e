package dev.warden.platform.export;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.json.JsonMapper;

import dev.warden.platform.TestIssuer;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;
import dev.warden.platform.crypto.SigningKeys;
import dev.warden.platform.export.OfflineVerifier.Verification;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Finding 13: the offline verifier never crashes on the input it exists to catch. Real
 * signed exports of every format (one started application for the class) are edited,
 * truncated, extended, reordered, given non-UTF-8 bytes or emptied, and paired with
 * wrong, badly signed and non-JSON manifests; every run must end with a {@code FAILED: …}
 * verdict and exit code 1, with nothing on {@code System.err} and no exception.
 *
 * <p>
 * Each tampered file is checked twice: with its genuine manifest (the SHA-256 catches it)
 * and with a forged manifest whose SHA-256 and size were recomputed for the tampered file
 * (so the file does get parsed for its row count, and only the signature catches it).
 */
class VerifyExportTamperIntegrationTests {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	/**
	 * Bytes a tamperer would put in: quotes, separators, line ends, and bytes that are
	 * not UTF-8.
	 */
	private static final byte[] REPLACEMENTS = { '"', ',', '\n', '\r', '{', '}', '\\', 'x', (byte) 0xff, (byte) 0xc3,
			(byte) 0x80, 0 };

	/**
	 * At most this many positions per file are edited one by one (every byte of a small
	 * file).
	 */
	private static final int MAX_POSITIONS = 400;

	@TempDir
	static Path dataDir;

	@TempDir
	static Path files;

	static WardenFixture warden;

	static TestIssuer issuer;

	static WardenTestApp app;

	static byte[] publicKey;

	static final Map<ExportFormat, Signed> EXPORTS = new EnumMap<>(ExportFormat.class);

	@BeforeAll
	static void exportTheAuditTrailInEveryFormat() throws Exception {
		warden = WardenFixture.start(dataDir, Map.of());
		issuer = warden.issuer();
		app = warden.app();
		// audit events whose details (JSON, with quotes and commas) are a quoted CSV
		// field and JSON strings
		for (String name : List.of("acme", "globex", "initech")) {
			warden.tenant(name);
		}
		String range = "&from=" + Instant.now().minusSeconds(3600) + "&to=" + Instant.now().plusSeconds(3600);
		for (ExportFormat format : ExportFormat.values()) {
			HttpResponse<byte[]> export = get("/api/admin/exports/audit?format=" + format.label() + range);
			assertThat(export.statusCode()).isEqualTo(200);
			HttpResponse<byte[]> manifest = get(
					"/api/admin/exports/" + export.headers().firstValue("X-Export-Id").orElseThrow() + "/manifest");
			assertThat(manifest.statusCode()).isEqualTo(200);
			EXPORTS.put(format, new Signed(export.body(), manifest.body()));
		}
		publicKey = app.bean(SigningKeys.class).publicKeysetJson().getBytes(StandardCharsets.UTF_8);
	}

	@AfterAll
	static void stop() throws Exception {
		if (warden != null) {
			warden.close();
		}
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void untouchedExportVerifies(ExportFormat format) throws Exception {
		Signed signed = EXPORTS.get(format);

		Verification verification = verify(signed.file(), signed.manifest());

		assertThat(verification.code()).as("%s", verification).isZero();
		assertThat(verification.verdict()).startsWith("OK: ");
		assertThat(verification.output()).contains("signature: OK", "sha256: OK", "size_bytes: OK");
		assertThat(verification.errors()).isEmpty();
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void oneChangedByteAnywhereFails(ExportFormat format) throws Exception {
		byte[] file = EXPORTS.get(format).file();
		int step = Math.max(1, file.length / MAX_POSITIONS);
		for (int position = 0; position < file.length; position += step) {
			byte[] changed = file.clone();
			changed[position] = replacement(file[position], position);

			assertTampered(format, changed, "byte " + position + " changed");
		}
	}

	@Test
	void aChangedByteInsideAQuotedCsvFieldFails() throws Exception {
		byte[] file = EXPORTS.get(ExportFormat.CSV).file();
		String text = new String(file, StandardCharsets.UTF_8);
		// a doubled quote inside the quoted JSON of the details column, e.g. "{""name"":
		// ""acme"", ...}"
		int escapedQuote = text.indexOf("\"\"", text.indexOf(",\"{"));
		assertThat(escapedQuote).as("a quoted field with an escaped quote in %s", text).isPositive();
		for (int position = text.indexOf(",\"{") + 1; position <= escapedQuote + 12; position++) {
			for (byte replacement : REPLACEMENTS) {
				if (file[position] != replacement) {
					byte[] changed = file.clone();
					changed[position] = replacement;
					assertTampered(ExportFormat.CSV, changed,
							"quoted field byte " + position + " set to " + replacement);
				}
			}
		}
	}

	@Test
	void aChangedByteInsideAJsonStringFails() throws Exception {
		byte[] file = EXPORTS.get(ExportFormat.NDJSON).file();
		String text = new String(file, StandardCharsets.UTF_8);
		int string = text.indexOf("\"action\":\"") + "\"action\":\"".length();
		assertThat(string).as("an action string in %s", text).isGreaterThan("\"action\":\"".length());
		for (int position = string; position < string + 12; position++) {
			for (byte replacement : REPLACEMENTS) {
				if (file[position] != replacement) {
					byte[] changed = file.clone();
					changed[position] = replacement;
					assertTampered(ExportFormat.NDJSON, changed,
							"JSON string byte " + position + " set to " + replacement);
				}
			}
		}
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void truncatedFileFails(ExportFormat format) throws Exception {
		byte[] file = EXPORTS.get(format).file();
		List<Integer> lengths = new ArrayList<>(
				List.of(1, file.length / 3, file.length / 2, file.length - 2, file.length - 1));
		if (format == ExportFormat.CSV) {
			// ends inside a quoted field: the parser meets the end of the input in an
			// open quote
			lengths.add(new String(file, StandardCharsets.UTF_8).indexOf(",\"{") + 5);
		}
		for (int length : lengths) {
			assertTampered(format, Arrays.copyOf(file, length), "truncated to " + length + " bytes");
		}
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void extendedFileFails(ExportFormat format) throws Exception {
		byte[] file = EXPORTS.get(format).file();
		List<String> lines = lines(file);
		for (byte[] tail : List.of(bytes("x"), bytes("\r\n"), bytes("\n"), bytes("\"unterminated"),
				bytes(lines.get(lines.size() - 1) + "\n"), new byte[] { (byte) 0xff, (byte) 0xfe, 0 },
				new byte[4096])) {
			assertTampered(format, concat(file, tail), "extended by " + tail.length + " bytes");
		}
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void reorderedLinesFail(ExportFormat format) throws Exception {
		List<String> lines = lines(EXPORTS.get(format).file());
		assertThat(lines).hasSizeGreaterThan(3);
		for (int[] swap : List.of(new int[] { 0, 1 }, new int[] { 1, 2 }, new int[] { 0, lines.size() - 1 })) {
			List<String> reordered = new ArrayList<>(lines);
			reordered.set(swap[0], lines.get(swap[1]));
			reordered.set(swap[1], lines.get(swap[0]));

			assertTampered(format, joinLines(reordered), "lines " + swap[0] + " and " + swap[1] + " swapped");
		}
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void nonUtf8BytesInsertedFail(ExportFormat format) throws Exception {
		byte[] file = EXPORTS.get(format).file();
		String text = new String(file, StandardCharsets.ISO_8859_1);
		List<Integer> positions = new ArrayList<>(List.of(0, file.length / 2, file.length));
		positions.add(text.indexOf("\"{") + 3);
		positions.add(text.indexOf("\"action\":\"") + 11);
		positions.removeIf((position) -> position < 0 || position > file.length);
		for (byte[] invalid : List.of(new byte[] { (byte) 0xff }, new byte[] { (byte) 0xc3, '(' },
				new byte[] { (byte) 0xe2, (byte) 0x82 }, new byte[] { (byte) 0xed, (byte) 0xa0, (byte) 0x80 })) {
			for (int position : positions) {
				byte[] changed = concat(concat(Arrays.copyOf(file, position), invalid),
						Arrays.copyOfRange(file, position, file.length));
				assertTampered(format, changed, invalid.length + " non-UTF-8 bytes at " + position);
			}
		}
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void emptyFileFails(ExportFormat format) throws Exception {
		assertTampered(format, new byte[0], "empty file");
	}

	@ParameterizedTest
	@EnumSource(ExportFormat.class)
	void anotherExportsManifestFails(ExportFormat format) throws Exception {
		for (ExportFormat other : ExportFormat.values()) {
			if (other != format) {
				Verification verification = verify(EXPORTS.get(format).file(), EXPORTS.get(other).manifest());

				assertFailed(verification);
				assertThat(verification.output()).contains("signature: OK", "sha256: FAILED");
			}
		}
	}

	static Stream<Arguments> badlySignedManifests() {
		List<Arguments> cases = new ArrayList<>();
		for (ExportFormat format : ExportFormat.values()) {
			Map<String, Object> manifest = parse(EXPORTS.get(format).manifest());
			String signature = (String) manifest.get("signature");
			char flipped = (signature.charAt(5) == 'A') ? 'B' : 'A';
			cases.add(Arguments.of(format, "signature with one character changed",
					with(manifest, "signature", signature.substring(0, 5) + flipped + signature.substring(6))));
			cases.add(Arguments.of(format, "signature that is not base64",
					with(manifest, "signature", "not base64 ***")));
			cases.add(Arguments.of(format, "empty signature", with(manifest, "signature", "")));
			cases.add(Arguments.of(format, "signature that is a number", with(manifest, "signature", 42)));
			cases.add(Arguments.of(format, "no signature", with(manifest, "signature", null)));
			cases.add(Arguments.of(format, "signature of another manifest",
					with(manifest, "signature", parse(EXPORTS.get(other(format)).manifest()).get("signature"))));
			cases.add(Arguments.of(format, "a field changed after signing", with(manifest, "requested_by", "mallory")));
			cases.add(Arguments.of(format, "a list where the canonical form has none",
					with(manifest, "columns", List.of("id", "actor"))));
			cases.add(Arguments.of(format, "a fraction where the canonical form has none",
					with(manifest, "row_count", 1.5)));
		}
		return cases.stream();
	}

	@ParameterizedTest(name = "{0}: {1}")
	@MethodSource("badlySignedManifests")
	void badlySignedManifestFails(ExportFormat format, String what, byte[] manifest) throws Exception {
		Verification verification = verify(EXPORTS.get(format).file(), manifest);

		assertFailed(verification);
		assertThat(verification.output()).as(what).contains("signature: FAILED");
	}

	static Stream<Arguments> manifestsThatAreNotJsonObjects() {
		byte[] genuine = EXPORTS.get(ExportFormat.CSV).manifest();
		String text = new String(genuine, StandardCharsets.UTF_8);
		return Stream.of(Arguments.of("empty", new byte[0]), Arguments.of("not JSON", bytes("export manifest")),
				Arguments.of("JSON null", bytes("null")), Arguments.of("JSON array", bytes("[" + text + "]")),
				Arguments.of("JSON string", bytes("\"" + text.replace("\"", "'") + "\"")),
				Arguments.of("JSON number", bytes("42")),
				Arguments.of("truncated", Arrays.copyOf(genuine, genuine.length / 2)),
				Arguments.of("two objects", concat(genuine, genuine)),
				Arguments.of("a duplicated key", bytes(text.replaceFirst("\\{", "{\"requested_by\":\"mallory\","))),
				Arguments.of("not UTF-8", concat(new byte[] { (byte) 0xff, (byte) 0xfe }, genuine)),
				Arguments.of("larger than a manifest can be", new byte[VerifyExport.MAX_DOCUMENT_BYTES + 1]));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("manifestsThatAreNotJsonObjects")
	void manifestThatIsNotAJsonObjectFails(String what, byte[] manifest) throws Exception {
		for (ExportFormat format : ExportFormat.values()) {
			Verification verification = verify(EXPORTS.get(format).file(), manifest);

			assertFailed(verification);
			assertThat(verification.output()).as(what).contains("manifest: FAILED");
		}
	}

	@Test
	void unusablePublicKeyFailsTheSignatureButTheFileIsStillChecked() throws Exception {
		Signed signed = EXPORTS.get(ExportFormat.CSV);
		for (byte[] key : List.of(new byte[0], bytes("not a key"), bytes("{\"keyset\": 42}"),
				bytes("{\"key\": [], \"primaryKeyId\": 1}"), new byte[] { (byte) 0xff })) {
			Verification verification = OfflineVerifier.verify(files, signed.file(), signed.manifest(), key);

			assertFailed(verification);
			assertThat(verification.output()).contains("signature: FAILED", "sha256: OK", "row_count: OK");
		}
	}

	@Test
	void missingFilesFail() throws Exception {
		Path missing = files.resolve("no-such-file");
		Signed signed = EXPORTS.get(ExportFormat.CSV);
		Path dir = Files.createTempDirectory(files, "missing");
		Path export = Files.write(dir.resolve("export"), signed.file());
		Path manifest = Files.write(dir.resolve("manifest"), signed.manifest());
		Path key = Files.write(dir.resolve("key"), publicKey);

		assertFailed(OfflineVerifier.verify(missing, manifest, key));
		assertFailed(OfflineVerifier.verify(export, missing, key));
		assertFailed(OfflineVerifier.verify(export, manifest, missing));
		assertFailed(OfflineVerifier.verify(export, manifest, dir));
	}

	@Test
	void badArgumentsFailWithTheUsage() {
		for (String[] args : List.of(new String[0], new String[] { "--export" }, new String[] { "--verbose", "x" },
				new String[] { "--export", "a\0b", "--manifest", "m", "--public-key", "k" })) {
			ByteArrayOutputStream output = new ByteArrayOutputStream();

			int code = VerifyExport.run(args, new PrintStream(output, true, StandardCharsets.UTF_8));

			assertThat(code).isEqualTo(1);
			assertThat(output.toString(StandardCharsets.UTF_8)).startsWith("FAILED: ").contains("usage: VerifyExport");
		}
	}

	/**
	 * A tampered file fails with its genuine manifest (signature OK, SHA-256 not) and
	 * with a manifest forged to match it (SHA-256 OK, signature not), for which the
	 * verifier also parses it and reports the row count.
	 */
	private static void assertTampered(ExportFormat format, byte[] tampered, String what) throws Exception {
		Signed signed = EXPORTS.get(format);
		Verification genuine = verify(tampered, signed.manifest());
		assertFailed(genuine);
		assertThat(genuine.output()).as("%s: %s", what, genuine).contains("signature: OK", "sha256: FAILED");

		Map<String, Object> forged = parse(signed.manifest());
		forged.put("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(tampered)));
		forged.put("size_bytes", tampered.length);
		Verification parsed = verify(tampered, JSON.writeValueAsBytes(forged));
		assertFailed(parsed);
		assertThat(parsed.output()).as("%s (forged manifest): %s", what, parsed)
			.contains("signature: FAILED", "sha256: OK")
			.containsPattern((format == ExportFormat.PDF) ? "row_count: not checked"
					: "row_count: (OK|FAILED \\((file \\d+, manifest \\d+|not " + format.label() + ": .+)\\))");
	}

	private static void assertFailed(Verification verification) {
		assertThat(verification.code()).as("%s", verification).isEqualTo(1);
		assertThat(verification.verdict()).as("%s", verification).startsWith("FAILED: ");
		assertThat(verification.errors()).as("%s", verification).isEmpty();
		assertThat(verification.output()).as("%s", verification).doesNotContain("\tat ", "Exception in");
	}

	private static Verification verify(byte[] export, byte[] manifest) throws Exception {
		return OfflineVerifier.verify(files, export, manifest, publicKey);
	}

	private static byte replacement(byte original, int position) {
		byte replacement = REPLACEMENTS[position % REPLACEMENTS.length];
		return (replacement != original) ? replacement : (byte) (original ^ 1);
	}

	/** The file cut after each LF, line ends kept. */
	private static List<String> lines(byte[] file) {
		String text = new String(file, StandardCharsets.ISO_8859_1);
		List<String> lines = new ArrayList<>();
		int start = 0;
		for (int end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
			lines.add(text.substring(start, end + 1));
			start = end + 1;
		}
		if (start < text.length()) {
			lines.add(text.substring(start));
		}
		return lines;
	}

	private static byte[] joinLines(List<String> lines) {
		return String.join("", lines).getBytes(StandardCharsets.ISO_8859_1);
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.ISO_8859_1);
	}

	private static byte[] concat(byte[] first, byte[] second) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		out.writeBytes(first);
		out.writeBytes(second);
		return out.toByteArray();
	}

	@SuppressWarnings("unchecked")
	private static Map<String, Object> parse(byte[] manifest) {
		return new LinkedHashMap<>(JSON.readValue(manifest, Map.class));
	}

	private static byte[] with(Map<String, Object> manifest, String field, Object value) {
		Map<String, Object> changed = new LinkedHashMap<>(manifest);
		changed.put(field, value);
		return JSON.writeValueAsBytes(changed);
	}

	private static ExportFormat other(ExportFormat format) {
		return ExportFormat.values()[(format.ordinal() + 1) % ExportFormat.values().length];
	}

	private static HttpResponse<byte[]> get(String path) throws Exception {
		return CLIENT.send(HttpRequest.newBuilder(URI.create(app.url(path)))
			.header("Authorization", "Bearer " + issuer.token("carol", "COMPLIANCE"))
			.build(), HttpResponse.BodyHandlers.ofByteArray());
	}

	/** One export as downloaded: the file and its manifest, byte for byte. */
	record Signed(byte[] file, byte[] manifest) {
	}

}
