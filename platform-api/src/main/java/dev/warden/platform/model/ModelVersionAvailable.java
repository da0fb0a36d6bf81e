package dev.warden.platform.model;

/**
 * A version was reported AVAILABLE by a worker for the first time (a trained, uploaded or
 * discovered version alike): published by {@link ModelCatalogue#sync()} after the
 * transaction that recorded it has committed, once per version across all gateway
 * replicas ({@code model_versions.first_available_at} is set once). Listeners run on the
 * catalogue's thread and must hand long work off.
 *
 * @param model the model's name
 * @param version the version number
 */
public record ModelVersionAvailable(String model, long version) {
}
