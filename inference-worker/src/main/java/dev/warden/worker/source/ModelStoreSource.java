package dev.warden.worker.source;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The source of servables: tells which versions should be served by scanning the model
 * store. A version is aspired when {@code <store>/<model>/<version>/saved_model.pb}
 * exists, the model name is a plain token and the version a positive integer; anything
 * else (temporary export directories, stray files) is ignored.
 *
 * <p>
 * As in TensorFlow Serving, a version directory may be zero-padded ({@code 00000123} is
 * version 123), so a model directory copied from TF Serving's store works unchanged. If
 * two directories name the same version ({@code 123} and {@code 0123}), the one without
 * leading zeros wins, else the first by name, and the other is ignored with a warning.
 *
 * <p>
 * Thread-safe and stateless: each {@link #scan()} reads the file system afresh. A missing
 * store is an empty store.
 */
@Component
public class ModelStoreSource {

	private static final Logger log = LoggerFactory.getLogger(ModelStoreSource.class);

	static final Pattern MODEL_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

	static final Pattern VERSION = Pattern.compile("[0-9]{1,18}");

	private final Path root;

	public ModelStoreSource(ModelStoreProperties properties) {
		this.root = properties.path().toAbsolutePath().normalize();
	}

	public Path root() {
		return root;
	}

	/**
	 * The aspired versions: servable id → version directory, ordered by model name then
	 * version.
	 */
	public SortedMap<ServableId, Path> scan() {
		SortedMap<ServableId, Path> found = new TreeMap<>();
		if (!Files.isDirectory(root)) {
			return found;
		}
		try (DirectoryStream<Path> models = Files.newDirectoryStream(root, Files::isDirectory)) {
			for (Path modelDir : models) {
				String name = modelDir.getFileName().toString();
				if (MODEL_NAME.matcher(name).matches()) {
					scanModel(name, modelDir, found);
				}
			}
		}
		catch (IOException ex) {
			log.warn("Cannot scan model store {}: {}", root, ex.toString());
		}
		return found;
	}

	private static void scanModel(String name, Path modelDir, Map<ServableId, Path> found) throws IOException {
		try (DirectoryStream<Path> versions = Files.newDirectoryStream(modelDir, Files::isDirectory)) {
			for (Path versionDir : versions) {
				String dirName = versionDir.getFileName().toString();
				if (!VERSION.matcher(dirName).matches() || !Files.isRegularFile(versionDir.resolve("saved_model.pb"))) {
					continue;
				}
				long version = Long.parseLong(dirName);
				if (version == 0) {
					continue;
				}
				ServableId id = new ServableId(name, version);
				Path other = found.get(id);
				if (other == null) {
					found.put(id, versionDir);
				}
				else {
					Path kept = preferred(other, versionDir);
					found.put(id, kept);
					log.warn("Model {}: directories {} and {} both hold version {}; serving {}", name,
							other.getFileName(), versionDir.getFileName(), version, kept.getFileName());
				}
			}
		}
	}

	/**
	 * Of two directories naming one version: the one without leading zeros, else the
	 * first by name.
	 */
	private static Path preferred(Path a, Path b) {
		boolean aPadded = a.getFileName().toString().startsWith("0");
		boolean bPadded = b.getFileName().toString().startsWith("0");
		if (aPadded != bPadded) {
			return aPadded ? b : a;
		}
		return a.getFileName().toString().compareTo(b.getFileName().toString()) <= 0 ? a : b;
	}

}
