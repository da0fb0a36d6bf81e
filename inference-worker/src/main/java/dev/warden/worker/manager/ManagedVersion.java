package dev.warden.worker.manager;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import dev.warden.worker.loader.Loader;
import dev.warden.worker.source.ServableId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A version under management. Reference counted: the manager holds one reference while
 * the version is aspired and each open {@link ServableHandle} holds one; the servable is
 * handed back to its {@link Loader#unload loader} when the count drops to zero, so never
 * while a request uses it.
 *
 * <p>
 * States move forward only: START → LOADING → AVAILABLE → UNLOADING → END, or to END from
 * any earlier state (a failed load, or an unload before the load finished).
 * {@link #acquire()} and {@link #release()} are lock-free (the request path); the
 * transitions made by the manager and the loader are synchronized with each other.
 *
 * @param <S> the servable type
 */
final class ManagedVersion<S> {

	private static final Logger log = LoggerFactory.getLogger(ManagedVersion.class);

	private final ServableId id;

	private final Loader<S> loader;

	private final AtomicInteger references = new AtomicInteger();

	private volatile VersionState state = VersionState.START;

	private volatile String error;

	private volatile List<String> warnings = List.of();

	private volatile S servable;

	ManagedVersion(ServableId id, Loader<S> loader) {
		this.id = id;
		this.loader = loader;
	}

	ServableId id() {
		return id;
	}

	VersionState state() {
		return state;
	}

	boolean failed() {
		return error != null;
	}

	VersionStatus status() {
		return new VersionStatus(id.name(), id.version(), state, error, warnings);
	}

	S servable() {
		return servable;
	}

	/** In memory: available, or unloading while requests still hold it. */
	boolean loaded() {
		VersionState current = state;
		return current == VersionState.AVAILABLE || current == VersionState.UNLOADING;
	}

	synchronized boolean loading() {
		if (state != VersionState.START) {
			return false;
		}
		state = VersionState.LOADING;
		return true;
	}

	/**
	 * Publishes the loaded servable. False if the version was unloaded while it loaded:
	 * the caller must then close the servable itself.
	 */
	synchronized boolean available(S loaded) {
		if (state != VersionState.START && state != VersionState.LOADING) {
			return false;
		}
		servable = loaded;
		warnings = loaded == null ? List.of() : List.copyOf(loader.warnings(loaded));
		references.set(1);
		state = VersionState.AVAILABLE;
		return true;
	}

	synchronized void failed(String message) {
		error = message;
		state = VersionState.END;
	}

	/**
	 * Takes a reference if the version is still available; false once it is unloading.
	 */
	boolean acquire() {
		while (true) {
			int current = references.get();
			if (current <= 0 || state != VersionState.AVAILABLE) {
				return false;
			}
			if (references.compareAndSet(current, current + 1)) {
				return true;
			}
		}
	}

	/**
	 * Drops the manager's reference: no new handles, closed once the last handle is
	 * closed.
	 */
	synchronized void unload() {
		if (state == VersionState.AVAILABLE) {
			state = VersionState.UNLOADING;
			release();
		}
		else if (state != VersionState.UNLOADING) {
			state = VersionState.END;
		}
	}

	void release() {
		if (references.decrementAndGet() == 0) {
			S loaded = servable;
			servable = null;
			state = VersionState.END;
			if (loaded != null) {
				loader.unload(loaded);
				log.info("Unloaded {}", id);
			}
		}
	}

}
