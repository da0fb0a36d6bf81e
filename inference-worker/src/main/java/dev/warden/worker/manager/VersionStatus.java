package dev.warden.worker.manager;

import java.util.List;

/**
 * State of one model version.
 *
 * @param error why loading failed, or {@code null}
 * @param warnings what a loaded version serves with a caveat: signatures that could not
 * be warmed up, signatures that cannot be served because they are inconsistent with the
 * graph; empty when there is none
 */
public record VersionStatus(String model, long version, VersionState state, String error, List<String> warnings) {

	public VersionStatus {
		warnings = warnings == null ? List.of() : List.copyOf(warnings);
	}

	public VersionStatus(String model, long version, VersionState state, String error) {
		this(model, version, state, error, List.of());
	}

	public boolean failed() {
		return error != null;
	}

}
