package dev.warden.platform.model;

/**
 * A version was added to the catalogue by an upload (published after its transaction
 * committed), so that the versions the workers must load are derived again at once.
 *
 * @param model the model
 * @param version the new version
 */
public record ModelVersionAdded(String model, long version) {
}
