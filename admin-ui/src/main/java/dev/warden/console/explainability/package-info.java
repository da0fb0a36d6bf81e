/**
 * The explainability page of a model version: its latest report drawn as server-side SVG
 * charts (global importance, partial dependence, attribution histograms), the quality
 * figures and top tokens, older reports and their PDFs, the version's report jobs, the
 * model's reference datasets, and a form that explains one row or text and shows its
 * attributions as bars or highlighted text. Everything comes from platform-api's admin
 * API through {@code adminapi}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Explainability")
package dev.warden.console.explainability;
