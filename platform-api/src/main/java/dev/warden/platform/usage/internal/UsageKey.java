package dev.warden.platform.usage.internal;

import java.time.LocalDate;
import java.util.UUID;

/**
 * What one row of {@code usage_daily} is keyed by. {@code model} and {@code outcome} are
 * never null.
 */
public record UsageKey(LocalDate day, UUID tenantId, UUID apiKeyId, String model, String outcome) {
}
