package dev.warden.platform.model.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The archive of one model version as the model store keeps it: a zip of the version
 * directory ({@code saved_model.pb}, {@code variables/}, ...) at the archive's root,
 * deterministic for the same files (entries sorted by path, directories as entries ending
 * in {@code /}, one fixed time stamp, no extra fields, no comments), written in one pass
 * while its SHA-256 and size are computed. Only regular files and directories are
 * archived; a symbolic link or another special file is refused. Stateless.
 */
public final class VersionArchive {

	/** The time stamp of every entry (the zip format's earliest, 1980-01-01). */
	private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 1, 1, 0, 0);

	private VersionArchive() {
	}

	/** Writes the archive of {@code versionDir} to {@code target} (a new file). */
	public static Built write(Path versionDir, Path target) throws IOException {
		List<String> entries = entries(versionDir);
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		CountingOutputStream counted;
		try (OutputStream file = Files.newOutputStream(target, StandardOpenOption.CREATE_NEW);
				DigestOutputStream digested = new DigestOutputStream(file, sha256)) {
			counted = new CountingOutputStream(digested);
			try (ZipOutputStream zip = new ZipOutputStream(counted)) {
				for (String name : entries) {
					ZipEntry entry = new ZipEntry(name);
					entry.setTimeLocal(FIXED_TIME);
					zip.putNextEntry(entry);
					if (!name.endsWith("/")) {
						try (InputStream in = Files.newInputStream(versionDir.resolve(name),
								LinkOption.NOFOLLOW_LINKS)) {
							in.transferTo(zip);
						}
					}
					zip.closeEntry();
				}
			}
		}
		return new Built(HexFormat.of().formatHex(sha256.digest()), counted.count);
	}

	/** The entries' names, sorted, directories ending in {@code /}. */
	private static List<String> entries(Path versionDir) throws IOException {
		List<String> names = new ArrayList<>();
		try (Stream<Path> paths = Files.walk(versionDir)) {
			for (Path path : (Iterable<Path>) paths::iterator) {
				if (path.equals(versionDir)) {
					continue;
				}
				String name = versionDir.relativize(path).toString().replace('\\', '/');
				if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
					names.add(name + "/");
				}
				else if (Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
					names.add(name);
				}
				else {
					throw new IOException("not a regular file or directory, not archived: " + path);
				}
			}
		}
		names.sort(null);
		return names;
	}

	/**
	 * An archive written.
	 *
	 * @param sha256 its SHA-256 (lower-case hex)
	 * @param size its length in bytes
	 */
	public record Built(String sha256, long size) {
	}

	private static final class CountingOutputStream extends java.io.FilterOutputStream {

		private long count;

		CountingOutputStream(OutputStream out) {
			super(out);
		}

		@Override
		public void write(int b) throws IOException {
			this.out.write(b);
			this.count++;
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.out.write(b, off, len);
			this.count += len;
		}

	}

}
