package dev.warden.platform.audit;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Audit trail settings ({@code warden.audit.*}), see {@code docs/configuration.md}.
 *
 * @param digestInterval how often a signed digest of the chain is written (skipped when
 * no event was added), and how long after the start the first one is
 * (WARDEN_AUDIT_DIGEST_INTERVAL)
 */
@ConfigurationProperties("warden.audit")
record AuditProperties(@DefaultValue("15m") Duration digestInterval) {
}
