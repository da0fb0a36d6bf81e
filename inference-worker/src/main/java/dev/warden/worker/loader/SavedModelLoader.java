package dev.warden.worker.loader;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.warden.worker.source.ServableId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.tensorflow.proto.ConfigProto;

/**
 * Loads one model version from a SavedModel directory (tag {@code serve}).
 *
 * <p>Contract: {@link #load} either returns a warmed-up servable (see {@link WarmUp}: the model's own
 * {@code tf_serving_warmup_requests} if it ships them, then one real call per signature the worker knows how to
 * feed, so the first client request does not pay for graph initialisation; signatures that could not be warmed up
 * are listed in {@link LoadedServable#warmUpReport()} and served all the same) or throws
 * {@link ServableLoadException} after releasing everything it allocated: the SavedModel cannot be loaded, its
 * signatures cannot be read, or one of its own warm-up requests fails. It is thread-safe; loads of different
 * versions may run concurrently. The caller owns the returned servable and must {@link LoadedServable#close()
 * close} it when unloading.
 */
@Component
public class SavedModelLoader {

	private static final Logger log = LoggerFactory.getLogger(SavedModelLoader.class);

	private final ConfigProto config;

	public SavedModelLoader(LoaderProperties properties) {
		this.config = ConfigProto.newBuilder()
			.setInterOpParallelismThreads(properties.interOpThreads())
			.setIntraOpParallelismThreads(properties.intraOpThreads())
			.build();
	}

	public LoadedServable load(ServableId id, Path versionDir) {
		if (!Files.isRegularFile(versionDir.resolve("saved_model.pb"))) {
			throw new ServableLoadException("no saved_model.pb in version " + id, null);
		}
		long started = System.nanoTime();
		SavedModelBundles.Opened opened;
		try {
			opened = SavedModelBundles.open(versionDir, config);
		}
		catch (RuntimeException ex) {
			throw new ServableLoadException("cannot load SavedModel " + id + ": " + ex.getMessage(), ex);
		}
		LoadedServable servable;
		try {
			servable = new LoadedServable(id, opened);
		}
		catch (RuntimeException ex) {
			opened.close();
			throw new ServableLoadException("cannot read signatures of " + id + ": " + ex.getMessage(), ex);
		}
		WarmUpReport warmUp;
		try {
			warmUp = WarmUp.run(servable, versionDir);
		}
		catch (RuntimeException ex) {
			servable.close();
			throw new ServableLoadException("warm-up of " + id + " failed: " + ex.getMessage(), ex);
		}
		servable.warmedUp(warmUp);
		log.info("Loaded {} from {} in {} ms (signatures {}{})", id, versionDir,
				(System.nanoTime() - started) / 1_000_000, servable.signatures().keySet(),
				warmUp.fileRecords() > 0 ? ", " + warmUp.fileRecords() + " warm-up requests from the model" : "");
		warmUp.warnings().forEach(warning -> log.warn("{}: {}", id, warning));
		return servable;
	}

}
