package dev.warden.platform.model;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;

/**
 * Builds zip and tar.gz archives for upload tests, including ones no honest tool would
 * produce.
 */
final class TestArchives {

	/** Marks an entry that is a symbolic link (value = target) in {@link #tarGz}. */
	static final String SYMLINK = "symlink:";

	/** Marks an entry that is a hard link (value = target) in {@link #tarGz}. */
	static final String HARDLINK = "hardlink:";

	/** Marks an entry that is a character device in {@link #tarGz}. */
	static final String CHARDEV = "chardev:";

	private TestArchives() {
	}

	/**
	 * The files of the small income SavedModel in the test resources
	 * ({@code /saved-model/income/}), by relative name.
	 */
	static Map<String, byte[]> incomeSavedModel() throws Exception {
		Path dir = Path.of(TestArchives.class.getResource("/saved-model/income/saved_model.pb").toURI()).getParent();
		return files(dir, "");
	}

	/**
	 * The files of a directory, by '/'-separated relative name, directories as entries
	 * ending in '/'.
	 */
	static Map<String, byte[]> files(Path dir, String prefix) {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		try (Stream<Path> paths = Files.walk(dir)) {
			for (Path path : paths.sorted().toList()) {
				if (path.equals(dir)) {
					continue;
				}
				String name = prefix + dir.relativize(path).toString().replace('\\', '/');
				entries.put(Files.isDirectory(path) ? name + "/" : name,
						Files.isDirectory(path) ? new byte[0] : Files.readAllBytes(path));
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return entries;
	}

	static byte[] zip(Map<String, byte[]> entries) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				zip.putNextEntry(new ZipEntry(entry.getKey()));
				zip.write(entry.getValue());
				zip.closeEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Entries whose name starts with {@link #SYMLINK} or {@link #HARDLINK} become links
	 * to the UTF-8 value; names are kept verbatim (absolute ones included).
	 */
	static byte[] tarGz(Map<String, byte[]> entries) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
			tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				String name = entry.getKey();
				TarArchiveEntry tarEntry;
				if (name.startsWith(CHARDEV)) {
					tarEntry = new TarArchiveEntry(name.substring(CHARDEV.length()), TarConstants.LF_CHR, true);
					tarEntry.setDevMajor(1);
					tarEntry.setDevMinor(3);
					tar.putArchiveEntry(tarEntry);
				}
				else if (name.startsWith(SYMLINK) || name.startsWith(HARDLINK)) {
					boolean symbolic = name.startsWith(SYMLINK);
					tarEntry = new TarArchiveEntry(name.substring((symbolic ? SYMLINK : HARDLINK).length()),
							symbolic ? TarConstants.LF_SYMLINK : TarConstants.LF_LINK, true);
					tarEntry.setLinkName(new String(entry.getValue(), java.nio.charset.StandardCharsets.UTF_8));
					tar.putArchiveEntry(tarEntry);
				}
				else {
					tarEntry = new TarArchiveEntry(name, true);
					if (!name.endsWith("/")) {
						tarEntry.setSize(entry.getValue().length);
					}
					tar.putArchiveEntry(tarEntry);
					tar.write(entry.getValue());
				}
				tar.closeArchiveEntry();
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * A zip (made with Commons Compress) whose extra entry {@code name} is a Unix
	 * symbolic link to {@code target}.
	 */
	static byte[] zipWithSymlink(Map<String, byte[]> entries, String name, String target) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipArchiveOutputStream zip = new ZipArchiveOutputStream(bytes)) {
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				zip.putArchiveEntry(new ZipArchiveEntry(entry.getKey()));
				zip.write(entry.getValue());
				zip.closeArchiveEntry();
			}
			ZipArchiveEntry link = new ZipArchiveEntry(name);
			link.setUnixMode(0120777);
			zip.putArchiveEntry(link);
			zip.write(target.getBytes(java.nio.charset.StandardCharsets.UTF_8));
			zip.closeArchiveEntry();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	static byte[] gzip(byte[] content) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (GZIPOutputStream gzip = new GZIPOutputStream(bytes)) {
			gzip.write(content);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	static Map<String, byte[]> with(Map<String, byte[]> entries, String name, byte[] content) {
		Map<String, byte[]> copy = new LinkedHashMap<>(entries);
		copy.put(name, content);
		return copy;
	}

	static Map<String, byte[]> without(Map<String, byte[]> entries, String name) {
		Map<String, byte[]> copy = new LinkedHashMap<>(entries);
		copy.remove(name);
		return copy;
	}

}
