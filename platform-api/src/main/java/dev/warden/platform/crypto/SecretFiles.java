package dev.warden.platform.crypto;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes secret files readable by the owner only (mode 0600 from creation on POSIX
 * systems).
 */
public final class SecretFiles {

	private SecretFiles() {
	}

	/**
	 * Creates {@code file} (failing if it exists) with mode 0600 and writes
	 * {@code content}.
	 */
	public static void createOwnerOnly(Path file, String content) throws IOException {
		boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
		Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
		FileAttribute<?>[] attributes = posix
				? new FileAttribute<?>[] { PosixFilePermissions.asFileAttribute(ownerOnly) } : new FileAttribute<?>[0];
		Files.createFile(file, attributes);
		if (posix) {
			Files.setPosixFilePermissions(file, ownerOnly);
		}
		try (OutputStream out = Files.newOutputStream(file, StandardOpenOption.WRITE,
				StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC)) {
			out.write(content.getBytes(StandardCharsets.UTF_8));
		}
	}

}
