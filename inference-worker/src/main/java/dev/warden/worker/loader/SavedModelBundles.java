package dev.warden.worker.loader;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.SessionFunction;
import org.tensorflow.Signature;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

import org.springframework.util.FileSystemUtils;

/**
 * Opens a SavedModel with TensorFlow Java, also when one of its signatures is
 * inconsistent with its graph.
 *
 * <p>
 * Why: TensorFlow Java checks every signature against the graph while loading and refuses
 * the whole SavedModel if one input or output names a missing tensor or declares another
 * dtype than the graph's (TF Serving's own {@code saved_model_half_plus_three} has such a
 * signature). TensorFlow Serving loads such models and serves their sound signatures. So
 * when the ordinary load fails that way, the model is opened a second time from a scratch
 * directory holding a copy of {@code saved_model.pb} without its signatures (every other
 * entry of the version directory is linked, not copied), and each signature is then
 * checked here against the loaded graph: the sound ones become callable, the others are
 * reported with the reason and stay visible in the metadata.
 *
 * <p>
 * The scratch directory lives in the system's temporary directory (the model store may be
 * read-only and is shared with platform-api) and is deleted when the bundle is closed.
 */
final class SavedModelBundles {

	private static final Logger log = LoggerFactory.getLogger(SavedModelBundles.class);

	/** Kept in the scratch copy: TF Java finds the TF2 initialisation op through it. */
	private static final String INIT_OP_SIGNATURE = "__saved_model_init_op";

	private SavedModelBundles() {
	}

	/**
	 * An opened SavedModel.
	 *
	 * @param bundle the loaded bundle
	 * @param metaGraph the MetaGraphDef as the version's {@code saved_model.pb} has it
	 * (every signature)
	 * @param functions the callable signatures by key (internal ones such as
	 * {@code __saved_model_init_op} left out)
	 * @param unusable signatures that cannot be called, with the reason
	 * @param scratch the scratch directory to delete on close, or {@code null}
	 */
	record Opened(SavedModelBundle bundle, MetaGraphDef metaGraph, Map<String, SessionFunction> functions,
			Map<String, String> unusable, Path scratch) implements AutoCloseable {

		@Override
		public void close() {
			try {
				bundle.close();
			}
			finally {
				deleteQuietly(scratch);
			}
		}

	}

	/**
	 * Opens the SavedModel in {@code dir} (tag {@code serve}).
	 * @throws RuntimeException as TensorFlow Java's loader does when the SavedModel
	 * cannot be loaded at all
	 */
	static Opened open(Path dir, ConfigProto config) {
		SavedModelBundle bundle;
		try {
			bundle = load(dir, config);
		}
		catch (IllegalArgumentException inconsistentSignature) {
			try {
				return openWithoutSignatures(dir, config);
			}
			catch (IOException | RuntimeException ex) {
				inconsistentSignature.addSuppressed(ex);
				throw inconsistentSignature;
			}
		}
		Map<String, SessionFunction> functions = new LinkedHashMap<>();
		bundle.metaGraphDef()
			.getSignatureDefMap()
			.keySet()
			.stream()
			.filter(key -> !key.startsWith("__"))
			.sorted()
			.forEach(key -> functions.put(key, bundle.function(key)));
		return new Opened(bundle, bundle.metaGraphDef(), functions, Map.of(), null);
	}

	private static SavedModelBundle load(Path dir, ConfigProto config) {
		return SavedModelBundle.loader(dir.toString()).withTags("serve").withConfigProto(config).load();
	}

	private static Opened openWithoutSignatures(Path dir, ConfigProto config) throws IOException {
		SavedModel original = SavedModel.parseFrom(Files.readAllBytes(dir.resolve("saved_model.pb")));
		MetaGraphDef metaGraph = original.getMetaGraphsList()
			.stream()
			.filter(graph -> graph.getMetaInfoDef().getTagsList().contains("serve"))
			.findFirst()
			.orElseThrow(() -> new IllegalArgumentException("no MetaGraph tagged serve"));
		Path scratch = Files.createTempDirectory("warden-savedmodel-");
		SavedModelBundle bundle = null;
		try {
			linkEntries(dir, scratch);
			SavedModel.Builder stripped = original.toBuilder();
			for (int i = 0; i < stripped.getMetaGraphsCount(); i++) {
				MetaGraphDef.Builder graph = stripped.getMetaGraphsBuilder(i);
				for (String key : List.copyOf(graph.getSignatureDefMap().keySet())) {
					if (!INIT_OP_SIGNATURE.equals(key)) {
						graph.removeSignatureDef(key);
					}
				}
			}
			Files.write(scratch.resolve("saved_model.pb"), stripped.build().toByteArray());
			bundle = load(scratch, config);
			Map<String, SessionFunction> functions = new LinkedHashMap<>();
			Map<String, String> unusable = new LinkedHashMap<>();
			for (var entry : new java.util.TreeMap<>(metaGraph.getSignatureDefMap()).entrySet()) {
				if (entry.getKey().startsWith("__")) {
					continue;
				}
				try {
					functions.put(entry.getKey(), SessionFunction
						.create(signature(bundle, entry.getKey(), entry.getValue()), bundle.session()));
				}
				catch (IllegalArgumentException ex) {
					unusable.put(entry.getKey(), ex.getMessage());
				}
			}
			unusable.forEach((key, reason) -> log.warn("Signature '{}' of {} cannot be served: {}", key, dir, reason));
			return new Opened(bundle, metaGraph, functions, unusable, scratch);
		}
		catch (IOException | RuntimeException ex) {
			if (bundle != null) {
				bundle.close();
			}
			deleteQuietly(scratch);
			throw ex;
		}
	}

	/**
	 * A signature rebuilt from the loaded graph's tensors, after checking each against
	 * the SignatureDef.
	 */
	private static Signature signature(SavedModelBundle bundle, String key, SignatureDef def) {
		Signature.Builder builder = Signature.builder(key).methodName(def.getMethodName());
		new java.util.TreeMap<>(def.getInputsMap())
			.forEach((name, info) -> builder.input(name, tensor(bundle, "input", name, info)));
		new java.util.TreeMap<>(def.getOutputsMap())
			.forEach((name, info) -> builder.output(name, tensor(bundle, "output", name, info)));
		return builder.build();
	}

	private static Output<?> tensor(SavedModelBundle bundle, String kind, String name, TensorInfo info) {
		String tensorName = info.getName();
		int colon = tensorName.lastIndexOf(':');
		String operation = colon < 0 ? tensorName : tensorName.substring(0, colon);
		int index;
		try {
			index = colon < 0 ? 0 : Integer.parseInt(tensorName.substring(colon + 1));
		}
		catch (NumberFormatException ex) {
			throw new IllegalArgumentException(kind + " '" + name + "' names no tensor (" + tensorName + ")");
		}
		GraphOperation op = bundle.graph().operation(operation);
		if (op == null || index < 0 || index >= op.numOutputs()) {
			throw new IllegalArgumentException(
					kind + " '" + name + "' names " + tensorName + ", which is not in the graph");
		}
		Output<?> output = op.output(index);
		if (output.dataType() != info.getDtype()) {
			throw new IllegalArgumentException(kind + " '" + name + "' declares " + info.getDtype() + " but "
					+ tensorName + " is " + output.dataType() + " in the graph");
		}
		return output;
	}

	/**
	 * Every entry of the version directory but {@code saved_model.pb}, linked (or copied)
	 * into the scratch copy.
	 */
	private static void linkEntries(Path dir, Path scratch) throws IOException {
		try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
			for (Path entry : entries) {
				String name = entry.getFileName().toString();
				if (name.equals("saved_model.pb") || name.equals("saved_model.pbtxt")) {
					continue;
				}
				Path target = scratch.resolve(name);
				try {
					Files.createSymbolicLink(target, entry.toAbsolutePath());
				}
				catch (UnsupportedOperationException | IOException ex) {
					FileSystemUtils.copyRecursively(entry, target);
				}
			}
		}
	}

	private static void deleteQuietly(Path dir) {
		if (dir == null) {
			return;
		}
		// links are deleted, never followed: the model store's files are untouched
		try (Stream<Path> paths = Files.walk(dir)) {
			paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
		}
		catch (IOException ex) {
			log.debug("Scratch directory {} not fully deleted: {}", dir, ex.toString());
		}
	}

}
