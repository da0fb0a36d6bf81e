/**
 * Quota plans from policies/quotas.yaml (reloaded without a restart) enforced with
 * Bucket4j buckets in PostgreSQL shared by every replica, taken in small leases.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Quotas")
package dev.warden.platform.quota;
