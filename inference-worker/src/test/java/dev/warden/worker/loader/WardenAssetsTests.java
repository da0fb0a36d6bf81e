package dev.warden.worker.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WardenAssetsTests {

	@Test
	void wardenFilesInAssetsExtraAreReadAndOthersAreNot(@TempDir Path version) throws IOException {
		Path extra = Files.createDirectories(version.resolve("assets.extra"));
		Files.writeString(extra.resolve("warden-explain.json"), "{}");
		Files.writeString(extra.resolve("tf_serving_warmup_requests"), "x");
		Files.createDirectories(extra.resolve("warden-directory"));

		WardenAssets assets = WardenAssets.read(version);

		assertThat(assets.file("warden-explain.json"))
			.hasValueSatisfying(b -> assertThat(new String(b)).isEqualTo("{}"));
		assertThat(assets.file("tf_serving_warmup_requests")).isEmpty();
		assertThat(assets.file("warden-directory")).isEmpty();
		// a copy: changing it changes nothing
		assets.file("warden-explain.json").orElseThrow()[0] = 'x';
		assertThat(new String(assets.file("warden-explain.json").orElseThrow())).isEqualTo("{}");
	}

	@Test
	void aVersionWithoutAssetsExtraHasNone(@TempDir Path version) {
		assertThat(WardenAssets.read(version).file("warden-explain.json")).isEmpty();
	}

	@Test
	void aFileOverTheLimitIsLeftOut(@TempDir Path version) throws IOException {
		Path extra = Files.createDirectories(version.resolve("assets.extra"));
		try (RandomAccessFile file = new RandomAccessFile(extra.resolve("warden-background.csv").toFile(), "rw")) {
			file.setLength(WardenAssets.MAX_FILE_BYTES + 1L);
		}
		Files.writeString(extra.resolve("warden-explain.json"), "{}");

		WardenAssets assets = WardenAssets.read(version);

		assertThat(assets.file("warden-background.csv")).isEmpty();
		assertThat(assets.file("warden-explain.json")).isPresent();
	}

}
