package dev.warden.worker.loader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;

import dev.warden.worker.source.ServableId;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.tensorflow.proto.ConfigProto;

/**
 * The {@link Loader} of TensorFlow SavedModels: loads one model version from a SavedModel
 * directory (tag {@code serve}).
 *
 * <p>
 * Contract: {@link #load} either returns a warmed-up servable (see {@link WarmUp}: the
 * model's own {@code tf_serving_warmup_requests} if it ships them, then one real call per
 * signature the worker knows how to feed, so the first client request does not pay for
 * graph initialisation; signatures that could not be warmed up are listed in
 * {@link LoadedServable#warmUpReport()} and served all the same) or throws
 * {@link ServableLoadException} after releasing everything it allocated: the SavedModel
 * cannot be loaded, its signatures cannot be read, or one of its own warm-up requests
 * fails. It is thread-safe; loads of different versions may run concurrently. The caller
 * owns the returned servable and must {@link #unload} (close) it when unloading.
 *
 * <p>
 * The warm-up allocates one example of every input in the shape the SavedModel declares,
 * and a SavedModel is input from whoever uploaded it: before any warm-up tensor is
 * allocated, every signature's declared inputs are checked against
 * {@link LoaderProperties#maxInputElements()}, and a version that declares more is
 * refused with a message naming the input and its declared shape. Uploads (validation)
 * and versions found in the model store at start-up go through the same check, so such a
 * version fails alone instead of taking memory from the others.
 */
@Component
public class SavedModelLoader implements Loader<LoadedServable> {

	private static final Logger log = LoggerFactory.getLogger(SavedModelLoader.class);

	private final ConfigProto config;

	private final int maxInputElements;

	public SavedModelLoader(LoaderProperties properties) {
		this.config = ConfigProto.newBuilder()
			.setInterOpParallelismThreads(properties.interOpThreads())
			.setIntraOpParallelismThreads(properties.intraOpThreads())
			.build();
		this.maxInputElements = properties.maxInputElements();
	}

	@Override
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
			for (SignatureSpec signature : servable.signatures().values()) {
				checkDeclaredInputs(id, signature, this.maxInputElements);
			}
		}
		catch (ServableLoadException ex) {
			servable.close();
			throw ex;
		}
		servable.wardenAssets(WardenAssets.read(versionDir));
		try {
			warmUp = WarmUp.run(servable, versionDir);
		}
		catch (RuntimeException ex) {
			servable.close();
			throw new ServableLoadException("warm-up of " + id + " failed: " + ex.getMessage(), ex);
		}
		servable.warmedUp(warmUp);
		try {
			servable.digested(ModelDigest.of(versionDir));
		}
		catch (RuntimeException ex) {
			log.warn("The files of {} could not be digested: {}", id, ex.getMessage());
		}
		log.info("Loaded {} from {} in {} ms (signatures {}{})", id, versionDir,
				(System.nanoTime() - started) / 1_000_000, servable.signatures().keySet(),
				warmUp.fileRecords() > 0 ? ", " + warmUp.fileRecords() + " warm-up requests from the model" : "");
		warmUp.warnings().forEach(warning -> log.warn("{}: {}", id, warning));
		return servable;
	}

	/**
	 * The size of the SavedModel's files: its variables are loaded into memory as they
	 * are stored, so this is a lower bound of what the version takes (TF Serving
	 * estimates from the files in the same way); empty if the directory cannot be read.
	 */
	@Override
	public OptionalLong estimateResources(ServableId id, Path versionDir) {
		try (Stream<Path> files = Files.walk(versionDir)) {
			return OptionalLong.of(files.filter(Files::isRegularFile).mapToLong(SavedModelLoader::size).sum());
		}
		catch (IOException | UncheckedIOException ex) {
			return OptionalLong.empty();
		}
	}

	private static long size(Path file) {
		try {
			return Files.size(file);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * Signatures that cannot be served because they are inconsistent with the graph, and
	 * signatures the warm-up could not call.
	 */
	@Override
	public List<String> warnings(LoadedServable servable) {
		List<String> warnings = new ArrayList<>();
		servable.unusableSignatures()
			.forEach((key, reason) -> warnings.add("signature '" + key + "' cannot be served: " + reason));
		warnings.addAll(servable.warmUpReport().warnings());
		return List.copyOf(warnings);
	}

	@Override
	public void unload(LoadedServable servable) {
		servable.close();
	}

	/**
	 * Refuses {@code signature} if one example of its inputs, as declared, has more than
	 * {@code limit} elements in total (so the warm-up never allocates more than that per
	 * signature).
	 * @throws ServableLoadException naming the input at which the total goes over the
	 * limit, with its declared shape
	 */
	static void checkDeclaredInputs(ServableId id, SignatureSpec signature, int limit) {
		BigInteger total = BigInteger.ZERO;
		BigInteger max = BigInteger.valueOf(limit);
		for (TensorSpec input : signature.inputs().values()) {
			BigInteger elements = exampleElements(input);
			total = total.add(elements);
			if (total.compareTo(max) > 0) {
				// name the sum only when this input alone would have been accepted
				String together = (elements.compareTo(max) > 0) ? ""
						: ", " + total + " together with the inputs before it";
				throw new ServableLoadException("cannot serve " + id + ": input '" + input.name() + "' of signature '"
						+ signature.key() + "' declares shape " + input.shapeText() + ", " + elements
						+ " elements per example" + together + "; at most " + limit + " elements per example are "
						+ "accepted over the inputs of a signature (warden.worker.tensorflow.max-input-elements)",
						null);
			}
		}
	}

	/**
	 * The elements of one example of {@code input}, as the warm-up call shapes it: the
	 * product of the declared dimensions, an unknown one (-1, typically the batch
	 * dimension) counting as 1. Exact, so that no declared shape can overflow its way
	 * under the limit.
	 */
	static BigInteger exampleElements(TensorSpec input) {
		BigInteger elements = BigInteger.ONE;
		if (input.dims() != null) {
			for (long dim : input.dims()) {
				if (dim > 1) {
					elements = elements.multiply(BigInteger.valueOf(dim));
				}
			}
		}
		return elements;
	}

}
