package dev.warden.console.state;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where console replicas keep their shared state ({@code warden.console.state.*}).
 *
 * @param token bearer token of platform-api's console state API (the same value as
 * platform-api's {@code warden.console-state.token}); empty = state in memory, per
 * process
 * @param startupTimeout how long a starting console retries reading the signing keys
 * before it gives up
 */
@ConfigurationProperties("warden.console.state")
record ConsoleStateProperties(String token, @DefaultValue("60s") Duration startupTimeout) {

	static final String TOKEN = "warden.console.state.token";

}
