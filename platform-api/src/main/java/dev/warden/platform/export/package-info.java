/**
 * Signed compliance exports of the request log and the audit trail (CSV, NDJSON, PDF) and
 * their offline verifier (bin/warden-verify-export).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Compliance exports")
package dev.warden.platform.export;
