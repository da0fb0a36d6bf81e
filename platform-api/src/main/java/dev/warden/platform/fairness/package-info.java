/**
 * Fairness checks: a model version run over an evaluation dataset (a reference dataset
 * with a label and sensitive attributes) as a background job, per-group metrics with
 * Wilson intervals, disparities with stratified bootstrap intervals, and immutable
 * reports (JSON and PDF). docs/governance.md.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Fairness checks")
package dev.warden.platform.fairness;
