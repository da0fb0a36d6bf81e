package dev.warden.platform.usage;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.usage.UsageReports.UsageReport;

/**
 * {@code GET /v1/usage} on the data plane: the usage and quotas of the calling key's
 * tenant. It runs behind the data-plane filters (API key, request log) but spends no
 * model quota; instead each key may read it at most {@link #BURST} times in a row,
 * refilled {@link #PER_SECOND} per second (a bucket in this replica's memory), so that it
 * cannot be used to load the database.
 */
@RestController
class UsageController {

	static final long BURST = 10;

	static final long PER_SECOND = 2;

	private final UsageReports reports;

	private final ConcurrentMap<UUID, Bucket> readBuckets = new ConcurrentHashMap<>();

	UsageController(UsageReports reports) {
		this.reports = reports;
	}

	@GetMapping(path = "/v1/usage", produces = MediaType.APPLICATION_JSON_VALUE)
	UsageReport usage(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
			HttpServletRequest request, HttpServletResponse response) {
		// set by the API key filter; the data-plane security chain refuses any request
		// without it
		VerifiedKey key = VerifiedKey.of(request);
		ConsumptionProbe probe = this.readBuckets
			.computeIfAbsent(key.apiKeyId(), (id) -> Bucket.builder()
				.addLimit(Bandwidth.builder().capacity(BURST).refillGreedy(PER_SECOND, Duration.ofSeconds(1)).build())
				.build())
			.tryConsumeAndReturnRemaining(1);
		if (!probe.isConsumed()) {
			long retryAfter = Math.max(1,
					TimeUnit.NANOSECONDS.toSeconds(probe.getNanosToWaitForRefill() + 999_999_999));
			response.setHeader("Retry-After", Long.toString(retryAfter));
			throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "rate_limited",
					"usage may be read at most " + BURST + " times in a row and " + PER_SECOND
							+ " times per second per key; retry after " + retryAfter + " s");
		}
		return this.reports.report(key.tenantId(), from, to);
	}

	/** Other methods on the usage path are not forwarded to the worker. */
	@RequestMapping(path = "/v1/usage",
			method = { RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE })
	void otherMethods(HttpServletResponse response) {
		response.setHeader("Allow", "GET");
		throw new ApiException(HttpStatus.METHOD_NOT_ALLOWED, "method_not_allowed", "/v1/usage answers GET only");
	}

}
