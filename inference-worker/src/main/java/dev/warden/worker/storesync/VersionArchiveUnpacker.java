package dev.warden.worker.storesync;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Enumeration;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Unpacks the archive of a model version (a zip of the version directory, as the
 * platform's model store serves it) into an empty directory, refusing anything that could
 * write outside it or exhaust the disk: names must be relative, without {@code ..},
 * backslashes, NUL or a drive letter, and must resolve inside the target (zip-slip); only
 * files and directories are created (no links, no file modes from the archive); a
 * duplicate name is refused; the number of entries and the bytes actually decompressed
 * are bounded; the result must have {@code saved_model.pb} at its root. Used by the store
 * sync and by the validation endpoint's archive form (control.ValidationController).
 * Stateless.
 */
public final class VersionArchiveUnpacker {

	private VersionArchiveUnpacker() {
	}

	/** Why an archive was refused. */
	public static final class RefusedArchiveException extends IOException {

		private static final long serialVersionUID = 1L;

		RefusedArchiveException(String message) {
			super(message);
		}

	}

	/**
	 * Unpacks {@code archive} into the empty directory {@code target}.
	 * @throws RefusedArchiveException with a client-safe reason when the archive is
	 * refused
	 */
	public static void unpack(Path archive, Path target, long maxBytes, int maxEntries) throws IOException {
		Path root = target.toAbsolutePath().normalize();
		long bytes = 0;
		int entries = 0;
		ZipFile zip;
		try {
			zip = new ZipFile(archive.toFile());
		}
		catch (ZipException ex) {
			throw new RefusedArchiveException("not a readable zip archive: " + ex.getMessage());
		}
		try (zip) {
			Enumeration<? extends ZipEntry> all = zip.entries();
			byte[] buffer = new byte[64 * 1024];
			while (all.hasMoreElements()) {
				ZipEntry entry = all.nextElement();
				if (++entries > maxEntries) {
					throw new RefusedArchiveException("more than " + maxEntries + " entries");
				}
				Path path = resolveInside(root, entry.getName());
				if (path == null) {
					continue;
				}
				if (entry.isDirectory()) {
					Files.createDirectories(path);
					continue;
				}
				Files.createDirectories(path.getParent());
				try (InputStream in = zip.getInputStream(entry);
						OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW,
								StandardOpenOption.WRITE)) {
					int n;
					while ((n = in.read(buffer)) >= 0) {
						bytes += n;
						if (bytes > maxBytes) {
							throw new RefusedArchiveException("unpacks to more than " + maxBytes + " bytes");
						}
						out.write(buffer, 0, n);
					}
				}
				catch (FileAlreadyExistsException ex) {
					throw new RefusedArchiveException("duplicate entry " + printable(entry.getName()));
				}
			}
		}
		if (!Files.isRegularFile(root.resolve("saved_model.pb"), LinkOption.NOFOLLOW_LINKS)) {
			throw new RefusedArchiveException("no saved_model.pb at the root of the archive");
		}
	}

	/**
	 * The entry's path inside {@code root}, or null for the root itself; refuses every
	 * name that could leave it.
	 */
	static Path resolveInside(Path root, String name) throws RefusedArchiveException {
		if (name == null || name.isEmpty() || name.length() > 1024) {
			throw new RefusedArchiveException("an entry has an empty or over-long name");
		}
		if (name.indexOf('\0') >= 0 || name.indexOf('\\') >= 0 || name.startsWith("/")
				|| (name.length() >= 2 && name.charAt(1) == ':')) {
			throw new RefusedArchiveException("unsafe entry name " + printable(name));
		}
		StringBuilder relative = new StringBuilder();
		for (String segment : name.split("/")) {
			if (segment.isEmpty() || segment.equals(".")) {
				continue;
			}
			if (segment.equals("..")) {
				throw new RefusedArchiveException("entry " + printable(name) + " refers to a parent directory");
			}
			if (relative.length() > 0) {
				relative.append('/');
			}
			relative.append(segment);
		}
		if (relative.length() == 0) {
			return null;
		}
		Path path = root.resolve(relative.toString()).normalize();
		if (!path.startsWith(root) || path.equals(root)) {
			throw new RefusedArchiveException("entry " + printable(name) + " resolves outside the version directory");
		}
		return path;
	}

	private static String printable(String name) {
		String shown = (name.length() > 200) ? name.substring(0, 200) + "..." : name;
		return "'" + shown.replaceAll("\\p{Cntrl}", "?") + "'";
	}

}
