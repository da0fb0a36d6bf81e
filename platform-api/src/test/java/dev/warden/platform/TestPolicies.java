package dev.warden.platform;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.springframework.core.io.ClassPathResource;

/**
 * A policies directory ({@code warden.policies-dir}) for a test: the shipped
 * {@code quotas.yaml} and {@code logging.yaml} (copied from the packaged
 * {@code policies/}) and a {@code promotion.yaml} of the test's own.
 */
public final class TestPolicies {

	/**
	 * A promotion policy for tests of routing mechanics (canary, promote, rollback,
	 * reset), not of governance: model {@code m} may be routed directly.
	 */
	public static final String ROUTING_WITHOUT_APPROVAL = """
			# routing tests exercise canary, promote, rollback and reset on model m directly
			models:
			  m:
			    require_approval: false
			""";

	private TestPolicies() {
	}

	/**
	 * Fills {@code dir} with the shipped quota and logging policies and this promotion
	 * policy; returns {@code dir}.
	 */
	public static Path write(Path dir, String promotionYaml) {
		try {
			for (String shipped : new String[] { "quotas.yaml", "logging.yaml" }) {
				try (InputStream in = new ClassPathResource("policies/" + shipped).getInputStream()) {
					Files.copy(in, dir.resolve(shipped), StandardCopyOption.REPLACE_EXISTING);
				}
			}
			writePromotion(dir, promotionYaml);
			return dir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** Replaces {@code promotion.yaml} atomically, as a deployment tool would. */
	public static void writePromotion(Path dir, String promotionYaml) throws IOException {
		Path temp = dir.resolve("promotion.yaml.tmp");
		Files.writeString(temp, promotionYaml);
		Files.move(temp, dir.resolve("promotion.yaml"), StandardCopyOption.REPLACE_EXISTING,
				StandardCopyOption.ATOMIC_MOVE);
	}

}
