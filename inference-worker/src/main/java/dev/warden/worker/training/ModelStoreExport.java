package dev.warden.worker.training;

import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Publishing a trained SavedModel into a TF Serving style model store
 * ({@code <store>/<model>/<version>/}), shared by the reference model trainers.
 *
 * <p>
 * A model is exported into a temporary directory next to the versions (a name the store
 * scanner ignores because it is not a number) and then moved atomically under the next
 * free version number. An existing version is never replaced: when two trainers race for
 * a number, the loser takes the next one.
 */
final class ModelStoreExport {

	private ModelStoreExport() {
	}

	/** A fresh temporary directory name inside {@code modelDir}, not yet created. */
	static Path temporaryExportDir(Path modelDir) {
		return modelDir.resolve(".tmp-" + java.util.UUID.randomUUID());
	}

	/**
	 * Moves the exported directory to the next free version number; never replaces an
	 * existing version.
	 */
	static Path publish(Path modelDir, Path exportDir) throws IOException {
		for (int attempt = 0; attempt < 100; attempt++) {
			Path target = modelDir.resolve(Long.toString(nextVersion(modelDir)));
			try {
				return Files.move(exportDir, target, StandardCopyOption.ATOMIC_MOVE);
			}
			catch (FileAlreadyExistsException | DirectoryNotEmptyException ex) {
				// another trainer took this number first: try the next one
			}
		}
		throw new IOException("could not find a free version number in " + modelDir);
	}

	/**
	 * One more than the highest numeric version directory in {@code modelDir} (1 when
	 * there is none).
	 */
	static long nextVersion(Path modelDir) throws IOException {
		long max = 0;
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(modelDir)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (name.matches("\\d{1,18}")) {
					max = Math.max(max, Long.parseLong(name));
				}
			}
		}
		return max + 1;
	}

	/**
	 * Deletes a directory tree if it exists; best effort (a left-over temporary directory
	 * is ignored by the store).
	 */
	static void deleteQuietly(Path dir) {
		if (dir == null || !Files.exists(dir)) {
			return;
		}
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
		}
		catch (IOException ex) {
			// best effort: a left-over temporary directory is ignored by the model store
			// scanner
		}
	}

}
