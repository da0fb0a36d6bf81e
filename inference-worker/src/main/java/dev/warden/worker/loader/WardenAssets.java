package dev.warden.worker.loader;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warden's own files in a version's {@code assets.extra/} (regular files whose names
 * start with {@code warden-}, such as {@code warden-explain.json}), read when the version
 * loads, so that what needs them (explanations) reads nothing from the model store
 * afterwards and sees the files of the version it runs on.
 *
 * <p>
 * A file larger than {@value #MAX_FILE_BYTES} bytes, or one that cannot be read, is left
 * out with a warning in the log: the version loads all the same, without the feature the
 * file was for.
 */
public final class WardenAssets {

	static final String PREFIX = "warden-";

	static final int MAX_FILE_BYTES = 16 * 1024 * 1024;

	static final WardenAssets NONE = new WardenAssets(Map.of());

	private static final Logger log = LoggerFactory.getLogger(WardenAssets.class);

	private final Map<String, byte[]> files;

	private WardenAssets(Map<String, byte[]> files) {
		this.files = files;
	}

	/** The file's bytes (a copy), if the version ships it. */
	public Optional<byte[]> file(String name) {
		byte[] bytes = files.get(name);
		return bytes == null ? Optional.empty() : Optional.of(bytes.clone());
	}

	static WardenAssets read(Path versionDir) {
		Path dir = versionDir.resolve("assets.extra");
		if (!Files.isDirectory(dir)) {
			return NONE;
		}
		Map<String, byte[]> files = new TreeMap<>();
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, PREFIX + "*")) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (!Files.isRegularFile(entry)) {
					continue;
				}
				if (Files.size(entry) > MAX_FILE_BYTES) {
					log.warn("{} is larger than {} bytes and is ignored", entry, MAX_FILE_BYTES);
					continue;
				}
				files.put(name, Files.readAllBytes(entry));
			}
		}
		catch (IOException ex) {
			log.warn("Cannot read {}: {}; the version loads without its Warden files", dir, ex.toString());
			return NONE;
		}
		return files.isEmpty() ? NONE : new WardenAssets(Map.copyOf(files));
	}

}
