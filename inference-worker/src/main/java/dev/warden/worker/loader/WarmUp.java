package dev.warden.worker.loader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tensorflow.proto.Example;
import org.tensorflow.proto.TensorProto;

/**
 * The warm-up of a freshly loaded version, before it is reported AVAILABLE, so that the
 * first client request does not pay for the graph's initialisation (50–150 ms on the
 * first call).
 *
 * <p>
 * Two sources of calls, in this order:
 * <ol>
 * <li><b>The model's own warm-up requests</b>, when the version ships TensorFlow
 * Serving's {@code assets.extra/tf_serving_warmup_requests} ({@link WarmUpRequests}):
 * every classify, regress, predict and multi-inference record is replayed once. As in TF
 * Serving, the author asked for exactly these calls, so a record that cannot be read or
 * whose call fails fails the load ({@link ServableLoadException}).</li>
 * <li><b>One synthetic call per remaining signature</b>, built from the signature: one
 * row of neutral values (0, {@code false}, and {@code "0"} for strings, a non-empty text
 * so that in-graph tokenisation of raw-text inputs runs for real and in-graph number
 * parsing succeeds); for an input the graph parses as serialized {@code tf.Example}s
 * ({@link LoadedServable#exampleSchema}), one valid example with every dense feature the
 * graph declares; an input of unknown rank gets a vector of one value. A signature this
 * cannot feed (a dtype the worker does not feed), or whose call fails, is
 * <em>reported</em> in the {@link WarmUpReport} and served anyway: TF Serving does not
 * warm up at all without the file, and one signature must not keep the others from being
 * served.</li>
 * </ol>
 *
 * <p>
 * Called once per load, by {@link SavedModelLoader}, on the loader's thread; calls go
 * straight to {@link LoadedServable#run}, never through the batching queues.
 */
final class WarmUp {

	/** Longest reason kept from a TensorFlow error (its first line). */
	private static final int MAX_REASON = 300;

	private WarmUp() {
	}

	/**
	 * Warms {@code servable} up.
	 * @param versionDir the version's directory (where the warm-up requests file is
	 * looked for)
	 * @throws ServableLoadException if the version's warm-up requests file cannot be read
	 * or one of its calls fails
	 */
	static WarmUpReport run(LoadedServable servable, Path versionDir) {
		Set<String> replayed = new LinkedHashSet<>();
		int records = 0;
		Path file = versionDir.resolve(WarmUpRequests.FILE);
		if (Files.isRegularFile(file)) {
			List<WarmUpRequests.Request> requests;
			try {
				requests = WarmUpRequests.read(file);
			}
			catch (IOException | IllegalArgumentException ex) {
				throw new ServableLoadException("cannot read " + WarmUpRequests.FILE + ": " + reason(ex), ex);
			}
			for (WarmUpRequests.Request request : requests) {
				records++;
				try {
					replay(servable, request);
				}
				catch (RuntimeException ex) {
					throw new ServableLoadException("warm-up request " + records + " of " + WarmUpRequests.FILE + " ("
							+ describe(request) + ") failed: " + reason(ex), ex);
				}
				replayed.add(request.signature());
			}
		}
		List<String> warmed = new ArrayList<>(replayed);
		Map<String, String> notWarmed = new LinkedHashMap<>();
		for (SignatureSpec signature : servable.signatures().values()) {
			if (replayed.contains(signature.key())) {
				continue;
			}
			Map<String, InputColumn> inputs;
			try {
				inputs = neutralInputs(servable, signature);
			}
			catch (CannotFeed ex) {
				notWarmed.put(signature.key(), ex.getMessage());
				continue;
			}
			try {
				servable.run(signature.key(), inputs);
				warmed.add(signature.key());
			}
			catch (RuntimeException ex) {
				notWarmed.put(signature.key(), "the warm-up call failed: " + reason(ex));
			}
		}
		return new WarmUpReport(records, warmed, notWarmed);
	}

	/** One neutral row (or one neutral example) for every input of {@code signature}. */
	static Map<String, InputColumn> neutralInputs(LoadedServable servable, SignatureSpec signature) {
		Map<String, InputColumn> inputs = new LinkedHashMap<>();
		for (TensorSpec input : signature.inputs().values()) {
			var schema = servable.exampleSchema(input);
			if (schema.isPresent()) {
				Example example;
				try {
					example = schema.get().neutralExample();
				}
				catch (ArithmeticException ex) {
					throw new CannotFeed(
							"input " + input + ": a feature's declared shape is too large for a warm-up example");
				}
				inputs.put(input.name(), InputColumn.ofExamples(input, List.of(example)));
			}
			else if (input.elementKind() == null) {
				throw new CannotFeed("input " + input + " cannot be fed: this worker does not feed " + input.dtype());
			}
			else {
				inputs.put(input.name(), neutralColumn(input));
			}
		}
		return inputs;
	}

	/**
	 * One row of neutral values for a typed input: its declared shape with every variable
	 * dimension (and the batch dimension) set to 1; a scalar input stays a scalar, and an
	 * input of unknown rank gets a vector of one value.
	 */
	static InputColumn neutralColumn(TensorSpec input) {
		if (input.unknownRank()) {
			return new InputColumn(input, new long[] { 1 }, neutralValues(input.elementKind(), 1));
		}
		long[] shape = new long[Math.max(input.dims().length, 1)];
		int count = 1;
		for (int i = 0; i < shape.length; i++) {
			shape[i] = (i < input.dims().length && input.dims()[i] > 0) ? input.dims()[i] : 1;
			count *= (int) shape[i];
		}
		return new InputColumn(input, input.dims().length == 0 ? new long[0] : shape,
				neutralValues(input.elementKind(), count));
	}

	private static Object neutralValues(TensorSpec.ElementKind kind, int count) {
		return switch (kind) {
			case FLOAT -> new float[count];
			case DOUBLE -> new double[count];
			case INT32 -> new int[count];
			case INT64 -> new long[count];
			case BOOL -> new boolean[count];
			case STRING -> {
				String[] values = new String[count];
				Arrays.fill(values, "0");
				yield values;
			}
		};
	}

	private static void replay(LoadedServable servable, WarmUpRequests.Request request) {
		SignatureSpec signature = servable.signatures().get(request.signature());
		if (signature == null) {
			throw new IllegalArgumentException("the model has no signature '" + request.signature() + "'");
		}
		Map<String, InputColumn> inputs = new LinkedHashMap<>();
		if (request instanceof WarmUpRequests.ExampleRequest examples) {
			TensorSpec input = signature.inputs().get("inputs");
			if (signature.inputs().size() != 1 || input == null || !"DT_STRING".equals(input.dtype())) {
				throw new IllegalArgumentException("signature '" + signature.key()
						+ "' does not take serialized tf.Example in one DT_STRING input named 'inputs'");
			}
			if (examples.examples().isEmpty()) {
				throw new IllegalArgumentException("the request has no examples");
			}
			inputs.put(input.name(), InputColumn.ofExamples(input, examples.examples()));
		}
		else if (request instanceof WarmUpRequests.TensorRequest tensors) {
			for (var entry : tensors.inputs().entrySet()) {
				TensorSpec input = signature.inputs().get(entry.getKey());
				if (input == null) {
					throw new IllegalArgumentException(
							"signature '" + signature.key() + "' has no input '" + entry.getKey() + "'");
				}
				inputs.put(input.name(), column(input, entry.getValue()));
			}
			for (String name : signature.inputs().keySet()) {
				if (!inputs.containsKey(name)) {
					throw new IllegalArgumentException("input '" + name + "' is missing");
				}
			}
		}
		servable.run(signature.key(), inputs);
	}

	/** A TensorProto as an input column; its dtype must be the input's. */
	static InputColumn column(TensorSpec input, TensorProto proto) {
		String dtype = proto.getDtype().name();
		if (!dtype.equals(input.dtype()) || input.elementKind() == null) {
			throw new IllegalArgumentException("input " + input + " cannot take a " + dtype + " tensor");
		}
		long[] shape = proto.getTensorShape().getDimList().stream().mapToLong(dim -> dim.getSize()).toArray();
		int count = Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact));
		ByteBuffer content = proto.getTensorContent().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
		boolean packed = content.hasRemaining();
		Object values = switch (input.elementKind()) {
			case FLOAT -> {
				float[] floats = new float[count];
				for (int i = 0; i < count; i++) {
					floats[i] = packed ? content.getFloat(i * 4) : repeated(proto.getFloatValList(), i, 0f);
				}
				yield floats;
			}
			case DOUBLE -> {
				double[] doubles = new double[count];
				for (int i = 0; i < count; i++) {
					doubles[i] = packed ? content.getDouble(i * 8) : repeated(proto.getDoubleValList(), i, 0d);
				}
				yield doubles;
			}
			case INT32 -> {
				int[] ints = new int[count];
				for (int i = 0; i < count; i++) {
					ints[i] = packed ? content.getInt(i * 4) : repeated(proto.getIntValList(), i, 0);
				}
				yield ints;
			}
			case INT64 -> {
				long[] longs = new long[count];
				for (int i = 0; i < count; i++) {
					longs[i] = packed ? content.getLong(i * 8) : repeated(proto.getInt64ValList(), i, 0L);
				}
				yield longs;
			}
			case BOOL -> {
				boolean[] bools = new boolean[count];
				for (int i = 0; i < count; i++) {
					bools[i] = packed ? content.get(i) != 0 : repeated(proto.getBoolValList(), i, false);
				}
				yield bools;
			}
			case STRING -> {
				byte[][] strings = new byte[count][];
				for (int i = 0; i < count; i++) {
					strings[i] = repeated(proto.getStringValList(), i, com.google.protobuf.ByteString.EMPTY)
						.toByteArray();
				}
				yield strings;
			}
		};
		return new InputColumn(input, shape, values);
	}

	/**
	 * TensorFlow's rule for short value lists: the last value repeats; an empty list
	 * means zeros.
	 */
	private static <T> T repeated(List<T> values, int index, T zero) {
		if (values.isEmpty()) {
			return zero;
		}
		return values.get(Math.min(index, values.size() - 1));
	}

	private static String describe(WarmUpRequests.Request request) {
		return (request instanceof WarmUpRequests.ExampleRequest examples ? examples.method() : "predict")
				+ ", signature " + request.signature();
	}

	/**
	 * The first line of an error, shortened: TensorFlow's messages go on with graph
	 * details.
	 */
	static String reason(Throwable ex) {
		String message = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage().strip();
		int newline = message.indexOf('\n');
		if (newline >= 0) {
			message = message.substring(0, newline).strip();
		}
		return message.length() > MAX_REASON ? message.substring(0, MAX_REASON) + "…" : message;
	}

	/** A signature whose inputs this worker cannot build a warm-up value for. */
	static final class CannotFeed extends RuntimeException {

		CannotFeed(String message) {
			super(message);
		}

	}

}
