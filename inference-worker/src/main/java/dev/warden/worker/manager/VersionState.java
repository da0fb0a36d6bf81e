package dev.warden.worker.manager;

/** Life cycle of a model version, with TF Serving's names. */
public enum VersionState {

	/** Seen in the store, not yet loading. */
	START,
	/** Being loaded and warmed up. */
	LOADING,
	/** Serving requests. */
	AVAILABLE,
	/** Removed from the store; finishing the requests that still hold it. */
	UNLOADING,
	/** Unloaded, or failed to load (then {@link VersionStatus#error()} says why). */
	END

}
