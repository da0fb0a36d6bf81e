/**
 * Monitoring: serving health per tenant, model and version (requests, answers by status
 * class, errors by code, quota rejections, a latency histogram, rows per request),
 * counted in memory at the gateway's one observation point and flushed additively into
 * per-minute rows, with their admin API.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Monitoring")
package dev.warden.platform.monitoring;
