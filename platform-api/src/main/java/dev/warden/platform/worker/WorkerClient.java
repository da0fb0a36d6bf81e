package dev.warden.platform.worker;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.util.Timeout;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * HTTP client for the inference worker: Apache HttpClient 5 (classic) with a pooled, keep-alive connection
 * manager shared by all requests. Bodies are passed through as bytes, never re-parsed. Thread-safe.
 */
@Component
public class WorkerClient implements DisposableBean {

	private final String baseUrl;

	private final PoolingHttpClientConnectionManager connections;

	private final CloseableHttpClient http;

	WorkerClient(WorkerProperties properties) {
		this.baseUrl = properties.url().endsWith("/") ? properties.url().substring(0, properties.url().length() - 1)
				: properties.url();
		this.connections = PoolingHttpClientConnectionManagerBuilder.create()
			.setMaxConnTotal(properties.maxConnections())
			.setMaxConnPerRoute(properties.maxConnections())
			.setDefaultConnectionConfig(ConnectionConfig.custom()
				.setConnectTimeout(Timeout.of(properties.connectTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.setSocketTimeout(Timeout.of(properties.responseTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.build())
			.build();
		this.http = HttpClients.custom()
			.setConnectionManager(this.connections)
			.setDefaultRequestConfig(RequestConfig.custom()
				.setResponseTimeout(Timeout.of(properties.responseTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.build())
			.disableCookieManagement()
			.disableAuthCaching()
			.disableRedirectHandling()
			.disableAutomaticRetries()
			.build();
	}

	/**
	 * Sends one request to the worker.
	 * @param method HTTP method
	 * @param pathAndQuery path (starting with '/') and optional query, passed verbatim
	 * @param body request body or {@code null}
	 * @param contentType content type of the body, may be {@code null}
	 * @param requestId forwarded as {@code X-Request-Id}
	 * @throws WorkerUnavailableException when the worker cannot be reached or does not answer
	 */
	public WorkerResponse exchange(String method, String pathAndQuery, byte[] body, String contentType,
			String requestId) {
		HttpUriRequestBase request = new HttpUriRequestBase(method, java.net.URI.create(this.baseUrl + pathAndQuery));
		if (requestId != null) {
			request.setHeader("X-Request-Id", requestId);
		}
		request.setHeader("Accept", "application/json");
		if (body != null && body.length > 0) {
			request.setEntity(new ByteArrayEntity(body, (contentType != null) ? ContentType.parseLenient(contentType)
					: ContentType.APPLICATION_JSON));
		}
		try {
			return this.http.execute(request, (response) -> {
				byte[] bytes = (response.getEntity() != null) ? EntityUtils.toByteArray(response.getEntity())
						: new byte[0];
				Header type = response.getFirstHeader("Content-Type");
				Header version = response.getFirstHeader("X-Model-Version");
				return new WorkerResponse(response.getCode(), bytes, (type != null) ? type.getValue() : null,
						(version != null) ? version.getValue() : null);
			});
		}
		catch (IOException ex) {
			throw new WorkerUnavailableException("worker at " + this.baseUrl + " is unavailable: " + ex.getMessage(),
					ex);
		}
	}

	public String baseUrl() {
		return this.baseUrl;
	}

	@Override
	public void destroy() throws IOException {
		this.http.close();
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

}
