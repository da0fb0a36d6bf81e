/**
 * Governance pages of a model version: fairness (reports with per-group rate charts,
 * disparities with intervals and suppressed groups; fairness checks; evaluation
 * datasets), the model card (composed card, completeness, governance section with
 * overrides, revisions, edit form, exports) and promotion (requests evaluated rule by
 * rule against the promotion policy, four-eyes approval, overrides with justifications).
 * Everything comes from platform-api's admin API through {@code adminapi}; platform-api
 * decides who may do what, the pages only hide the forms a role cannot use.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Governance")
package dev.warden.console.governance;
