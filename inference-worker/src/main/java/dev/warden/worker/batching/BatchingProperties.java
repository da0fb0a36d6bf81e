package dev.warden.worker.batching;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.bind.Name;
import org.springframework.boot.convert.DurationUnit;

/**
 * Dynamic batching settings: {@code warden.worker.batching.default.*} for every model,
 * overridden per model by {@code warden.worker.batching.models.<model>.*} (only the
 * properties given are overridden).
 *
 * @param defaults the settings of models without an override
 * @param models overrides by model name
 */
@ConfigurationProperties("warden.worker.batching")
public record BatchingProperties(@Name("default") @DefaultValue BatchSettings defaults,
		Map<String, ModelOverride> models) {

	public BatchingProperties {
		models = models == null ? Map.of() : Map.copyOf(models);
	}

	/** The effective settings of {@code model}. */
	public BatchSettings forModel(String model) {
		ModelOverride override = models.get(model);
		return override == null ? defaults : override.applyTo(defaults);
	}

	/** Per-model override; {@code null} keeps the default. */
	public record ModelOverride(Boolean enabled, Integer maxBatchSize,
			@DurationUnit(ChronoUnit.MICROS) Duration maxQueueDelay, Integer maxQueueSize, Integer batchThreads) {

		BatchSettings applyTo(BatchSettings base) {
			return new BatchSettings(enabled != null ? enabled : base.enabled(),
					maxBatchSize != null ? maxBatchSize : base.maxBatchSize(),
					maxQueueDelay != null ? maxQueueDelay : base.maxQueueDelay(),
					maxQueueSize != null ? maxQueueSize : base.maxQueueSize(),
					batchThreads != null ? batchThreads : base.batchThreads());
		}

	}

}
