package dev.warden.worker.loader;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * JavaCPP's physical-memory check is off in a process whose entry point applied the
 * settings, and stays as the operator set it otherwise. Each case runs in a JVM of its
 * own: JavaCPP reads the property once, when its {@code Pointer} class initialises.
 */
class JavaCppSettingsTests {

	@Test
	void theCheckIsOffWhenNothingIsSet() throws Exception {
		assertThat(maxPhysicalBytesInAFreshJvm()).isEqualTo("0");
	}

	@Test
	void anOperatorsValueIsKept() throws Exception {
		assertThat(maxPhysicalBytesInAFreshJvm("-D" + JavaCppSettings.MAX_PHYSICAL_BYTES + "=8g"))
			.isEqualTo(String.valueOf(8L * 1024 * 1024 * 1024));
	}

	@Test
	void anOperatorsValueInLowerCaseIsKept() throws Exception {
		assertThat(maxPhysicalBytesInAFreshJvm("-D" + JavaCppSettings.MAX_PHYSICAL_BYTES_LOWER_CASE + "=1g"))
			.isEqualTo(String.valueOf(1024L * 1024 * 1024));
	}

	/** Runs {@link Probe} in a new JVM and returns what it printed. */
	private static String maxPhysicalBytesInAFreshJvm(String... options) throws IOException, InterruptedException {
		List<String> command = new ArrayList<>();
		command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
		command.addAll(List.of(options));
		command.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
		Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
		assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("probe finished").isTrue();
		String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(process.exitValue()).as(output).isZero();
		String[] lines = output.split("\\R");
		return lines[lines.length - 1];
	}

	/** Applies the settings as the worker's entry points do, then asks JavaCPP. */
	static final class Probe {

		public static void main(String[] args) {
			JavaCppSettings.apply();
			System.out.println(org.bytedeco.javacpp.Pointer.maxPhysicalBytes());
		}

	}

}
