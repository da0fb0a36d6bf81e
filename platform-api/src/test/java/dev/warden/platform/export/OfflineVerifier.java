package dev.warden.platform.export;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs {@link VerifyExport} in process on files written for the call, the way an operator
 * runs it on a download: its exit code, everything it printed, and anything that reached
 * {@code System.err} meanwhile (a stack trace printed by a library would show there).
 */
final class OfflineVerifier {

	private OfflineVerifier() {
	}

	/**
	 * Writes the three files into a new directory under {@code parent} and verifies them.
	 */
	static Verification verify(Path parent, byte[] export, byte[] manifest, byte[] publicKey) throws IOException {
		Path dir = Files.createTempDirectory(parent, "verify");
		return verify(Files.write(dir.resolve("export"), export), Files.write(dir.resolve("manifest.json"), manifest),
				Files.write(dir.resolve("public-key.json"), publicKey));
	}

	static Verification verify(Path export, Path manifest, Path publicKey) {
		ByteArrayOutputStream output = new ByteArrayOutputStream();
		ByteArrayOutputStream errors = new ByteArrayOutputStream();
		PrintStream err = System.err;
		int code;
		synchronized (OfflineVerifier.class) {
			System.setErr(new PrintStream(errors, true, StandardCharsets.UTF_8));
			try {
				code = VerifyExport.run(new String[] { "--export", export.toString(), "--manifest", manifest.toString(),
						"--public-key", publicKey.toString() }, new PrintStream(output, true, StandardCharsets.UTF_8));
			}
			finally {
				System.setErr(err);
			}
		}
		return new Verification(code, output.toString(StandardCharsets.UTF_8), errors.toString(StandardCharsets.UTF_8));
	}

	/**
	 * What one run of the verifier did.
	 *
	 * @param code its exit code
	 * @param output what it printed, one line per check and the verdict last
	 * @param errors what reached {@code System.err} while it ran
	 */
	record Verification(int code, String output, String errors) {

		List<String> lines() {
			return this.output.lines().toList();
		}

		/** The verdict: the last line. */
		String verdict() {
			List<String> lines = lines();
			return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
		}

		@Override
		public String toString() {
			return "exit code " + this.code + "\n" + this.output
					+ (this.errors.isEmpty() ? "" : "stderr:\n" + this.errors);
		}

	}

}
