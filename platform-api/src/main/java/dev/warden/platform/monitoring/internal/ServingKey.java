package dev.warden.platform.monitoring.internal;

import java.util.UUID;

/**
 * What one row of {@code serving_minutes} is keyed by.
 *
 * @param minute the UTC minute, in minutes since the epoch
 * @param tenantId the tenant
 * @param model the model named in the path
 * @param version the version that answered, {@code ""} when none did
 */
public record ServingKey(long minute, UUID tenantId, String model, String version) {
}
