/**
 * Outcome feedback and live quality: tenants report the true outcomes of earlier
 * predictions ({@code POST /v1/models/{m}:feedback}, answered by the gateway), matched
 * with their own logged predictions and counted per hour, overall and per sensitive
 * attribute and group; the admin API computes live accuracy and the fairness checks'
 * per-group rates and gaps from the counts. docs/monitoring.md.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Outcome feedback")
package dev.warden.platform.feedback;
