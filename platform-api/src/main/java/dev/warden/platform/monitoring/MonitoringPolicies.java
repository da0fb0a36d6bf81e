package dev.warden.platform.monitoring;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.stereotype.Component;

import dev.warden.platform.system.PolicyFile;
import dev.warden.platform.system.WardenProperties;

/**
 * The monitoring policy in force: {@code <policies dir>/monitoring.yaml}, else (the
 * directory does not exist) the copy packaged in the jar, else (a policies directory
 * without the file) the built-in defaults ({@link DriftSettings#DEFAULTS}). Read at
 * start-up (an invalid file stops the start, naming what is wrong); a file in the
 * policies directory is watched by {@link MonitoringPolicyReloader}. Readers see one
 * consistent policy (an immutable value behind a volatile reference). Thread-safe.
 */
@Component
class MonitoringPolicies {

	private static final Logger log = LoggerFactory.getLogger(MonitoringPolicies.class);

	private final Path file;

	private volatile MonitoringPolicy current;

	MonitoringPolicies(WardenProperties warden) throws IOException {
		Path dir = warden.policiesDir();
		PolicyFile read = PolicyFile.read(dir, MonitoringPolicy.FILE_NAME);
		this.file = Files.isDirectory(dir) ? dir.resolve(MonitoringPolicy.FILE_NAME) : null;
		this.current = switch (read.source()) {
			case ABSENT -> {
				log.warn("Monitoring policy: {} has no {}; the built-in drift defaults apply", dir.toAbsolutePath(),
						MonitoringPolicy.FILE_NAME);
				yield MonitoringPolicy.builtIn();
			}
			case FILE, PACKAGED -> {
				try {
					yield MonitoringPolicyParser.parse(read.content(), read.source().name().toLowerCase(Locale.ROOT));
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalStateException(
							"policies/" + MonitoringPolicy.FILE_NAME + " is invalid: " + ex.getMessage(), ex);
				}
			}
		};
	}

	MonitoringPolicy current() {
		return this.current;
	}

	/** The watched file; empty when the packaged copy is used. */
	Optional<Path> file() {
		return Optional.ofNullable(this.file);
	}

	void apply(MonitoringPolicy policy) {
		this.current = policy;
	}

}
