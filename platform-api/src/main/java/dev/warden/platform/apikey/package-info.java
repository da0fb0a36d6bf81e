/**
 * Tenants' API keys: creation (the raw key shown once), scopes, expiry, revocation, quota
 * overrides and verification of a presented key by its hash.
 */
@org.springframework.modulith.ApplicationModule(displayName = "API keys")
package dev.warden.platform.apikey;
