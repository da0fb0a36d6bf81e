package dev.warden.worker.loader;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The SHA-256 of a model version's files, as one digest: the SHA-256 of the listing
 * {@code <sha256 of the file>  <path relative to the version directory>\n} of every
 * regular file under the directory, sorted by path ('/' separators, Unicode order), which
 * is what {@code sha256sum} prints. So it can be checked by hand:
 * {@code cd <store>/<model>/<version> && find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum}
 * (for ASCII file names). Symbolic links are not followed.
 */
public final class ModelDigest {

	private ModelDigest() {
	}

	/** The digest of the files under {@code versionDir}. */
	public static String of(Path versionDir) {
		List<Path> files;
		try (Stream<Path> walk = Files.walk(versionDir)) {
			files = walk.filter((path) -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))
				.sorted((a, b) -> relative(versionDir, a).compareTo(relative(versionDir, b)))
				.toList();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		MessageDigest listing = sha256();
		for (Path file : files) {
			String line = fileSha256(file) + "  " + relative(versionDir, file) + "\n";
			listing.update(line.getBytes(StandardCharsets.UTF_8));
		}
		return HexFormat.of().formatHex(listing.digest());
	}

	private static String relative(Path root, Path file) {
		return root.relativize(file).toString().replace('\\', '/');
	}

	private static String fileSha256(Path file) {
		MessageDigest digest = sha256();
		byte[] buffer = new byte[64 * 1024];
		try (InputStream in = Files.newInputStream(file)) {
			int n;
			while ((n = in.read(buffer)) >= 0) {
				digest.update(buffer, 0, n);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return HexFormat.of().formatHex(digest.digest());
	}

	private static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
