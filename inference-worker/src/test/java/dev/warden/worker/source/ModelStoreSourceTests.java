package dev.warden.worker.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelStoreSourceTests {

	@TempDir
	Path store;

	@Test
	void zeroPaddedVersionDirectoriesAsTensorFlowServingWritesThemAreVersions() throws IOException {
		version("default", "00000123");
		version("default", "00000124");
		version("income", "2");

		assertThat(source().scan()).containsOnlyKeys(new ServableId("default", 123), new ServableId("default", 124),
				new ServableId("income", 2));
		assertThat(source().scan().get(new ServableId("default", 123)).getFileName()).hasToString("00000123");
	}

	@Test
	void ofTwoDirectoriesNamingOneVersionTheOneWithoutLeadingZerosIsServed() throws IOException {
		version("m", "0007");
		version("m", "7");
		version("m", "007");

		assertThat(source().scan()).containsOnlyKeys(new ServableId("m", 7));
		assertThat(source().scan().get(new ServableId("m", 7)).getFileName()).hasToString("7");
	}

	@Test
	void versionZeroDirectoriesWithoutASavedModelAndOtherNamesAreIgnored() throws IOException {
		version("m", "0");
		version("m", "000");
		Files.createDirectories(store.resolve("m").resolve("5"));
		version("m", ".tmp-3");
		version("m", "1a");
		version("m", "1234567890123456789");

		assertThat(source().scan()).isEmpty();
	}

	private ModelStoreSource source() {
		return new ModelStoreSource(new ModelStoreProperties(store, Duration.ofSeconds(5)));
	}

	private void version(String model, String dir) throws IOException {
		Path version = Files.createDirectories(store.resolve(model).resolve(dir));
		Files.writeString(version.resolve("saved_model.pb"), "");
	}

}
