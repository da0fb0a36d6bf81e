package dev.warden.worker.registration;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Self-registration with the platform ({@code warden.registration.*}); off unless
 * {@code platform-url} is set.
 *
 * @param platformUrl base URL of platform-api (WARDEN_PLATFORM_URL); empty = no
 * registration
 * @param token the shared registration token (WARDEN_REGISTRATION_TOKEN), sent as a
 * bearer token with heartbeats and, when set, required from every caller of this worker
 * except its health and metrics endpoints ({@link CallerTokenFilter})
 * @param advertisedUrl the URL the gateway reaches this worker at
 * (WARDEN_WORKER_ADVERTISED_URL); empty = {@code http://<server.address>:<port>}
 * (loopback when listening on every address)
 * @param workerId this worker's id (WARDEN_WORKER_ID); empty = host name and port
 * @param interval time between heartbeats (WARDEN_REGISTRATION_INTERVAL)
 */
@ConfigurationProperties("warden.registration")
record RegistrationProperties(String platformUrl, String token, String advertisedUrl, String workerId,
		@DefaultValue("2s") Duration interval) {

	boolean enabled() {
		return this.platformUrl != null && !this.platformUrl.isBlank();
	}

}
