package dev.warden.console.adminapi;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

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
}
