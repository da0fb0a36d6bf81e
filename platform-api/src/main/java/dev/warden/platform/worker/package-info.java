/**
 * The inference workers: configured and self-registered workers, their health and
 * inventories, and the HTTP client that forwards to them.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Worker pool")
package dev.warden.platform.worker;
