package dev.warden.worker.manager;

/**
 * State of one model version.
 * @param error why loading failed, or {@code null}
 */
public record VersionStatus(String model, long version, VersionState state, String error) {

	public boolean failed() {
		return error != null;
	}

}
