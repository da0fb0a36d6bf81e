/**
 * Monitoring: serving health per tenant, model and version (requests, answers by status
 * class, errors by code, quota rejections, a latency histogram, rows per request),
 * counted in memory at the gateway's one observation point and flushed additively into
 * per-minute rows, with their admin API; data drift of every version against its
 * reference profile; alert rules on serving health, drift and live quality that open and
 * close stored, audited alerts delivered to signed webhooks.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Monitoring")
package dev.warden.platform.monitoring;
