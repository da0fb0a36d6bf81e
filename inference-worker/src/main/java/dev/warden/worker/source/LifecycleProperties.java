package dev.warden.worker.source;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Which versions of which model are served, and how they are loaded.
 *
 * @param versionPolicy policy of models not listed under {@code models}
 * @param latestVersions N of the default {@code latest} policy
 * @param loaderThreads threads that load versions (off the request threads)
 * @param reloadTimeout how long the control call {@code :reload} waits for loads to
 * finish
 * @param models per-model settings by model name
 */
@ConfigurationProperties("warden.worker.lifecycle")
public record LifecycleProperties(@DefaultValue("latest") VersionPolicy.Kind versionPolicy,
		@DefaultValue("1") int latestVersions, @DefaultValue("1") int loaderThreads,
		@DefaultValue("60s") Duration reloadTimeout, Map<String, ModelSettings> models) {

	/**
	 * Label names: letters, digits, {@code .}, {@code _} and {@code -}, not starting with
	 * a digit.
	 */
	public static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9._-]{0,63}");

	public LifecycleProperties {
		models = models == null ? Map.of() : Map.copyOf(models);
		if (loaderThreads < 1) {
			throw new IllegalArgumentException("warden.worker.lifecycle.loader-threads must be at least 1");
		}
		defaultPolicy(versionPolicy, latestVersions);
		models.forEach((name, settings) -> {
			settings.policy(versionPolicy, latestVersions);
			settings.labels().forEach((label, version) -> {
				if (!LABEL.matcher(label).matches() || version == null || version < 1) {
					throw new IllegalArgumentException("warden.worker.lifecycle.models." + name + ".labels." + label
							+ ": a label is a name (letters, digits, . _ -) mapped to a positive version");
				}
			});
		});
	}

	public static LifecycleProperties defaults() {
		return new LifecycleProperties(VersionPolicy.Kind.LATEST, 1, 1, Duration.ofSeconds(60), Map.of());
	}

	/** The policy of {@code model}: its own settings or the default. */
	public VersionPolicy policyOf(String model) {
		ModelSettings settings = models.get(model);
		return settings != null ? settings.policy(versionPolicy, latestVersions)
				: defaultPolicy(versionPolicy, latestVersions);
	}

	/** Labels configured for {@code model} (label → version). */
	public Map<String, Long> labelsOf(String model) {
		ModelSettings settings = models.get(model);
		return settings == null ? Map.of() : settings.labels();
	}

	private static VersionPolicy defaultPolicy(VersionPolicy.Kind kind, int latest) {
		if (kind == VersionPolicy.Kind.SPECIFIC) {
			throw new IllegalArgumentException(
					"warden.worker.lifecycle.version-policy cannot be specific: list versions per model");
		}
		return kind == VersionPolicy.Kind.ALL ? VersionPolicy.all() : VersionPolicy.latest(latest);
	}

	/**
	 * Settings of one model; unset values fall back to the defaults.
	 *
	 * @param versionPolicy {@code latest}, {@code all} or {@code specific}
	 * @param latestVersions N for {@code latest}
	 * @param versions the versions for {@code specific}
	 * @param labels label → version, e.g. {@code stable: 1}
	 */
	public record ModelSettings(VersionPolicy.Kind versionPolicy, Integer latestVersions, List<Long> versions,
			Map<String, Long> labels) {

		public ModelSettings {
			versions = versions == null ? List.of() : List.copyOf(versions);
			labels = labels == null ? Map.of() : Map.copyOf(labels);
		}

		VersionPolicy policy(VersionPolicy.Kind defaultKind, int defaultLatest) {
			VersionPolicy.Kind kind = versionPolicy != null ? versionPolicy : defaultKind;
			return switch (kind) {
				case ALL -> VersionPolicy.all();
				case SPECIFIC -> VersionPolicy.specific(versions);
				case LATEST -> VersionPolicy.latest(latestVersions != null ? latestVersions : defaultLatest);
			};
		}

	}

}
