package dev.warden.platform.worker;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Inference worker connection settings ({@code warden.worker.*}).
 *
 * @param url base URL of the worker (WARDEN_WORKER_URL)
 * @param maxConnections pooled connections to the worker (WARDEN_WORKER_MAX_CONNECTIONS)
 * @param connectTimeout TCP connect timeout
 * @param responseTimeout time to wait for the worker's answer (WARDEN_WORKER_RESPONSE_TIMEOUT)
 */
@ConfigurationProperties("warden.worker")
public record WorkerProperties(@DefaultValue("http://127.0.0.1:8081") String url,
		@DefaultValue("256") int maxConnections, @DefaultValue("2s") Duration connectTimeout,
		@DefaultValue("60s") Duration responseTimeout) {
}
