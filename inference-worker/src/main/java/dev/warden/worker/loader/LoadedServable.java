package dev.warden.worker.loader;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

import dev.warden.worker.source.ServableId;

import org.tensorflow.Result;
import org.tensorflow.SessionFunction;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.NdArray;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;
import org.tensorflow.types.TString;

/**
 * One loaded model version: the SavedModel bundle, its signatures and the metadata read
 * from it.
 *
 * <p>
 * Thread safety: {@link #run} may be called from many threads at once (each call uses its
 * own tensors and a thread-safe {@link SessionFunction}). {@link #close()} must be called
 * once, by the manager, only after the last {@code run} has returned: the manager's
 * reference counting guarantees that.
 */
public final class LoadedServable implements AutoCloseable {

	private final ServableId id;

	private final SavedModelBundles.Opened opened;

	private final Map<String, SignatureSpec> signatures;

	private final Map<String, SessionFunction> functions;

	private final Map<String, Object> signatureDefs;

	/**
	 * What the graph parses out of its serialized tf.Example inputs, by the input's
	 * tensor name.
	 */
	private final Map<String, ExampleSchema> exampleSchemas;

	private volatile WarmUpReport warmUp = WarmUpReport.NONE;

	private volatile WardenAssets wardenAssets = WardenAssets.NONE;

	private volatile String filesSha256;

	LoadedServable(ServableId id, SavedModelBundles.Opened opened) {
		this.id = id;
		this.opened = opened;
		Map<String, SignatureSpec> specs = new LinkedHashMap<>();
		Map<String, Object> defs = new LinkedHashMap<>();
		opened.metaGraph()
			.getSignatureDefMap()
			.entrySet()
			.stream()
			.sorted(Map.Entry.comparingByKey())
			.forEach(entry -> {
				defs.put(entry.getKey(), signatureDefJson(entry.getValue()));
				if (opened.functions().containsKey(entry.getKey())) {
					specs.put(entry.getKey(), spec(entry.getKey(), entry.getValue()));
				}
			});
		this.signatures = java.util.Collections.unmodifiableMap(specs);
		this.signatureDefs = java.util.Collections.unmodifiableMap(defs);
		this.functions = Map.copyOf(opened.functions());
		this.exampleSchemas = Map.copyOf(ExampleParsing.schemas(opened.metaGraph().getGraphDef(),
				specs.values().stream().flatMap(spec -> spec.inputs().values().stream()).toList()));
	}

	public ServableId id() {
		return id;
	}

	/**
	 * Callable signatures by key, sorted, inputs and outputs sorted by name (internal
	 * ones such as {@code __saved_model_init_op} left out, and so are signatures that are
	 * inconsistent with the graph, see {@link #unusableSignatures()}).
	 */
	public Map<String, SignatureSpec> signatures() {
		return signatures;
	}

	/**
	 * Signatures in the SavedModel that cannot be called because they are inconsistent
	 * with its graph (a tensor that does not exist, another dtype than the graph's), with
	 * the reason. They are still listed in {@link #signatureDefs()}, as TF Serving lists
	 * them.
	 */
	public Map<String, String> unusableSignatures() {
		return opened.unusable();
	}

	/**
	 * All signature defs in TF Serving's JSON shape ({@code inputs}, {@code outputs},
	 * {@code method_name}), as read from the SavedModel's MetaGraphDef.
	 */
	public Map<String, Object> signatureDefs() {
		return signatureDefs;
	}

	/**
	 * The features the model parses from {@code input} when it is a batch of serialized
	 * {@code tf.Example}s (read from the graph's example-parsing ops); empty for other
	 * inputs, and for example inputs whose parsing this worker cannot read.
	 */
	public Optional<ExampleSchema> exampleSchema(TensorSpec input) {
		return Optional.ofNullable(exampleSchemas.get(input.tensorName()));
	}

	/** What the warm-up did: which signatures it could not warm up, and why. */
	public WarmUpReport warmUpReport() {
		return warmUp;
	}

	/**
	 * The SHA-256 of the version's files when it was loaded ({@link ModelDigest}), or
	 * {@code null} if they could not be read.
	 */
	public String filesSha256() {
		return filesSha256;
	}

	void digested(String sha256) {
		this.filesSha256 = sha256;
	}

	void warmedUp(WarmUpReport report) {
		this.warmUp = report;
	}

	/** Warden's own files of this version, read when it loaded. */
	public WardenAssets wardenAssets() {
		return wardenAssets;
	}

	void wardenAssets(WardenAssets assets) {
		this.wardenAssets = assets;
	}

	/**
	 * Runs one signature. Inputs must already be validated against the signature. Every
	 * tensor and the result are closed before returning; outputs are copied into Java
	 * values.
	 * @throws IllegalArgumentException if the signature is unknown
	 * @throws org.tensorflow.exceptions.TensorFlowException if TensorFlow rejects the
	 * call
	 */
	public Map<String, OutputColumn> run(String signatureKey, Map<String, InputColumn> inputs) {
		return call(signatureKey, inputs, result -> {
			Map<String, OutputColumn> outputs = new LinkedHashMap<>();
			for (String name : signatures.get(signatureKey).outputs().keySet()) {
				Tensor tensor = result.get(name)
					.orElseThrow(() -> new IllegalStateException("output " + name + " missing from result"));
				outputs.put(name, copyOut(name, tensor));
			}
			return outputs;
		});
	}

	/**
	 * Runs one signature and hands its {@link Result} to {@code read} before the result
	 * is closed: for callers that read large outputs straight into primitive arrays
	 * (explanations) rather than into the boxed rows of {@link #run}. {@code read} must
	 * copy out whatever it keeps (a tensor read after its result is closed returns
	 * garbage). Inputs must already be validated against the signature; every tensor is
	 * closed before returning. Thread safety as {@link #run}.
	 * @throws IllegalArgumentException if the signature is unknown
	 * @throws org.tensorflow.exceptions.TensorFlowException if TensorFlow rejects the
	 * call
	 */
	public <T> T call(String signatureKey, Map<String, InputColumn> inputs, Function<Result, T> read) {
		SessionFunction function = functions.get(signatureKey);
		if (function == null) {
			throw new IllegalArgumentException("unknown signature " + signatureKey);
		}
		Map<String, Tensor> tensors = new LinkedHashMap<>();
		try {
			inputs.forEach((name, column) -> tensors.put(name, toTensor(column)));
			try (Result result = function.call(tensors)) {
				return read.apply(result);
			}
		}
		finally {
			tensors.values().forEach(Tensor::close);
		}
	}

	@Override
	public void close() {
		opened.close();
	}

	static Tensor toTensor(InputColumn column) {
		Shape shape = Shape.of(column.shape());
		Object values = column.values();
		return switch (column.spec().elementKind()) {
			case FLOAT -> TFloat32.tensorOf(shape, DataBuffers.of((float[]) values, true, false));
			case DOUBLE -> TFloat64.tensorOf(shape, DataBuffers.of((double[]) values, true, false));
			case INT32 -> TInt32.tensorOf(shape, DataBuffers.of((int[]) values, true, false));
			case INT64 -> TInt64.tensorOf(shape, DataBuffers.of((long[]) values, true, false));
			case STRING -> values instanceof byte[][] bytes ? TString.tensorOfBytes(shape, DataBuffers.ofObjects(bytes))
					: TString.tensorOf(shape, DataBuffers.ofObjects((String[]) values));
			case BOOL -> TBool.tensorOf(shape, DataBuffers.of((boolean[]) values, true, false));
		};
	}

	/**
	 * Copies a tensor into nested Java lists, one entry per row; must be called before
	 * the Result is closed.
	 */
	static OutputColumn copyOut(String name, Tensor tensor) {
		Shape shape = tensor.shape();
		long[] dims = shape.asArray();
		int size = Math.toIntExact(shape.size());
		Object primitive = primitiveValues(tensor, size);
		if (primitive != null) {
			return OutputColumn.ofFlat(name, dims, primitive);
		}
		NdArray<?> array = (NdArray<?>) tensor;
		List<Object> flat = new ArrayList<>(size);
		array.scalars().forEach(scalar -> flat.add(scalar.getObject()));
		if (dims.length == 0) {
			return new OutputColumn(name, dims, List.of(flat.get(0)));
		}
		int[] cursor = { 0 };
		List<Object> rows = new ArrayList<>();
		for (long r = 0; r < dims[0]; r++) {
			rows.add(nest(flat, dims, 1, cursor));
		}
		return new OutputColumn(name, dims, rows);
	}

	/**
	 * The elements of a float, double, int32, int64 or bool tensor in row-major order,
	 * read in one bulk copy (walking {@code scalars()} makes a view object per element);
	 * {@code null} for other types.
	 */
	private static Object primitiveValues(Tensor tensor, int size) {
		if (tensor instanceof TFloat32 floats) {
			float[] values = new float[size];
			floats.copyTo(DataBuffers.of(values, false, false));
			return values;
		}
		if (tensor instanceof TInt64 longs) {
			long[] values = new long[size];
			longs.copyTo(DataBuffers.of(values, false, false));
			return values;
		}
		if (tensor instanceof TFloat64 doubles) {
			double[] values = new double[size];
			doubles.copyTo(DataBuffers.of(values, false, false));
			return values;
		}
		if (tensor instanceof TInt32 ints) {
			int[] values = new int[size];
			ints.copyTo(DataBuffers.of(values, false, false));
			return values;
		}
		if (tensor instanceof TBool booleans) {
			boolean[] values = new boolean[size];
			booleans.copyTo(DataBuffers.of(values, false, false));
			return values;
		}
		return null;
	}

	private static Object nest(List<Object> flat, long[] dims, int axis, int[] cursor) {
		if (axis == dims.length) {
			return flat.get(cursor[0]++);
		}
		List<Object> list = new ArrayList<>((int) dims[axis]);
		for (long i = 0; i < dims[axis]; i++) {
			list.add(nest(flat, dims, axis + 1, cursor));
		}
		return list;
	}

	private static SignatureSpec spec(String key, SignatureDef def) {
		Map<String, TensorSpec> inputs = new LinkedHashMap<>();
		new java.util.TreeMap<>(def.getInputsMap()).forEach((name, info) -> inputs.put(name, tensorSpec(name, info)));
		Map<String, TensorSpec> outputs = new LinkedHashMap<>();
		new java.util.TreeMap<>(def.getOutputsMap()).forEach((name, info) -> outputs.put(name, tensorSpec(name, info)));
		return new SignatureSpec(key, def.getMethodName(), inputs, outputs);
	}

	private static TensorSpec tensorSpec(String name, TensorInfo info) {
		// a TensorInfo without a shape (TF Serving's half_plus_three) says as little as
		// an unknown rank
		long[] dims = !info.hasTensorShape() || info.getTensorShape().getUnknownRank() ? null
				: info.getTensorShape().getDimList().stream().mapToLong(d -> d.getSize()).toArray();
		return new TensorSpec(name, info.getDtype().name(), dims, info.getName());
	}

	private static Map<String, Object> signatureDefJson(SignatureDef def) {
		Map<String, Object> json = new LinkedHashMap<>();
		json.put("inputs", tensorInfosJson(def.getInputsMap()));
		json.put("outputs", tensorInfosJson(def.getOutputsMap()));
		json.put("method_name", def.getMethodName());
		json.put("defaults", defaultsJson(def));
		return json;
	}

	/**
	 * The signature's default input values, in protobuf's JSON mapping as TF Serving
	 * prints them; almost always {@code {}}.
	 */
	private static Map<String, Object> defaultsJson(SignatureDef def) {
		Map<String, Object> json = new LinkedHashMap<>();
		new java.util.TreeMap<>(def.getDefaultsMap()).forEach((name, tensor) -> {
			Map<String, Object> value = new LinkedHashMap<>();
			value.put("dtype", tensor.getDtype().name());
			value.put("tensor_shape",
					Map.of("dim", tensor.getTensorShape()
						.getDimList()
						.stream()
						.map(d -> Map.<String, Object>of("size", Long.toString(d.getSize()), "name", d.getName()))
						.toList(), "unknown_rank", tensor.getTensorShape().getUnknownRank()));
			json.put(name, value);
		});
		return json;
	}

	private static Map<String, Object> tensorInfosJson(Map<String, TensorInfo> infos) {
		Map<String, Object> json = new LinkedHashMap<>();
		infos.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
			TensorInfo info = entry.getValue();
			List<Map<String, Object>> dims = info.getTensorShape()
				.getDimList()
				.stream()
				.map(d -> Map.<String, Object>of("size", Long.toString(d.getSize()), "name", d.getName()))
				.toList();
			Map<String, Object> shape = new LinkedHashMap<>();
			shape.put("dim", dims);
			shape.put("unknown_rank", info.getTensorShape().getUnknownRank());
			Map<String, Object> tensor = new LinkedHashMap<>();
			tensor.put("dtype", info.getDtype().name());
			if (info.hasTensorShape()) {
				tensor.put("tensor_shape", shape);
			}
			tensor.put("name", info.getName());
			json.put(entry.getKey(), tensor);
		});
		return json;
	}

}
