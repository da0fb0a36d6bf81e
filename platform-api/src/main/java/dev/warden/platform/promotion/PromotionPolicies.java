package dev.warden.platform.promotion;

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
 * The promotion policy in force: {@code <policies dir>/promotion.yaml}, else (the
 * directory does not exist) the copy packaged in the jar, else (a policies directory
 * without the file) the built-in defaults: approval required for every model, canaries up
 * to 10 % directly, one approval by an administrator who is neither the requester nor the
 * uploader, no other rule. Read at start-up (an invalid file stops the start, naming what
 * is wrong); a file in the policies directory is watched by
 * {@link PromotionPolicyReloader}, which swaps in a new, valid version without a restart.
 * Readers always see one consistent policy (an immutable value behind a volatile
 * reference). Thread-safe.
 */
@Component
class PromotionPolicies {

	private static final Logger log = LoggerFactory.getLogger(PromotionPolicies.class);

	/** The watched file, or {@code null} when the packaged copy is used. */
	private final Path file;

	private volatile PromotionPolicy current;

	PromotionPolicies(WardenProperties warden) throws IOException {
		Path dir = warden.policiesDir();
		PolicyFile read = PolicyFile.read(dir, PromotionPolicy.FILE_NAME);
		this.file = Files.isDirectory(dir) ? dir.resolve(PromotionPolicy.FILE_NAME) : null;
		this.current = switch (read.source()) {
			case ABSENT -> {
				log.warn("Promotion policy: {} has no {}; the built-in defaults apply (approval required for every "
						+ "model, no rule beyond four eyes)", dir.toAbsolutePath(), PromotionPolicy.FILE_NAME);
				yield PromotionPolicy.builtIn();
			}
			case FILE, PACKAGED -> {
				String source = read.source().name().toLowerCase(Locale.ROOT);
				try {
					PromotionPolicy parsed = PromotionPolicyParser.parse(read.content(), source);
					log.info(
							"Promotion policy read from {} (sha256 {})", (read.path() != null)
									? read.path().toAbsolutePath() : "the packaged policies/promotion.yaml",
							parsed.sha256());
					yield parsed;
				}
				catch (IllegalArgumentException ex) {
					throw new IllegalStateException(
							"policies/" + PromotionPolicy.FILE_NAME + " is invalid: " + ex.getMessage(), ex);
				}
			}
		};
	}

	/** The policy in force. */
	PromotionPolicy current() {
		return this.current;
	}

	/** The watched file; empty when the packaged copy is used (nothing to watch). */
	Optional<Path> file() {
		return Optional.ofNullable(this.file);
	}

	void apply(PromotionPolicy policy) {
		this.current = policy;
	}

}
