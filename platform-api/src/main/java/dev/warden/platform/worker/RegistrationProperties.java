package dev.warden.platform.worker;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Self-registration of workers ({@code warden.registration.*}).
 *
 * @param token the shared secret a worker's heartbeat must carry
 * (WARDEN_REGISTRATION_TOKEN); empty = workers cannot register themselves (every
 * heartbeat is refused)
 * @param refreshInterval how often this gateway re-reads the live registrations from the
 * database
 * @param missedHeartbeats heartbeats a worker may miss before its registration expires
 */
@ConfigurationProperties("warden.registration")
public record RegistrationProperties(String token, @DefaultValue("500ms") Duration refreshInterval,
		@DefaultValue("3") int missedHeartbeats) {

	public boolean enabled() {
		return this.token != null && !this.token.isBlank();
	}

}
