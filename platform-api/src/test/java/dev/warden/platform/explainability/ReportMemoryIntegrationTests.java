package dev.warden.platform.explainability;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A report over 1,000,000 reference rows needs no more memory than one over 1,000: both
 * run in child JVMs started with {@code -Xmx64m} ({@link ReportAggregationBenchmark}: CSV
 * upload path, encrypted chunks, every row explained by an in-process closed-form model,
 * bootstrap, histograms, partial dependence), both check their numbers, and the largest
 * heap in use after a full GC is the same within a few MB. The 1M-row CSV alone is about
 * 24 MB of text.
 */
class ReportMemoryIntegrationTests {

	private static final Pattern HEAP = Pattern.compile("max_heap_used_after_gc_mb=([0-9.]+)");

	@TempDir
	Path dir;

	@Test
	void aMillionRowReportRunsInTheHeapOfAThousandRowOne() throws Exception {
		String small = run(1_000);
		String large = run(1_000_000);

		assertThat(small).contains("rows=1000 verified");
		assertThat(large).contains("rows=1000000 verified");
		assertThat(heap(large)).isLessThan(heap(small) + 8);
	}

	private String run(long rows) throws Exception {
		Path output = this.dir.resolve("benchmark-" + rows + ".txt");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(
				List.of(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
						ReportAggregationBenchmark.class.getName(), "--rows", Long.toString(rows)))
			.redirectErrorStream(true)
			.redirectOutput(output.toFile())
			.start();
		int exit = process.waitFor();
		String printed = Files.readString(output, StandardCharsets.UTF_8);
		assertThat(exit).as(printed).isZero();
		return printed;
	}

	private static double heap(String printed) {
		Matcher matcher = HEAP.matcher(printed);
		assertThat(matcher.find()).as(printed).isTrue();
		return Double.parseDouble(matcher.group(1));
	}

}
