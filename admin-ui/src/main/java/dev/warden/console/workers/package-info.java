/**
 * The workers page: the inference workers the answering gateway replica routes to, with
 * their health, circuit breaker, traffic, desired state generation and, per model, the
 * versions served, loading, failed and in store. Read-only for every console role; the
 * admin API has no worker changes.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Workers")
package dev.warden.console.workers;
