/**
 * Usage metering: data-plane calls counted in memory and flushed additively into
 * usage_daily, with the reports of the data plane and the admin API.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Usage")
package dev.warden.platform.usage;
