package dev.warden.platform.model.internal;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import org.springframework.http.HttpStatus;

import dev.warden.platform.system.ApiException;

/**
 * Safe extraction of an uploaded SavedModel archive ({@code .zip} or {@code .tar.gz},
 * told apart by their magic bytes, never by the file name).
 *
 * <p>
 * Every entry is checked before a byte of it is written: names must be relative, without
 * {@code ..}, backslashes or NUL; only regular files and directories are accepted
 * (symbolic and hard links, devices, FIFOs, sparse and other special entries are
 * refused); the number of entries and the bytes actually decompressed are bounded.
 * Nothing is ever written outside {@code target}, no link is ever created, and no file
 * mode from the archive is applied. On any refusal an {@link ApiException} is thrown (400
 * malformed or unsafe, 413 over a limit, 422 not a SavedModel) and the caller deletes
 * {@code target}. Stateless and thread-safe.
 */
public final class SavedModelArchive {

	private static final int MAX_NAME_LENGTH = 1024;

	private static final int MAX_SEGMENT_LENGTH = 255;

	private static final int UNIX_TYPE_MASK = 0170000;

	private static final int UNIX_REGULAR_FILE = 0100000;

	private static final int UNIX_DIRECTORY = 0040000;

	private SavedModelArchive() {
	}

	/** The two accepted container formats. */
	public enum Format {

		ZIP("zip"), TAR_GZ("tar.gz");

		private final String label;

		Format(String label) {
			this.label = label;
		}

		public String label() {
			return this.label;
		}

	}

	/** Bounds against decompression bombs. */
	public record Limits(long maxUncompressedBytes, int maxEntries) {
	}

	/**
	 * The result of a successful extraction.
	 *
	 * @param modelRoot the directory holding {@code saved_model.pb}: {@code target}
	 * itself or its single top-level directory
	 * @param wrapped whether the archive wrapped the SavedModel in one top-level
	 * directory
	 */
	public record Extracted(Format format, int entries, long uncompressedBytes, Path modelRoot, boolean wrapped) {
	}

	/** Tells the format from the first bytes of the file. */
	public static Format detect(Path archive) throws IOException {
		byte[] head = new byte[4];
		int read;
		try (InputStream in = Files.newInputStream(archive)) {
			read = in.readNBytes(head, 0, head.length);
		}
		if (read == 0) {
			throw ApiException.badRequest("empty_file", "the uploaded file is empty");
		}
		if (read >= 4 && head[0] == 'P' && head[1] == 'K'
				&& ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) {
			return Format.ZIP;
		}
		if (read >= 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b) {
			return Format.TAR_GZ;
		}
		throw ApiException.badRequest("not_an_archive",
				"the uploaded file is neither a zip nor a gzip-compressed tar archive (checked by content, not by name)");
	}

	/**
	 * Extracts {@code archive} into the existing empty directory {@code target} and
	 * locates {@code saved_model.pb}.
	 * @throws ApiException 400, 413 or 422 as described on the class
	 * @throws UncheckedIOException when writing to {@code target} fails (a server-side
	 * problem, not the client's)
	 */
	public static Extracted extract(Path archive, Path target, Limits limits) throws IOException {
		Format format = detect(archive);
		Counter counter = new Counter(limits);
		switch (format) {
			case ZIP -> extractZip(archive, target, counter);
			case TAR_GZ -> extractTarGz(archive, target, counter);
		}
		Path root = target;
		boolean wrapped = false;
		if (!isSavedModelDir(target)) {
			List<Path> top = list(target);
			if (top.size() == 1 && Files.isDirectory(top.get(0), LinkOption.NOFOLLOW_LINKS)
					&& isSavedModelDir(top.get(0))) {
				root = top.get(0);
				wrapped = true;
			}
			else {
				throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "not_a_saved_model",
						"no saved_model.pb at the root of the archive nor inside a single top-level directory");
			}
		}
		return new Extracted(format, counter.entries, counter.bytes, root, wrapped);
	}

	private static void extractZip(Path archive, Path target, Counter counter) throws IOException {
		ZipFile zip;
		try {
			zip = ZipFile.builder().setPath(archive).get();
		}
		catch (IOException | RuntimeException ex) {
			throw invalid("not a readable zip archive: " + ex.getMessage());
		}
		try (zip) {
			Enumeration<ZipArchiveEntry> entries = zip.getEntriesInPhysicalOrder();
			while (entries.hasMoreElements()) {
				ZipArchiveEntry entry = entries.nextElement();
				counter.entry();
				String name = entry.getName();
				String relative = safeRelativePath(name);
				if (entry.isUnixSymlink()) {
					throw unsafe("entry '" + printable(name) + "' is a symbolic link");
				}
				if (entry.getPlatform() == ZipArchiveEntry.PLATFORM_UNIX) {
					int type = entry.getUnixMode() & UNIX_TYPE_MASK;
					if (type != 0 && type != UNIX_REGULAR_FILE && type != UNIX_DIRECTORY) {
						throw unsafe("entry '" + printable(name) + "' is not a regular file or directory");
					}
				}
				if (relative == null) {
					continue;
				}
				if (entry.isDirectory()) {
					createDirectory(target, relative, name);
					continue;
				}
				if (!zip.canReadEntryData(entry)) {
					throw invalid(
							"entry '" + printable(name) + "' uses an unsupported compression method or encryption");
				}
				InputStream in;
				try {
					in = zip.getInputStream(entry);
				}
				catch (IOException | RuntimeException ex) {
					throw invalid("entry '" + printable(name) + "' cannot be read: " + ex.getMessage());
				}
				try (in) {
					writeFile(target, relative, name, in, counter);
				}
			}
		}
	}

	private static void extractTarGz(Path archive, Path target, Counter counter) throws IOException {
		try (InputStream file = Files.newInputStream(archive);
				BufferedInputStream buffered = new BufferedInputStream(file)) {
			GzipCompressorInputStream gzip;
			try {
				gzip = GzipCompressorInputStream.builder()
					.setInputStream(buffered)
					.setDecompressConcatenated(true)
					.get();
			}
			catch (IOException | RuntimeException ex) {
				throw invalid("not a readable gzip stream: " + ex.getMessage());
			}
			BufferedInputStream tarBytes = new BufferedInputStream(gzip, 64 * 1024);
			byte[] header = new byte[TarConstants.DEFAULT_RCDSIZE];
			tarBytes.mark(header.length);
			int read;
			try {
				read = tarBytes.readNBytes(header, 0, header.length);
			}
			catch (IOException ex) {
				throw invalid("not a readable gzip stream: " + ex.getMessage());
			}
			tarBytes.reset();
			if (!TarArchiveInputStream.matches(header, read)) {
				throw invalid("the gzip stream does not contain a tar archive");
			}
			try (TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes)) {
				while (true) {
					TarArchiveEntry entry;
					try {
						entry = tar.getNextEntry();
					}
					catch (IOException | RuntimeException ex) {
						throw invalid("corrupt tar archive: " + ex.getMessage());
					}
					if (entry == null) {
						break;
					}
					counter.entry();
					String name = entry.getName();
					String relative = safeRelativePath(name);
					refuseSpecialTarEntry(entry);
					if (relative == null) {
						continue;
					}
					if (entry.isDirectory()) {
						createDirectory(target, relative, name);
					}
					else {
						writeFile(target, relative, name, tar, counter);
					}
				}
			}
		}
	}

	private static void refuseSpecialTarEntry(TarArchiveEntry entry) {
		String name = printable(entry.getName());
		if (entry.isSymbolicLink()) {
			throw unsafe("entry '" + name + "' is a symbolic link");
		}
		if (entry.isLink()) {
			throw unsafe("entry '" + name + "' is a hard link");
		}
		if (entry.isCharacterDevice() || entry.isBlockDevice()) {
			throw unsafe("entry '" + name + "' is a device");
		}
		if (entry.isFIFO()) {
			throw unsafe("entry '" + name + "' is a FIFO");
		}
		if (entry.isSparse()) {
			throw unsafe("entry '" + name + "' is a sparse file");
		}
		byte flag = entry.getLinkFlag();
		boolean regular = flag == TarConstants.LF_NORMAL || flag == TarConstants.LF_OLDNORM;
		if (!regular && flag != TarConstants.LF_DIR) {
			throw unsafe("entry '" + name + "' has the unsupported type '" + (char) flag + "'");
		}
	}

	/**
	 * The entry's path relative to the extraction directory, or {@code null} for the root
	 * itself ({@code ./}). Refuses absolute paths, drive letters, backslashes, NUL,
	 * {@code ..} and over-long names.
	 */
	public static String safeRelativePath(String name) {
		if (name == null || name.isEmpty()) {
			throw invalid("an entry has an empty name");
		}
		if (name.length() > MAX_NAME_LENGTH) {
			throw invalid("entry name longer than " + MAX_NAME_LENGTH + " characters");
		}
		if (name.indexOf('\0') >= 0) {
			throw unsafe("entry '" + printable(name) + "' contains a NUL character");
		}
		if (name.indexOf('\\') >= 0) {
			throw unsafe("entry '" + printable(name) + "' contains a backslash; use '/' as the separator");
		}
		if (name.startsWith("/") || (name.length() >= 2 && name.charAt(1) == ':')) {
			throw unsafe("entry '" + printable(name) + "' has an absolute path");
		}
		List<String> segments = new ArrayList<>();
		for (String segment : name.split("/")) {
			if (segment.isEmpty() || segment.equals(".")) {
				continue;
			}
			if (segment.equals("..")) {
				throw unsafe("entry '" + printable(name) + "' refers to a parent directory ('..')");
			}
			if (segment.length() > MAX_SEGMENT_LENGTH) {
				throw invalid("entry '" + printable(name) + "' has a path segment longer than " + MAX_SEGMENT_LENGTH);
			}
			segments.add(segment);
		}
		return segments.isEmpty() ? null : String.join("/", segments);
	}

	private static Path resolveInside(Path target, String relative, String name) {
		Path path = target.resolve(relative).normalize();
		if (!path.startsWith(target) || path.equals(target)) {
			throw unsafe("entry '" + printable(name) + "' resolves outside the archive root");
		}
		return path;
	}

	private static void createDirectory(Path target, String relative, String name) {
		Path dir = resolveInside(target, relative, name);
		try {
			Files.createDirectories(dir);
		}
		catch (FileAlreadyExistsException ex) {
			throw invalid("entry '" + printable(name) + "' conflicts with a file of the same name");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static void writeFile(Path target, String relative, String name, InputStream in, Counter counter) {
		Path file = resolveInside(target, relative, name);
		try {
			Files.createDirectories(file.getParent());
		}
		catch (FileAlreadyExistsException ex) {
			throw invalid("entry '" + printable(name) + "' is inside a path that is a file");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		OutputStream out;
		try {
			// CREATE_NEW: a duplicate entry is refused instead of overwriting; never
			// follows a link (none exist)
			out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
		}
		catch (FileAlreadyExistsException ex) {
			throw invalid("duplicate entry '" + printable(name) + "'");
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		byte[] buffer = new byte[64 * 1024];
		try (out) {
			while (true) {
				int n;
				try {
					n = in.read(buffer);
				}
				catch (IOException | RuntimeException ex) {
					throw invalid("entry '" + printable(name) + "' is corrupt: " + ex.getMessage());
				}
				if (n < 0) {
					break;
				}
				counter.bytes(n);
				out.write(buffer, 0, n);
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static boolean isSavedModelDir(Path dir) {
		return Files.isRegularFile(dir.resolve("saved_model.pb"), LinkOption.NOFOLLOW_LINKS);
	}

	private static List<Path> list(Path dir) throws IOException {
		List<Path> children = new ArrayList<>();
		try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
			stream.forEach(children::add);
		}
		return children;
	}

	private static String printable(String name) {
		String shown = (name.length() > 200) ? name.substring(0, 200) + "…" : name;
		StringBuilder out = new StringBuilder(shown.length());
		shown.codePoints().forEach((c) -> {
			if (Character.isISOControl(c)) {
				out.append(String.format(Locale.ROOT, "\\u%04x", c));
			}
			else {
				out.appendCodePoint(c);
			}
		});
		return out.toString();
	}

	private static ApiException invalid(String message) {
		return ApiException.badRequest("invalid_archive", message);
	}

	private static ApiException unsafe(String message) {
		return ApiException.badRequest("unsafe_archive", message);
	}

	/**
	 * Counts entries and the bytes really decompressed (never the sizes the archive
	 * claims).
	 */
	private static final class Counter {

		private final Limits limits;

		private int entries;

		private long bytes;

		Counter(Limits limits) {
			this.limits = limits;
		}

		void entry() {
			if (++this.entries > this.limits.maxEntries()) {
				throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "archive_too_large",
						"the archive has more than " + this.limits.maxEntries() + " entries");
			}
		}

		void bytes(int n) {
			this.bytes += n;
			if (this.bytes > this.limits.maxUncompressedBytes()) {
				throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "archive_too_large",
						"the archive unpacks to more than " + this.limits.maxUncompressedBytes() + " bytes");
			}
		}

	}

}
