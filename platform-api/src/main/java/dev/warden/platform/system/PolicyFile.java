package dev.warden.platform.system;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.springframework.core.io.ClassPathResource;

/**
 * A governance file of the policies directory ({@code warden.policies-dir}) as every
 * reader of it finds it: the file in that directory when there is one; else, when the
 * directory does not exist, the copy packaged in the jar under {@code policies/}; else (a
 * policies directory without the file) none.
 *
 * @param name the file name, e.g. {@code logging.yaml}
 * @param source where it was found
 * @param path the file in the policies directory ({@code null} unless {@code source} is
 * {@link Source#FILE})
 * @param content its bytes ({@code null} when {@code source} is {@link Source#ABSENT})
 */
public record PolicyFile(String name, Source source, Path path, byte[] content) {

	/**
	 * Reads the file {@code name} of the policies directory {@code dir}, or its packaged
	 * copy.
	 */
	public static PolicyFile read(Path dir, String name) throws IOException {
		Path file = dir.resolve(name);
		if (Files.isRegularFile(file)) {
			return new PolicyFile(name, Source.FILE, file, Files.readAllBytes(file));
		}
		ClassPathResource packaged = new ClassPathResource("policies/" + name);
		if (Files.isDirectory(dir) || !packaged.exists()) {
			return new PolicyFile(name, Source.ABSENT, null, null);
		}
		try (InputStream in = packaged.getInputStream()) {
			return new PolicyFile(name, Source.PACKAGED, null, in.readAllBytes());
		}
	}

	/** Where a policy file was found. */
	public enum Source {

		/** In the policies directory. */
		FILE,

		/** In the jar (the policies directory does not exist). */
		PACKAGED,

		/** Nowhere: the policies directory exists without it. */
		ABSENT

	}

}
