/**
 * The console's home page: tenants with their API keys, and models with their versions
 * and signatures.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Dashboard")
package dev.warden.console.dashboard;
