/**
 * The audit trail page: recent control-plane events and the result of verifying the hash
 * chain and its signed digests.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Audit trail")
package dev.warden.console.audit;
