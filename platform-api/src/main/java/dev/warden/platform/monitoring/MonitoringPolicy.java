package dev.warden.platform.monitoring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code policies/monitoring.yaml} as parsed: the drift settings of every model.
 *
 * @param sha256 SHA-256 of the file's bytes ({@code built-in} for the built-in defaults)
 * @param source {@code file}, {@code packaged} or {@code built-in}
 * @param defaults the {@code drift.default} entry
 * @param models per model, its entry with the defaults applied
 */
record MonitoringPolicy(String sha256, String source, DriftSettings defaults, Map<String, DriftSettings> models) {

	static final String FILE_NAME = "monitoring.yaml";

	static final String BUILT_IN = "built-in";

	MonitoringPolicy {
		models = Map.copyOf(models);
	}

	static MonitoringPolicy builtIn() {
		return new MonitoringPolicy(BUILT_IN, BUILT_IN, DriftSettings.DEFAULTS, Map.of());
	}

	/** The settings of {@code model}. */
	DriftSettings drift(String model) {
		return this.models.getOrDefault(model, this.defaults);
	}

	/**
	 * The policy as parsed, for the audit trail and {@code monitoring_policy_versions}.
	 */
	Map<String, Object> describe() {
		Map<String, Object> drift = new LinkedHashMap<>();
		drift.put("default", this.defaults.describe());
		Map<String, Object> models = new LinkedHashMap<>();
		this.models.keySet().stream().sorted().forEach((m) -> models.put(m, this.models.get(m).describe()));
		drift.put("models", models);
		return Map.of("drift", drift);
	}

	static String sha256(byte[] content) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	static String sha256(String content) {
		return sha256(content.getBytes(StandardCharsets.UTF_8));
	}

}
