package dev.warden.console.adminapi;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * Where platform-api is ({@code warden.console.gateway.*}).
 *
 * @param url base URL of platform-api
 * @param connectTimeout how long to wait for a connection
 * @param readTimeout how long to wait for an answer
 */
@ConfigurationProperties("warden.console.gateway")
public record AdminApiProperties(@DefaultValue("http://localhost:8080") String url,
		@DefaultValue("2s") Duration connectTimeout, @DefaultValue("10s") Duration readTimeout) {

	/**
	 * A client of platform-api at {@code url} with these timeouts; the caller adds how it
	 * authenticates.
	 */
	public RestClient.Builder restClient() {
		SimpleClientHttpRequestFactory requestFactory = new SimpleClientHttpRequestFactory();
		requestFactory.setConnectTimeout(this.connectTimeout);
		requestFactory.setReadTimeout(this.readTimeout);
		return RestClient.builder().baseUrl(this.url).requestFactory(requestFactory);
	}

}
