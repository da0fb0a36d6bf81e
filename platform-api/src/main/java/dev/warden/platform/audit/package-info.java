/**
 * The tamper-evident audit trail: events appended to a SHA-256 hash chain in the caller's
 * transaction, signed digests, verification online and offline (bin/warden-verify-audit).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Audit trail")
package dev.warden.platform.audit;
