package dev.warden.worker.storesync;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The limits of {@link VersionArchiveUnpacker} on real zip files: what it refuses, and
 * that nothing lands outside the target.
 */
class VersionArchiveUnpackerTests {

	@TempDir
	Path dir;

	@Test
	void aSavedModelArchiveIsUnpackedWithItsDirectories() throws IOException {
		Path target = unpack(Map.of("saved_model.pb", bytes("pb"), "variables/", new byte[0],
				"variables/variables.index", bytes("index")), 1024, 10);

		assertThat(target.resolve("saved_model.pb")).hasContent("pb");
		assertThat(target.resolve("variables/variables.index")).hasContent("index");
	}

	@Test
	void unsafeNamesAreRefusedAndNothingIsWrittenOutside() {
		for (String name : new String[] { "../evil", "a/../../evil", "/evil", "C:/evil", "a\\..\\evil" }) {
			Map<String, byte[]> entries = new LinkedHashMap<>();
			entries.put("saved_model.pb", bytes("pb"));
			entries.put(name, bytes("evil"));
			assertThatThrownBy(() -> unpack(entries, 1024, 10)).as(name)
				.isInstanceOf(VersionArchiveUnpacker.RefusedArchiveException.class);
		}
		try (Stream<Path> all = Files.walk(this.dir)) {
			assertThat(all.map((path) -> path.getFileName().toString())).doesNotContain("evil");
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Test
	void limitsMissingSavedModelAndDuplicatesAreRefused() {
		// 4 MiB of zeros compress to a few KB: the bytes written count, not the archive
		assertThatThrownBy(
				() -> unpack(Map.of("saved_model.pb", bytes("pb"), "variables/zeros", new byte[4 << 20]), 1 << 20, 10))
			.isInstanceOf(VersionArchiveUnpacker.RefusedArchiveException.class)
			.hasMessageContaining("more than 1048576 bytes");
		Map<String, byte[]> many = new LinkedHashMap<>();
		many.put("saved_model.pb", bytes("pb"));
		for (int i = 0; i < 10; i++) {
			many.put("assets/f" + i, new byte[0]);
		}
		assertThatThrownBy(() -> unpack(many, 1024, 10)).hasMessageContaining("more than 10 entries");
		assertThatThrownBy(() -> unpack(Map.of("model/saved_model.pb", bytes("pb")), 1024, 10))
			.hasMessageContaining("no saved_model.pb");
		assertThatThrownBy(
				() -> unpack(Map.of("saved_model.pb", bytes("pb"), "./saved_model.pb", bytes("pb")), 1024, 10))
			.hasMessageContaining("duplicate");
		assertThatThrownBy(() -> {
			Path archive = Files.write(this.dir.resolve("not.zip"), bytes("not a zip"));
			VersionArchiveUnpacker.unpack(archive, Files.createTempDirectory(this.dir, "t"), 1024, 10);
		}).isInstanceOf(VersionArchiveUnpacker.RefusedArchiveException.class);
	}

	private Path unpack(Map<String, byte[]> entries, long maxBytes, int maxEntries) throws IOException {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
			for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
				zip.putNextEntry(new ZipEntry(entry.getKey()));
				zip.write(entry.getValue());
				zip.closeEntry();
			}
		}
		Path work = Files.createTempDirectory(this.dir, "work");
		Path archive = Files.write(work.resolve("archive.zip"), bytes.toByteArray());
		Path target = Files.createDirectory(work.resolve("version"));
		VersionArchiveUnpacker.unpack(archive, target, maxBytes, maxEntries);
		return target;
	}

	private static byte[] bytes(String text) {
		return text.getBytes(StandardCharsets.UTF_8);
	}

}
