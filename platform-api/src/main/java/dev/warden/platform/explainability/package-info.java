/**
 * Explainability reports for every model version: reference datasets (CSV uploads and the
 * datasets shipped with the worker, stored encrypted in chunks), report jobs run in the
 * background by any gateway replica, immutable reports with their digest in the audit
 * trail (JSON and PDF), and single explanations for the console. docs/explainability.md.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Explainability reports")
package dev.warden.platform.explainability;
