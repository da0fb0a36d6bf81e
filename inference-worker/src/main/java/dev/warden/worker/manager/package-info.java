/**
 * TF Serving's manager: reconciles aspired against loaded versions with
 * availability-preserving swaps, hands out short-lived reference-counted handles, keeps
 * labels, publishes load metrics and the readiness indicator.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Manager")
package dev.warden.worker.manager;
