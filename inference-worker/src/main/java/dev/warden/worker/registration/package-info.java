/**
 * The worker's side of routing and of the platform's desired state:
 * {@code GET /internal/v1/status} (what this worker serves: per model the AVAILABLE
 * versions, labels, aspired, loading and failed versions and what is in the store, with
 * the generation of the desired state it follows), read by the gateway for the workers it
 * is configured with; {@code PUT /internal/v1/desired-state}, by which such a gateway
 * tells the worker which versions to load; and the optional self-registration that posts
 * the same facts to the platform as a heartbeat ({@code warden.registration.*}) and
 * applies the desired state carried by its answer.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Registration")
package dev.warden.worker.registration;
