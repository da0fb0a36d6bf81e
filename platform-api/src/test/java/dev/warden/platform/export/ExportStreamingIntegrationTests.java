package dev.warden.platform.export;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A million-row export streams through a 256 MB heap: the application runs in a child JVM
 * started with {@code -Xmx256m} and exports 1,000,000 request-log rows as CSV and NDJSON
 * (about 10x the heap if they were held in memory), each checked against its manifest.
 */
class ExportStreamingIntegrationTests {

	@TempDir
	Path dir;

	@Test
	void millionRowExportsStreamThroughA256MbHeap() throws Exception {
		Path output = this.dir.resolve("benchmark.txt");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(
				List.of(java, "-Xmx256m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
						ExportBenchmark.class.getName(), "--rows", "1000000", "--formats", "csv,ndjson"))
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		int exit = process.waitFor();
		String printed = Files.readString(output, StandardCharsets.UTF_8);

		assertThat(exit).as(printed).isZero();
		assertThat(printed).contains("csv 1000000 rows verified", "ndjson 1000000 rows verified");
	}

}
