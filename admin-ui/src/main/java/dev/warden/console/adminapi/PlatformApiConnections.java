package dev.warden.console.adminapi;

import java.security.NoSuchAlgorithmException;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;

import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.ClientTlsStrategyBuilder;
import org.apache.hc.core5.http.ssl.TLS;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;

import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;

/**
 * The console's connections to platform-api: one pool of kept-alive connections shared by
 * every client of platform-api in the console (admin API, sign-in reports, console
 * state).
 *
 * <p>
 * A pooled connection that was idle for {@link #VALIDATE_AFTER_INACTIVITY} or more is
 * checked before it is used again, and dropped when platform-api closed it: a
 * platform-api that restarted (or a replica that went away behind the same address)
 * leaves every pooled connection closed by its peer, and without the check each of them
 * would fail one request ("end of file") before the pool held a working one. Idle
 * connections are closed after {@link #IDLE_TIMEOUT}. Nothing is resent automatically (a
 * non-idempotent admin action must not be sent twice); callers whose calls are idempotent
 * resend them themselves.
 *
 * <p>
 * {@code https://} URLs use the process's default TLS context ({@code warden.tls.*} makes
 * it trust Warden's CA) with host names verified; redirects are not followed (an answer
 * of platform-api's API is never a redirect, and a followed one would carry the user's
 * token elsewhere) and cookies are not kept.
 */
@Component
public class PlatformApiConnections implements DisposableBean {

	/** How long a pooled connection may be idle before it is checked on reuse. */
	static final TimeValue VALIDATE_AFTER_INACTIVITY = TimeValue.ofSeconds(1);

	/** Idle connections are closed after this. */
	static final TimeValue IDLE_TIMEOUT = TimeValue.ofSeconds(30);

	/**
	 * Concurrent connections to platform-api: a console request holds at most one at a
	 * time, so as many as the console's request threads (Tomcat's default maximum), and a
	 * request never waits for a free one.
	 */
	static final int MAX_CONNECTIONS = 200;

	private final AdminApiProperties properties;

	private final PoolingHttpClientConnectionManager pool;

	private final CloseableHttpClient http;

	private final HttpComponentsClientHttpRequestFactory requestFactory;

	public PlatformApiConnections(AdminApiProperties properties) {
		this.properties = properties;
		this.pool = PoolingHttpClientConnectionManagerBuilder.create()
			.setMaxConnTotal(MAX_CONNECTIONS)
			.setMaxConnPerRoute(MAX_CONNECTIONS)
			.setDefaultConnectionConfig(ConnectionConfig.custom()
				.setConnectTimeout(Timeout.of(properties.connectTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.setSocketTimeout(Timeout.of(properties.readTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.setValidateAfterInactivity(VALIDATE_AFTER_INACTIVITY)
				.build())
			.setTlsSocketStrategy(ClientTlsStrategyBuilder.create()
				.setSslContext(defaultTlsContext())
				.setTlsVersions(TLS.V_1_3, TLS.V_1_2)
				.buildClassic())
			.build();
		this.http = HttpClients.custom()
			.setConnectionManager(this.pool)
			.setDefaultRequestConfig(RequestConfig.custom()
				.setResponseTimeout(Timeout.of(properties.readTimeout().toMillis(), TimeUnit.MILLISECONDS))
				// bounded like an answer, should the pool ever be exhausted (HttpClient's
				// default is three minutes)
				.setConnectionRequestTimeout(Timeout.of(properties.readTimeout().toMillis(), TimeUnit.MILLISECONDS))
				.build())
			.evictIdleConnections(IDLE_TIMEOUT)
			.evictExpiredConnections()
			.disableAutomaticRetries()
			.disableRedirectHandling()
			.disableCookieManagement()
			.disableAuthCaching()
			.disableConnectionState()
			.build();
		this.requestFactory = new HttpComponentsClientHttpRequestFactory(this.http);
	}

	/**
	 * A client of platform-api at {@code warden.console.gateway.url} over these
	 * connections; the caller adds how it authenticates.
	 */
	public RestClient.Builder restClient() {
		return RestClient.builder().baseUrl(this.properties.url()).requestFactory(this.requestFactory);
	}

	/** Where platform-api is, for messages. */
	public String url() {
		return this.properties.url();
	}

	@Override
	public void destroy() {
		this.http.close(CloseMode.GRACEFUL);
	}

	private static SSLContext defaultTlsContext() {
		try {
			return SSLContext.getDefault();
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("no TLS context", ex);
		}
	}

}
