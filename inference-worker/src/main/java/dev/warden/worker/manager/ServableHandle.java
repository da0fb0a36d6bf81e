package dev.warden.worker.manager;

/**
 * A short-lived claim on one loaded version: while it is open the version is not closed,
 * even if it is unloaded meanwhile. Use it for one request, in try-with-resources, and
 * never keep the servable beyond it. Closing it more than once has no further effect. Not
 * meant to be shared between threads.
 *
 * @param <S> the servable type
 */
public final class ServableHandle<S> implements AutoCloseable {

	private final ManagedVersion<S> version;

	private boolean closed;

	ServableHandle(ManagedVersion<S> version) {
		this.version = version;
	}

	public S servable() {
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
