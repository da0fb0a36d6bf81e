package dev.warden.platform.gateway;

import java.io.IOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.Ordered;
import org.springframework.web.util.ContentCachingResponseWrapper;

import dev.warden.platform.apikey.VerifiedKey;
import dev.warden.platform.monitoring.DataDrift;
import dev.warden.platform.monitoring.ServingHealth;
import dev.warden.platform.requestlog.RequestLogEntry;
import dev.warden.platform.requestlog.RequestLogUnavailableException;
import dev.warden.platform.requestlog.RequestLogWriter;
import dev.warden.platform.system.DatabaseTimeouts;
import dev.warden.platform.system.DatabaseUnavailable;
import dev.warden.platform.system.ErrorResponses;
import dev.warden.platform.system.MalformedRequests;
import dev.warden.platform.system.RequestIdFilter;
import dev.warden.platform.system.RequestIds;
import dev.warden.platform.usage.UsageMeter;

/**
 * Second data-plane filter: wraps everything after it (auth, quota, forwarding) so that
 * every answer, 401 and 429 included, is logged. The response is buffered and sent only
 * after its {@code request_log} row is committed (group commit, see
 * {@link RequestLogWriter}): a 2xx means the row is durable. If the row cannot be written
 * the caller gets 503 {@code log_unavailable} instead (fail closed), unless an
 * administrator switched the request log to fail-open, in which case the writer keeps the
 * row in memory and the answer is released.
 * <p>
 * It is also the one place where every decoded data-plane request is observed, once,
 * after its row was written: usage ({@link UsageMeter}), the gateway's Prometheus meters
 * ({@link GatewayMetrics}) and serving health ({@link ServingHealth}) are all recorded
 * here, from the same values; the bodies of 2xx predict and infer answers are handed to
 * {@link DataDrift} (a queue offer; parsed off the request thread).
 */
class RequestLogFilter extends HttpFilter implements Ordered {

	public static final int ORDER = RequestIdFilter.ORDER + 10;

	private static final Logger log = LoggerFactory.getLogger(RequestLogFilter.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RequestLogWriter writer;

	private final UsageMeter usage;

	private final GatewayMetrics metrics;

	private final ServingHealth health;

	private final DataDrift drift;

	private final DatabaseTimeouts database;

	RequestLogFilter(RequestLogWriter writer, UsageMeter usage, GatewayMetrics metrics, ServingHealth health,
			DataDrift drift, DatabaseTimeouts database) {
		this.database = database;
		this.writer = writer;
		this.usage = usage;
		this.metrics = metrics;
		this.health = health;
		this.drift = drift;
	}

	@Override
	public int getOrder() {
		return ORDER;
	}

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long start = System.nanoTime();
		Instant occurredAt = Instant.now().truncatedTo(ChronoUnit.MICROS);
		ContentCachingResponseWrapper buffered = new ContentCachingResponseWrapper(response);
		this.writer.processingRequest();
		try {
			chain.doFilter(request, buffered);
		}
		catch (ServletException | IOException | RuntimeException ex) {
			buffered.resetBuffer();
			MalformedRequests.Answer malformed = MalformedRequests.of(ex);
			if (DatabaseUnavailable.is(ex)) {
				// e.g. a quota lease that needed the database: bounded by its socket
				// timeout, answered like any other outage
				log.warn("Database unavailable on {} {}: {}", request.getMethod(), rawPath(request), ex.toString());
				request.setAttribute(GatewayAttributes.ERROR_CODE, "service_unavailable");
				buffered.setHeader("Retry-After", this.database.retryAfterSeconds());
				ErrorResponses.write(request, buffered, HttpServletResponse.SC_SERVICE_UNAVAILABLE,
						"service_unavailable", "the database did not answer in time; retry later");
			}
			else if (malformed != null) {
				// the client's doing (a broken chunked body, a closed connection, an
				// undecodable query, an unknown charset): its 4xx, no stack trace
				log.debug("Malformed request {} {}: {}", request.getMethod(), rawPath(request), ex.toString());
				request.setAttribute(GatewayAttributes.ERROR_CODE, malformed.code());
				buffered.setHeader("Connection", "close");
				ErrorResponses.write(request, buffered, malformed.status().value(), malformed.code(),
						malformed.message());
			}
			else {
				log.error("Unhandled error on {} {}", request.getMethod(), rawPath(request), ex);
				request.setAttribute(GatewayAttributes.ERROR_CODE, "internal_error");
				ErrorResponses.write(request, buffered, 500, "internal_error", "internal error");
			}
		}
		finally {
			this.writer.requestProcessed();
		}
		String requestId = RequestIds.of(request);
		byte[] responseBody = buffered.getContentAsByteArray();
		VerifiedKey key = VerifiedKey.of(request);
		byte[] requestBody = (byte[]) request.getAttribute(GatewayAttributes.REQUEST_BODY);
		int status = buffered.getStatus();
		DataPlaneRoute route = DataPlaneRouteFilter.of(request);
		Long bytesRead = (Long) request.getAttribute(GatewayAttributes.REQUEST_BYTES_READ);
		RequestLogEntry entry = new RequestLogEntry(requestId, occurredAt, (key != null) ? key.tenantId() : null,
				(key != null) ? key.apiKeyId() : null, (route != null) ? route.model() : null,
				buffered.getHeader("X-Model-Version"), request.getMethod(),
				(route != null) ? route.path() : rawPath(request), status, (System.nanoTime() - start) / 1000,
				(bytesRead != null) ? bytesRead : Math.max(0, request.getContentLengthLong()), responseBody.length,
				errorCode(request, status, responseBody), (key != null) ? requestBody : null,
				(key != null) ? responseBody : null);
		boolean logged = true;
		try {
			this.writer.write(entry);
			this.usage.record(entry, (Long) request.getAttribute(GatewayAttributes.REQUEST_ROWS));
		}
		catch (RuntimeException ex) {
			logged = false;
			if (ex instanceof RequestLogUnavailableException) {
				// an outage fails many requests at once; the writer logs the outage
				// itself
				log.debug("Request log write failed for request {}; answering 503: {}", requestId, ex.getMessage());
			}
			else {
				log.error("Request log write failed for request {}; answering 503", requestId, ex);
			}
			buffered.resetBuffer();
			buffered.setHeader("X-Model-Version", null);
			buffered.setHeader("Retry-After", this.database.retryAfterSeconds());
			ErrorResponses.write(request, buffered, HttpServletResponse.SC_SERVICE_UNAVAILABLE, "log_unavailable",
					"the request could not be logged durably, so its answer is withheld; retry later");
		}
		String quotaLimit = logged ? (String) request.getAttribute(GatewayAttributes.QUOTA_LIMIT) : null;
		this.metrics.record(route, key, logged ? entry.modelVersion() : null, buffered.getStatus(),
				logged ? entry.errorCode() : "log_unavailable", quotaLimit,
				logged && request.getAttribute(GatewayAttributes.ROUTE_FALLBACK) != null, System.nanoTime() - start);
		this.health.record(entry.tenantId(), entry.model(), logged ? entry.modelVersion() : null, occurredAt,
				buffered.getStatus(), logged ? entry.errorCode() : "log_unavailable", entry.latencyMicros(), quotaLimit,
				(Long) request.getAttribute(GatewayAttributes.REQUEST_ROWS));
		try {
			buffered.copyBodyToResponse();
		}
		finally {
			// after the answer is on its way: observing is off the caller's latency
			if (logged && status >= 200 && status < 300 && route != null
					&& (route.endpoint() == DataPlaneRoute.Endpoint.V1_PREDICT
							|| route.endpoint() == DataPlaneRoute.Endpoint.V2_INFER)) {
				this.drift.observe(route.model(), entry.modelVersion(), occurredAt.getEpochSecond(),
						route.openInference(), requestBody, responseBody);
			}
		}
	}

	/**
	 * The path of a request that is no route, as sent (still percent-encoded, so it holds
	 * no control characters), cut to the longest path a route can have.
	 */
	private static String rawPath(HttpServletRequest request) {
		String path = request.getRequestURI();
		return (path.length() <= DataPlaneRoute.MAX_PATH_LENGTH) ? path
				: path.substring(0, DataPlaneRoute.MAX_PATH_LENGTH);
	}

	private static String errorCode(HttpServletRequest request, int status, byte[] body) {
		Object code = request.getAttribute(GatewayAttributes.ERROR_CODE);
		if (code instanceof String s) {
			return s;
		}
		if (status < 400) {
			return null;
		}
		try {
			JsonNode error = JSON.readTree(body).path("error");
			String text = error.isObject() ? error.path("code").asString(null) : null;
			return (text != null && text.length() <= 64) ? text : "http_" + status;
		}
		catch (RuntimeException ex) {
			return "http_" + status;
		}
	}

}
