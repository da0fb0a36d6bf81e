/**
 * Tenants and their lifecycle (suspend, reactivate, delete with crypto-shredding) and
 * their data keys (TenantDataKeys).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tenants")
package dev.warden.platform.tenant;
