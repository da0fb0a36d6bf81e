/**
 * The inference workers: configured and self-registered workers, their health and
 * inventories, and the HTTP client that forwards to them. API: {@link WorkerClient},
 * {@link WorkerInventory}, the settings records; the pool, the workers' state and the
 * registrations table are in {@code worker.internal}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Worker pool")
package dev.warden.platform.worker;
