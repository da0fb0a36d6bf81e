package dev.warden.platform.usage;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Usage metering settings ({@code warden.usage.*}), see {@code docs/configuration.md}.
 *
 * @param flushInterval how often each replica adds the usage it counted in memory to
 * {@code usage_daily}, and how long after the start it first does
 * (WARDEN_USAGE_FLUSH_INTERVAL); it flushes once more at shutdown
 */
@ConfigurationProperties("warden.usage")
record UsageProperties(@DefaultValue("5s") Duration flushInterval) {
}
