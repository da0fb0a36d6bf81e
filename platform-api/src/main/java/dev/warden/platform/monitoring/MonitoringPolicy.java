package dev.warden.platform.monitoring;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code policies/monitoring.yaml} as parsed: the drift settings of every model and the
 * alert rules.
 *
 * @param sha256 SHA-256 of the file's bytes ({@code built-in} for the built-in defaults)
 * @param source {@code file}, {@code packaged} or {@code built-in}
 * @param defaults the {@code drift.default} entry
 * @param models per model, its entry with the defaults applied
 * @param alerts the alert rules ({@link AlertPolicy#NONE} when the file has none)
 */
record MonitoringPolicy(String sha256, String source, DriftSettings defaults, Map<String, DriftSettings> models,
		AlertPolicy alerts) {

	static final String FILE_NAME = "monitoring.yaml";

	static final String BUILT_IN = "built-in";

	MonitoringPolicy {
		models = Map.copyOf(models);
	}

	static MonitoringPolicy builtIn() {
		return new MonitoringPolicy(BUILT_IN, BUILT_IN, DriftSettings.DEFAULTS, Map.of(), AlertPolicy.NONE);
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
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("drift", drift);
		out.put("alerts", this.alerts.describe());
		return out;
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
