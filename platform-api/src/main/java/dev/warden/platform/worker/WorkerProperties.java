package dev.warden.platform.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Inference worker connection and routing settings ({@code warden.worker.*}).
 *
 * @param url base URL of a single worker (WARDEN_WORKER_URL); used when {@code urls} is
 * empty
 * @param urls base URLs of the configured workers (WARDEN_WORKER_URLS, comma-separated)
 * @param maxConnections pooled connections to each worker (WARDEN_WORKER_MAX_CONNECTIONS)
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout time to wait for a worker's answer
 * (WARDEN_WORKER_RESPONSE_TIMEOUT), unless {@code timeouts} names the model
 * @param timeouts per-model response timeouts, by model name
 * @param healthInterval how often the configured workers are asked for their status
 * @param retryAfter the {@code Retry-After} of a 503 {@code worker_unavailable}
 * @param connectionBackOff how long a worker that refused a connection is left out (a
 * successful status poll of a configured worker ends it sooner)
 * @param circuitBreaker the per-worker circuit breaker
 */
@ConfigurationProperties("warden.worker")
public record WorkerProperties(@DefaultValue("http://127.0.0.1:8081") String url, List<String> urls,
		@DefaultValue("256") int maxConnections, @DefaultValue("2s") Duration connectTimeout,
		@DefaultValue("60s") Duration responseTimeout, Map<String, Duration> timeouts,
		@DefaultValue("1s") Duration healthInterval, @DefaultValue("1s") Duration retryAfter,
		@DefaultValue("2s") Duration connectionBackOff, @DefaultValue CircuitBreakerSettings circuitBreaker) {

	public WorkerProperties {
		urls = (urls != null) ? List.copyOf(urls) : List.of();
		timeouts = (timeouts != null) ? Map.copyOf(timeouts) : Map.of();
		circuitBreaker = (circuitBreaker != null) ? circuitBreaker
				: new CircuitBreakerSettings(50, 20, 5, Duration.ofSeconds(5), 2);
	}

	/**
	 * The configured worker URLs: {@code urls} when it names any, else {@code url};
	 * without a trailing '/'.
	 */
	public List<String> configuredUrls() {
		List<String> out = new ArrayList<>();
		for (String candidate : this.urls) {
			for (String part : candidate.split(",")) {
				String trimmed = part.strip();
				if (!trimmed.isEmpty() && !out.contains(trimNoSlash(trimmed))) {
					out.add(trimNoSlash(trimmed));
				}
			}
		}
		if (out.isEmpty() && this.url != null && !this.url.isBlank()) {
			out.add(trimNoSlash(this.url.strip()));
		}
		return out;
	}

	/** The response timeout for calls to {@code model} ({@code null} = the default). */
	public Duration responseTimeout(String model) {
		Duration specific = (model != null) ? this.timeouts.get(model) : null;
		return (specific != null) ? specific : this.responseTimeout;
	}

	public static String trimNoSlash(String url) {
		return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
	}

	/**
	 * Settings of the per-worker circuit breaker (Resilience4j, count-based window).
	 *
	 * @param failureRateThreshold percentage of failed calls in the window that opens the
	 * breaker
	 * @param slidingWindowSize calls in the window
	 * @param minimumNumberOfCalls calls needed before the failure rate is computed
	 * @param waitInOpenState how long an open breaker refuses calls before letting probe
	 * calls through
	 * @param permittedCallsInHalfOpenState probe calls in the half-open state
	 */
	public record CircuitBreakerSettings(@DefaultValue("50") float failureRateThreshold,
			@DefaultValue("20") int slidingWindowSize, @DefaultValue("5") int minimumNumberOfCalls,
			@DefaultValue("5s") Duration waitInOpenState, @DefaultValue("2") int permittedCallsInHalfOpenState) {
	}

}
