package dev.warden.platform.gateway;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import org.springframework.stereotype.Component;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.system.MetricLabels;
import dev.warden.platform.system.MetricsProperties;

/**
 * The data plane's own metrics, recorded once per request by {@link RequestLogFilter}
 * after the answer's request-log row is written (so the latency includes the commit):
 * <ul>
 * <li>{@code warden.gateway.requests} (timer with fixed histogram buckets) by
 * {@code tenant}, {@code model}, {@code version}, {@code operation}, {@code status};</li>
 * <li>{@code warden.gateway.errors} (counter) by {@code code};</li>
 * <li>{@code warden.gateway.quota.rejections} (counter) by {@code limit} ({@code rate},
 * {@code key_monthly}, {@code monthly}, {@code rows}, {@code bytes});</li>
 * <li>{@code warden.gateway.route.fallbacks} (counter) by {@code model}: calls answered
 * by another version than the routed one.</li>
 * </ul>
 * Tenant, model, version and error code take at most {@code warden.metrics.
 * max-label-values} values per metric ({@link MetricLabels}). The model and version are
 * labelled only for a verified key and an answer other than 404, so that made-up model
 * names (of callers without a key, or of a model the caller may not see) cannot use up
 * the bound. Meters are looked up once per label set and cached; a request costs a few
 * set and map lookups and one small key object.
 */
@Component
class GatewayMetrics {

	static final String NONE = "none";

	/**
	 * Bucket bounds of the latency histogram: fine below a few milliseconds, where the
	 * gateway's own cost shows, coarse up to the longest worker timeout. A fixed set (22
	 * buckets) keeps the series per label set bounded; p50/p95/p99 are computed from them
	 * with {@code histogram_quantile}.
	 */
	private static final Duration[] LATENCY_BUCKETS = { Duration.ofNanos(250_000), Duration.ofNanos(500_000),
			Duration.ofNanos(750_000), Duration.ofMillis(1), Duration.ofNanos(1500_000), Duration.ofMillis(2),
			Duration.ofMillis(3), Duration.ofMillis(5), Duration.ofNanos(7500_000), Duration.ofMillis(10),
			Duration.ofMillis(15), Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100),
			Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500),
			Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60) };

	private static final String[] STATUS_CLASSES = { "1xx", "2xx", "3xx", "4xx", "5xx" };

	private final MeterRegistry meters;

	private final MetricLabels tenants;

	private final MetricLabels models;

	private final MetricLabels versions;

	private final MetricLabels errorCodes;

	private final MetricLabels fallbackModels;

	private final ConcurrentHashMap<RequestSeries, Timer> requests = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Counter> quotaRejections = new ConcurrentHashMap<>();

	private final ConcurrentHashMap<String, Counter> fallbacks = new ConcurrentHashMap<>();

	GatewayMetrics(MeterRegistry meters, MetricsProperties properties) {
		this.meters = meters;
		this.tenants = properties.labels();
		this.models = properties.labels();
		this.versions = properties.labels();
		this.errorCodes = properties.labels();
		this.fallbackModels = properties.labels();
	}

	/**
	 * Records one data-plane answer.
	 * @param route the parsed route, {@code null} for a path that is none
	 * @param key the verified key, {@code null} when none was verified
	 * @param modelVersion the {@code X-Model-Version} of the answer, or {@code null}
	 * @param status the status sent
	 * @param errorCode the error code logged for the answer, or {@code null}
	 * @param quotaLimit the quota limit that refused the call, or {@code null}
	 * @param fellBack whether another version than the routed one answered
	 * @param nanos the time from the request's arrival to its answer's release
	 */
	void record(DataPlaneRoute route, VerifiedKey key, String modelVersion, int status, String errorCode,
			String quotaLimit, boolean fellBack, long nanos) {
		boolean labelled = key != null && status != 404 && route != null && route.model() != null;
		String tenant = (key != null && key.tenantName() != null) ? this.tenants.of(key.tenantName()) : NONE;
		String model = labelled ? this.models.of(route.model()) : NONE;
		String version = (labelled && modelVersion != null) ? this.versions.of(modelVersion) : NONE;
		String operation = operation(route);
		String statusClass = (status >= 100 && status < 600) ? STATUS_CLASSES[status / 100 - 1] : "other";
		RequestSeries series = new RequestSeries(tenant, model, version, operation, statusClass);
		Timer timer = this.requests.get(series);
		if (timer == null) {
			timer = this.requests.computeIfAbsent(series, this::requestTimer);
		}
		timer.record(nanos, TimeUnit.NANOSECONDS);
		if (errorCode != null) {
			counter(this.errors, this.errorCodes.of(errorCode), "warden.gateway.errors", "code",
					"data-plane answers with an error, by error code")
				.increment();
		}
		if (quotaLimit != null) {
			counter(this.quotaRejections, quotaLimit, "warden.gateway.quota.rejections", "limit",
					"calls refused by a quota, by the limit that refused them")
				.increment();
		}
		if (fellBack && route != null && route.model() != null) {
			counter(this.fallbacks, this.fallbackModels.of(route.model()), "warden.gateway.route.fallbacks", "model",
					"calls answered by another version than the routed one, which no worker could serve")
				.increment();
		}
	}

	private static String operation(DataPlaneRoute route) {
		if (route == null) {
			return NONE;
		}
		if (route.operation() != null) {
			return route.operation();
		}
		return (route.endpoint() == DataPlaneRoute.Endpoint.V1_USAGE) ? "usage" : "health";
	}

	private Timer requestTimer(RequestSeries series) {
		return Timer.builder("warden.gateway.requests")
			.description("data-plane requests, from arrival to the release of the answer (request-log commit included)")
			.tag("tenant", series.tenant())
			.tag("model", series.model())
			.tag("version", series.version())
			.tag("operation", series.operation())
			.tag("status", series.status())
			.serviceLevelObjectives(LATENCY_BUCKETS)
			.register(this.meters);
	}

	private Counter counter(ConcurrentHashMap<String, Counter> cache, String value, String name, String tag,
			String description) {
		Counter counter = cache.get(value);
		if (counter == null) {
			counter = cache.computeIfAbsent(value,
					(v) -> Counter.builder(name).description(description).tag(tag, v).register(this.meters));
		}
		return counter;
	}

	private record RequestSeries(String tenant, String model, String version, String operation, String status) {
	}

}
