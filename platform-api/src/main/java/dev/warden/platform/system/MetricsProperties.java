package dev.warden.platform.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the gateway's metrics ({@code warden.metrics.*},
 * docs/operations.md#metrics).
 *
 * @param scrapeToken the bearer token a scraper must send to read
 * {@code /actuator/prometheus} (WARDEN_METRICS_SCRAPE_TOKEN); empty: the endpoint answers
 * 404 to everyone
 * @param maxLabelValues how many distinct values of one label (tenant, model, version,
 * error code, worker) one metric keeps (WARDEN_METRICS_MAX_LABEL_VALUES); later values
 * are reported as {@value MetricLabels#OTHER}
 */
@ConfigurationProperties("warden.metrics")
public record MetricsProperties(@DefaultValue("") String scrapeToken, @DefaultValue("200") int maxLabelValues) {

	public MetricsProperties {
		if (maxLabelValues < 1) {
			throw new IllegalArgumentException("warden.metrics.max-label-values must be at least 1");
		}
		scrapeToken = (scrapeToken != null) ? scrapeToken.strip() : "";
	}

	/** A new bound for one label of one metric. */
	public MetricLabels labels() {
		return new MetricLabels(this.maxLabelValues);
	}

}
