/**
 * Promotion gated by policy with four-eyes approval: {@code policies/promotion.yaml}
 * (validated, hot-reloaded, every change audited with its SHA-256), promotion requests
 * whose rules (fairness, explainability, model card, accuracy) are evaluated on the
 * version's reports and recorded rule by rule, overrides with a written justification,
 * approval by another administrator than the requester and the uploader, and the approved
 * change applied through routing in the approval's transaction. Routing refuses what
 * would bypass the flow through the guard this module implements
 * ({@link dev.warden.platform.routing.RoutingGuard}); the promotion history of a version
 * is a section of its model card. docs/governance.md.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Promotion")
package dev.warden.platform.promotion;
