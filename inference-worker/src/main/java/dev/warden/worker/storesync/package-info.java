/**
 * The model store sync ({@code warden.worker.model-store.sync}): a worker on a machine
 * without the platform's directory store copies every version of the platform's model
 * store (PostgreSQL, {@code GET /internal/v1/model-store}) into its local store, checking
 * each archive's SHA-256 before unpacking it; the source then serves it as any version of
 * the local store.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Store sync")
package dev.warden.worker.storesync;
