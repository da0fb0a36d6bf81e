/**
 * The worker's side of routing: {@code GET /internal/v1/status} (what this worker serves:
 * AVAILABLE versions and labels per model), read by the gateway for the workers it is
 * configured with, and the optional self-registration that posts the same facts to the
 * platform as a heartbeat ({@code warden.registration.*}).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Registration")
package dev.warden.worker.registration;
