package dev.warden.worker.manager;

import dev.warden.worker.loader.LoadedServable;

/**
 * A short-lived claim on one loaded version: while it is open the version is not closed,
 * even if it is unloaded meanwhile. Use it for one request, in try-with-resources, and
 * never keep the servable beyond it. Closing it more than once has no further effect. Not
 * meant to be shared between threads.
 */
public final class ServableHandle implements AutoCloseable {

	private final ManagedVersion version;

	private boolean closed;

	ServableHandle(ManagedVersion version) {
		this.version = version;
	}

	public LoadedServable servable() {
		if (closed) {
			throw new IllegalStateException("handle already closed");
		}
		return version.servable();
	}

	public String model() {
		return version.id().name();
	}

	public long version() {
		return version.id().version();
	}

	@Override
	public void close() {
		if (!closed) {
			closed = true;
			version.release();
		}
	}

}
