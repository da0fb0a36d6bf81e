package dev.warden.worker.loader;

import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

import dev.warden.worker.source.ServableId;

/**
 * Loads and unloads versions of one kind of servable, in the spirit of TensorFlow
 * Serving's {@code Loader} ({@code loader.h}): the manager decides when a version is
 * loaded and when it is unloaded, the loader knows how.
 *
 * <p>
 * Contract: {@link #load} returns a servable that is ready to serve (warmed up, if the
 * loader warms up) or throws {@link ServableLoadException} after releasing whatever it
 * allocated. Loads of different versions may run concurrently. The caller owns the
 * servable and hands it back to {@link #unload} exactly once, when no request uses it any
 * more.
 *
 * @param <S> the servable: what a request runs against
 */
public interface Loader<S> {

	/**
	 * Loads version {@code id} from its directory in the model store.
	 * @throws ServableLoadException if the version cannot be loaded; the message says why
	 * and may be shown to clients (the model store's path in it is masked by the manager)
	 */
	S load(ServableId id, Path directory);

	/**
	 * The memory the version will take once loaded, in bytes, if it can be told cheaply
	 * without loading it; empty otherwise (the default).
	 */
	default OptionalLong estimateResources(ServableId id, Path directory) {
		return OptionalLong.empty();
	}

	/**
	 * What a loaded servable serves with a caveat (shown in its version's status); none
	 * by default.
	 */
	default List<String> warnings(S servable) {
		return List.of();
	}

	/** Releases everything {@link #load} allocated for {@code servable}. */
	void unload(S servable);

}
