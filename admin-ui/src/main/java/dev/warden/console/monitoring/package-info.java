/**
 * The alerts page: the open alerts the monitoring rules of platform-api opened.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Alerts")
package dev.warden.console.monitoring;
