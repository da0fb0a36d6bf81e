package dev.warden.platform.worker;

import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.HttpHostConnectException;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.http.io.entity.FileEntity;
import org.apache.hc.core5.http.message.BasicHeader;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.MetricsProperties;
import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;

/**
 * HTTP client for the inference workers: Apache HttpClient 5 (classic) with a pooled,
 * keep-alive connection manager shared by all requests. Bodies are passed through as
 * bytes, never re-parsed. Thread-safe.
 *
 * <p>
 * Every call is routed by {@link WorkerPool}: to a healthy worker serving what the call
 * names, the one with the fewest requests in flight from this gateway, through that
 * worker's circuit breaker. A call that cannot connect, loses its connection before an
 * answer, or is answered 503 is sent once more to another worker (predictions are
 * idempotent); a call that timed out waiting for the answer is not repeated. Connection
 * failures and 502/503/504 answers count as failures for the breaker; every other answer
 * as a success.
 */
@Component
public class WorkerClient implements DisposableBean {

	private static final Logger log = LoggerFactory.getLogger(WorkerClient.class);

	private final WorkerPool pool;

	private final WorkerProperties properties;

	private final PoolingHttpClientConnectionManager connections;

	private final CloseableHttpClient http;

	private final WorkerMetrics metrics;

	/**
	 * The last TLS failure logged per worker id: a worker whose certificate cannot be
	 * used is named once per distinct failure, not once per request.
	 */
	private final java.util.Map<String, String> tlsFailures = new java.util.concurrent.ConcurrentHashMap<>();

	@Autowired
	WorkerClient(WorkerProperties properties, WorkerPool pool, MeterRegistry meters, MetricsProperties metrics,
			RegistrationProperties registration) {
		this(properties, pool, meters, metrics, defaultTlsContext(), registration.token());
	}

	/**
	 * With the TLS context for {@code https://} workers (the process's default, which
	 * {@code warden.tls.*} makes trust Warden's CA and present the gateway's certificate)
	 * and the registration token, sent to every worker as {@code Authorization: Bearer}
	 * (a worker with the same token refuses callers without it); null or blank: none is
	 * sent.
	 */
	WorkerClient(WorkerProperties properties, WorkerPool pool, MeterRegistry meters, MetricsProperties metrics,
			SSLContext tls, String token) {
		this.pool = pool;
		this.properties = properties;
		this.metrics = new WorkerMetrics(meters, metrics, pool);
		this.connections = PoolingHttpClientConnectionManagerBuilder.create()
			.setMaxConnTotal(properties.maxConnections() * 16)
			.setMaxConnPerRoute(properties.maxConnections())
			.setDefaultConnectionConfig(ConnectionConfig.custom()
				.setConnectTimeout(Timeout.of(properties.connectTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.setSocketTimeout(Timeout.of(properties.responseTimeout().toMillis(), TimeUnit.MILLISECONDS))
				// a pooled connection idle for a while is checked before reuse (a worker
				// may have been restarted)
				.setValidateAfterInactivity(Timeout.ofSeconds(2))
				.build())
			// https:// workers: the process's TLS context (warden.tls.*: trusts Warden's
			// CA,
			// presents the gateway's certificate to workers that require one, reloaded
			// when
			// the files change); host names verified against the worker's certificate
			.setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
				.setSslContext(tls)
				.setTlsVersions(TLS.V_1_3, TLS.V_1_2)
				.buildClassic())
			.build();
		this.http = HttpClients.custom()
			.setConnectionManager(this.connections)
			.setDefaultRequestConfig(RequestConfig.custom()
				.setResponseTimeout(Timeout.of(properties.responseTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.build())
			// with mutual TLS the client certificate's principal would become each pooled
			// connection's state, and requests (which carry none) would never reuse them:
			// a
			// full handshake per request. Every connection to a worker is the gateway's
			// own.
			.disableConnectionState()
			.setDefaultHeaders((token == null || token.isBlank()) ? List.<Header>of()
					: List.<Header>of(new BasicHeader(HttpHeaders.AUTHORIZATION, "Bearer " + token)))
			.disableCookieManagement()
			.disableAuthCaching()
			.disableRedirectHandling()
			.disableAutomaticRetries()
			.build();
	}

	private static SSLContext defaultTlsContext() {
		try {
			return SSLContext.getDefault();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("no TLS context", ex);
		}
	}

	/**
	 * Sends one control-plane request (catalogue, validation, reload) to any healthy
	 * worker, retried once on another worker when it cannot connect or is answered 503.
	 * @param method HTTP method
	 * @param pathAndQuery path (starting with '/') and optional query, passed verbatim
	 * @param body request body or {@code null}
	 * @param contentType content type of the body, may be {@code null}
	 * @param requestId forwarded as {@code X-Request-Id}
	 * @throws WorkerUnavailableException when no worker can be reached or none answers
	 */
	public WorkerResponse exchange(String method, String pathAndQuery, byte[] body, String contentType,
			String requestId) {
		return send(null, null, null, method, pathAndQuery, entity(body, contentType), Map.of(), requestId, false);
	}

	/**
	 * {@link #exchange} with a file as the body, streamed from disk (sent again from its
	 * start when the call is retried on another worker), and extra request headers.
	 * @param file the body (its length is sent as {@code Content-Length})
	 * @param headers added to the request, e.g. a digest of the body
	 */
	public WorkerResponse exchange(String method, String pathAndQuery, Path file, String contentType,
			Map<String, String> headers, String requestId) {
		return send(null, null, null, method, pathAndQuery,
				new FileEntity(file.toFile(), ContentType.parseLenient(contentType)), headers, requestId, false);
	}

	/**
	 * Sends one control-plane request to every healthy worker in turn (a reload after an
	 * upload, so that no worker answers 404 for the new version while its own store
	 * polling has not seen it yet).
	 * @return the first answer
	 * @throws WorkerUnavailableException when no worker could be reached
	 */
	public WorkerResponse exchangeAll(String method, String pathAndQuery, byte[] body, String contentType,
			String requestId) {
		HttpEntity entity = entity(body, contentType);
		WorkerResponse first = null;
		WorkerUnavailableException failure = null;
		for (Worker worker : this.pool.workers()) {
			if (!worker.healthy() || !worker.breaker().tryAcquirePermission()) {
				continue;
			}
			Attempt attempt = attempt(worker, method, pathAndQuery, entity, Map.of(), requestId,
					this.properties.responseTimeout());
			if (attempt.failure() != null) {
				failure = attempt.failure();
				log.debug("{} {} failed on {}: {}", method, pathAndQuery, worker, failure.getMessage());
			}
			else if (first == null) {
				first = attempt.response();
			}
		}
		if (first != null) {
			return first;
		}
		throw (failure != null) ? failure : new NoWorkerAvailableException("no inference worker is available");
	}

	/**
	 * Forwards one data-plane request to a worker serving {@code model} (and
	 * {@code version} or {@code label} when given), with the model's response timeout.
	 * @param model the model the path names, or {@code null}
	 * @param version the version the request must be answered by, or {@code null}
	 * @param label the version label the path names, or {@code null}
	 * @throws NoWorkerAvailableException when no healthy worker can take the request
	 * @throws WorkerUnavailableException when the chosen workers could not be reached or
	 * did not answer in time
	 * <p>
	 * A request is retried once on another worker when the first could not be reached,
	 * answered 503, or answered 404 to a request for a specific {@code version} (the
	 * inventories the choice was made from lag the workers by up to one poll).
	 */
	public WorkerResponse forward(String model, Long version, String label, String method, String pathAndQuery,
			byte[] body, String contentType, String requestId) {
		return send(model, version, label, method, pathAndQuery, entity(body, contentType), Map.of(), requestId, true);
	}

	/** The body as an entity (repeatable, for a retry), or null for none. */
	private static HttpEntity entity(byte[] body, String contentType) {
		if (body == null || body.length == 0) {
			return null;
		}
		return new ByteArrayEntity(body,
				(contentType != null) ? ContentType.parseLenient(contentType) : ContentType.APPLICATION_JSON);
	}

	/**
	 * {@link #forward}; the attempts and retries of data-plane calls are counted in the
	 * metrics, those of control-plane calls (catalogue, validation) are not.
	 */
	private WorkerResponse send(String model, Long version, String label, String method, String pathAndQuery,
			HttpEntity entity, Map<String, String> headers, String requestId, boolean dataPlane) {
		WorkerPool.Target target = new WorkerPool.Target(model, version, label);
		Duration timeout = this.properties.responseTimeout(model);
		Worker first = this.pool.choose(target, null);
		if (first == null) {
			throw new NoWorkerAvailableException(describe(target));
		}
		Attempt attempt = attempt(first, method, pathAndQuery, entity, headers, requestId, timeout);
		if (dataPlane) {
			count(attempt);
		}
		// a worker that answers 404 for a version the workers' inventories said it had is
		// still loading it (or has just unloaded it): another worker may have it
		boolean versionNotFound = version != null && attempt.response() != null && attempt.response().status() == 404;
		if (attempt.retryable() || versionNotFound) {
			Worker second = this.pool.choose(target, first);
			if (second != null) {
				log.debug("Request {} retried on {} after {}", requestId, second, attempt.describe());
				if (dataPlane) {
					this.metrics
						.retry((attempt.failure() != null) ? WorkerMetrics.RetryReason.UNREACHABLE : versionNotFound
								? WorkerMetrics.RetryReason.VERSION_NOT_FOUND : WorkerMetrics.RetryReason.UNAVAILABLE);
				}
				attempt = attempt(second, method, pathAndQuery, entity, headers, requestId, timeout);
				if (dataPlane) {
					count(attempt);
				}
			}
		}
		if (attempt.failure() != null) {
			throw attempt.failure();
		}
		return attempt.response();
	}

	private Attempt attempt(Worker worker, String method, String pathAndQuery, HttpEntity entity,
			Map<String, String> headers, String requestId, Duration timeout) {
		HttpUriRequestBase request = new HttpUriRequestBase(method, java.net.URI.create(worker.url() + pathAndQuery));
		if (requestId != null) {
			request.setHeader("X-Request-Id", requestId);
		}
		request.setHeader("Accept", "application/json");
		headers.forEach(request::setHeader);
		if (entity != null) {
			request.setEntity(entity);
		}
		if (!timeout.equals(this.properties.responseTimeout())) {
			request.setConfig(RequestConfig.custom()
				.setResponseTimeout(Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS))
				.build());
		}
		long start = System.nanoTime();
		worker.started();
		try {
			WorkerResponse response = this.http.execute(request, (answer) -> {
				byte[] bytes = (answer.getEntity() != null) ? EntityUtils.toByteArray(answer.getEntity()) : new byte[0];
				Header type = answer.getFirstHeader("Content-Type");
				Header version = answer.getFirstHeader("X-Model-Version");
				return new WorkerResponse(answer.getCode(), bytes, (type != null) ? type.getValue() : null,
						(version != null) ? version.getValue() : null);
			});
			long elapsed = System.nanoTime() - start;
			int status = response.status();
			if (status == 502 || status == 503 || status == 504) {
				worker.breaker()
					.onError(elapsed, TimeUnit.NANOSECONDS,
							new WorkerUnavailableException("worker " + worker + " answered " + status, null));
			}
			else {
				worker.breaker().onSuccess(elapsed, TimeUnit.NANOSECONDS);
			}
			return new Attempt(worker, response, null, status == 503);
		}
		catch (IOException ex) {
			worker.breaker().onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
			if (ex instanceof SSLException) {
				logTlsFailure(worker, ex);
			}
			// HttpClient's ConnectTimeoutException is a SocketTimeoutException too, but
			// the request never reached the worker (an address that no longer answers,
			// e.g. a killed container's): like a refused connection, it is retried
			boolean timedOut = ex instanceof SocketTimeoutException && !(ex instanceof ConnectTimeoutException);
			if (isConnectFailure(ex)) {
				worker.connectionFailed(this.properties.connectionBackOff());
			}
			WorkerUnavailableException failure = timedOut
					? new WorkerTimeoutException("worker " + worker + " did not answer within " + timeout, ex)
					: new WorkerUnavailableException("worker " + worker + " is unavailable: " + ex.getMessage(), ex);
			return new Attempt(worker, null, failure, !timedOut);
		}
		catch (RuntimeException ex) {
			worker.breaker().onError(System.nanoTime() - start, TimeUnit.NANOSECONDS, ex);
			throw ex;
		}
		finally {
			worker.finished();
		}
	}

	/**
	 * A handshake with the worker failed (its certificate is not from Warden's CA, has
	 * expired, or does not name the host of its URL): the request goes to another worker
	 * if there is one, and the operator is told why this one is not used.
	 */
	private void logTlsFailure(Worker worker, IOException ex) {
		String message = String.valueOf(ex.getMessage());
		if (!message.equals(this.tlsFailures.put(worker.id(), message))) {
			log.warn("TLS handshake with worker {} failed: {} (its certificate must be issued by the CA in "
					+ "warden.tls.ca, be valid now and name the host of its URL)", worker, message);
		}
	}

	private void count(Attempt attempt) {
		WorkerMetrics.Outcome outcome;
		if (attempt.response() != null) {
			outcome = WorkerMetrics.Outcome.of(attempt.response().status());
		}
		else {
			outcome = (attempt.failure() instanceof WorkerTimeoutException) ? WorkerMetrics.Outcome.TIMEOUT
					: WorkerMetrics.Outcome.UNREACHABLE;
		}
		this.metrics.call(attempt.worker(), outcome);
	}

	private static boolean isConnectFailure(IOException ex) {
		return ex instanceof ConnectException || ex instanceof HttpHostConnectException
				|| ex instanceof ConnectTimeoutException;
	}

	private static String describe(WorkerPool.Target target) {
		if (target.model() == null) {
			return "no inference worker is available";
		}
		return "no inference worker serving model '" + target.model() + "'"
				+ ((target.version() != null) ? " version " + target.version() : "") + " is available";
	}

	/**
	 * How many workers are known now (configured and live registrations), healthy or not.
	 */
	public int workerCount() {
		return this.pool.workers().size();
	}

	/** The configured worker URLs, for log lines. */
	public String baseUrl() {
		List<Worker> workers = this.pool.workers();
		return workers.isEmpty() ? "(no worker)" : workers.stream().map(Worker::url).collect(Collectors.joining(", "));
	}

	/**
	 * Sends a GET straight to one worker (status polls), outside the breaker and the
	 * in-flight count.
	 */
	WorkerResponse get(Worker worker, String path, Duration timeout) throws IOException {
		HttpUriRequestBase request = new HttpUriRequestBase("GET", java.net.URI.create(worker.url() + path));
		request.setHeader("Accept", "application/json");
		request.setConfig(RequestConfig.custom()
			.setResponseTimeout(Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS))
			.build());
		return this.http.execute(request, (answer) -> new WorkerResponse(answer.getCode(),
				(answer.getEntity() != null) ? EntityUtils.toByteArray(answer.getEntity()) : new byte[0], null, null));
	}

	/**
	 * Sends a PUT with a JSON body straight to one worker (the desired state), outside
	 * the breaker and the in-flight count.
	 */
	WorkerResponse put(Worker worker, String path, byte[] json, Duration timeout) throws IOException {
		HttpUriRequestBase request = new HttpUriRequestBase("PUT", java.net.URI.create(worker.url() + path));
		request.setHeader("Accept", "application/json");
		request.setEntity(new ByteArrayEntity(json, ContentType.APPLICATION_JSON));
		request.setConfig(RequestConfig.custom()
			.setResponseTimeout(Timeout.of(timeout.toMillis(), TimeUnit.MILLISECONDS))
			.build());
		return this.http.execute(request, (answer) -> new WorkerResponse(answer.getCode(),
				(answer.getEntity() != null) ? EntityUtils.toByteArray(answer.getEntity()) : new byte[0], null, null));
	}

	@Override
	public void destroy() throws IOException {
		this.http.close();
	}

	private record Attempt(Worker worker, WorkerResponse response, WorkerUnavailableException failure,
			boolean retryable) {

		String describe() {
			return (this.failure != null) ? this.failure.getMessage()
					: "HTTP " + this.response.status() + " from " + this.worker;
		}

	}

	/** The worker's answer, bytes untouched. */
	public record WorkerResponse(int status, byte[] body, String contentType, String modelVersion) {
	}

	/** The worker could not be reached, refused the connection or timed out. */
	public static class WorkerUnavailableException extends RuntimeException {

		WorkerUnavailableException(String message, Throwable cause) {
			super(message, cause);
		}

	}

	/** The worker took longer than the model's response timeout. */
	public static class WorkerTimeoutException extends WorkerUnavailableException {

		WorkerTimeoutException(String message, Throwable cause) {
			super(message, cause);
		}

	}

	/** No healthy worker (serving the model) could take the request. */
	public static class NoWorkerAvailableException extends WorkerUnavailableException {

		NoWorkerAvailableException(String message) {
			super(message, null);
		}

	}

}
