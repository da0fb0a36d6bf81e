package dev.warden.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import com.google.protobuf.CodedOutputStream;

import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.Example;
import org.tensorflow.proto.Feature;
import org.tensorflow.proto.Features;
import org.tensorflow.proto.FloatList;
import org.tensorflow.proto.TensorProto;
import org.tensorflow.types.TFloat16;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TString;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.util.FileSystemUtils;

/**
 * TensorFlow Serving's own test models (test resources {@code tfserving-testdata/}, see
 * the README there) and the test-only SavedModels and files built around them: one place
 * for every test class that needs them.
 */
public final class TfServingTestData {

	/** The model TF Serving's REST tests serve as {@code default}. */
	public static final String HALF_PLUS_TWO = "saved_model_half_plus_two_cpu";

	public static final String HALF_PLUS_TWO_TF2 = "saved_model_half_plus_two_tf2_cpu";

	public static final String TWO_VERSIONS = "saved_model_half_plus_two_2_versions";

	public static final String HALF_PLUS_THREE = "saved_model_half_plus_three";

	public static final String WITH_CONFIG = "saved_model_half_plus_two_cpu_with_saved_model_config";

	public static final String WITH_EMPTY_CONFIG = "saved_model_half_plus_two_cpu_with_empty_saved_model_config";

	/** Every TF Serving test model Warden serves. */
	public static final List<String> MODELS = List.of(HALF_PLUS_TWO, HALF_PLUS_TWO_TF2, TWO_VERSIONS, HALF_PLUS_THREE,
			WITH_CONFIG, WITH_EMPTY_CONFIG);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private TfServingTestData() {
	}

	/** The test data directory (copied to the test classpath by Maven). */
	public static Path root() {
		try {
			return Path.of(TfServingTestData.class.getResource("/tfserving-testdata/README.md").toURI()).getParent();
		}
		catch (URISyntaxException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * Copies every version of a TF Serving test model into {@code store} as model
	 * {@code as}.
	 */
	public static Path copy(String model, Path store, String as) {
		Path target = store.resolve(as);
		copyTree(root().resolve(model), target);
		return target;
	}

	/**
	 * One version directory of a TF Serving test model, e.g.
	 * {@code version(HALF_PLUS_TWO, 123)}.
	 */
	public static Path version(String model, long version) {
		return root().resolve(model).resolve(String.format("%08d", version));
	}

	/**
	 * One of TF Serving's expected metadata answers
	 * ({@code half_plus_two_model_metadata.json}, ...).
	 */
	public static JsonNode expectedMetadata(String file) {
		try {
			return JSON.readTree(Files.readString(root().resolve(file)));
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	public static void copyTree(Path source, Path target) {
		try {
			FileSystemUtils.copyRecursively(source, target);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * A SavedModel with signatures the warm-up cannot, or cannot successfully, call, next
	 * to an ordinary one: {@code serving_default} ({@code x} float [-1] → {@code y} =
	 * 2x); {@code half_precision} (a DT_HALF input, a dtype the worker does not feed →
	 * its identity); {@code decode} (DT_STRING [-1] → DecodeBase64, which fails on the
	 * warm-up's {@code "0"}).
	 */
	public static Path awkwardModel(Path versionDir) {
		try (Graph graph = new Graph(); Session session = new Session(graph)) {
			Ops tf = Ops.create(graph);
			Placeholder<TFloat32> x = tf.withName("x").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
			Operand<TFloat32> y = tf.withName("y").math.mul(x, tf.constant(2f));
			Placeholder<TFloat16> half = tf.withName("half")
				.placeholder(TFloat16.class, Placeholder.shape(Shape.of(-1)));
			Operand<TFloat16> same = tf.withName("same").identity(half);
			Placeholder<TString> encoded = tf.withName("encoded")
				.placeholder(TString.class, Placeholder.shape(Shape.of(-1)));
			Operand<TString> decoded = tf.withName("decoded").io.decodeBase64(encoded);
			SavedModelBundle.exporter(versionDir.toString())
				.withTags("serve")
				.withSession(session)
				.withSignature(Signature.builder("serving_default")
					.methodName("tensorflow/serving/predict")
					.input("x", x)
					.output("y", y)
					.build())
				.withSignature(Signature.builder("half_precision")
					.methodName("tensorflow/serving/predict")
					.input("half", half)
					.output("same", same)
					.build())
				.withSignature(Signature.builder("decode")
					.methodName("tensorflow/serving/predict")
					.input("encoded", encoded)
					.output("decoded", decoded)
					.build())
				.export();
			return versionDir;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/** An example with one float feature {@code x}, as TF Serving's tests build it. */
	public static Example exampleX(float x) {
		return Example.newBuilder()
			.setFeatures(Features.newBuilder()
				.putFeature("x", Feature.newBuilder().setFloatList(FloatList.newBuilder().addValue(x)).build()))
			.build();
	}

	/**
	 * Writes TF Serving's warm-up file into a version directory: the records are written
	 * by TensorFlow's own TFRecord writer ({@code DatasetToTFRecord}), each a
	 * {@code PredictionLog} encoded here by field number.
	 */
	public static Path writeWarmUpFile(Path versionDir, List<byte[]> predictionLogs) {
		try {
			Path file = Files.createDirectories(versionDir.resolve("assets.extra"))
				.resolve("tf_serving_warmup_requests");
			try (Graph graph = new Graph();
					Session session = new Session(graph);
					TString records = TString.tensorOfBytes(Shape.of(predictionLogs.size()),
							DataBuffers.ofObjects(predictionLogs.toArray(byte[][]::new)))) {
				Ops tf = Ops.create(graph);
				var dataset = tf.data.tensorSliceDataset(List.of(tf.constantOf(records)), List.of(Shape.scalar()));
				var write = tf.data.datasetToTfRecord(dataset, tf.constant(file.toString()), tf.constant(""));
				session.run(write);
			}
			return file;
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	/**
	 * {@code PredictionLog{classify_log{request{model_spec{signature_name},
	 * input{example_list{examples}}}}}}.
	 */
	public static byte[] classifyLog(String signature, Example... examples) {
		return log(2, message(field(1, modelSpec(signature)), field(2, exampleList(examples))));
	}

	/** The same for {@code regress_log}. */
	public static byte[] regressLog(String signature, Example... examples) {
		return log(3, message(field(1, modelSpec(signature)), field(2, exampleList(examples))));
	}

	/** {@code PredictionLog{predict_log{request{model_spec, inputs{key: tensor}}}}}. */
	public static byte[] predictLog(String signature, Map<String, TensorProto> inputs) {
		byte[][] parts = new byte[inputs.size() + 1][];
		parts[0] = field(1, modelSpec(signature));
		int i = 1;
		for (var entry : inputs.entrySet()) {
			parts[i++] = field(2, message(field(1, entry.getKey().getBytes(StandardCharsets.UTF_8)),
					field(2, entry.getValue().toByteArray())));
		}
		return log(6, message(parts));
	}

	/**
	 * {@code PredictionLog{session_run_log{}}}: a kind of record that cannot be replayed.
	 */
	public static byte[] sessionRunLog() {
		return message(field(5, new byte[0]));
	}

	private static byte[] log(int logField, byte[] request) {
		return message(field(logField, field(1, request)));
	}

	private static byte[] modelSpec(String signature) {
		return message(field(1, "default".getBytes(StandardCharsets.UTF_8)),
				field(3, signature.getBytes(StandardCharsets.UTF_8)));
	}

	private static byte[] exampleList(Example... examples) {
		byte[][] list = new byte[examples.length][];
		for (int i = 0; i < examples.length; i++) {
			list[i] = field(1, examples[i].toByteArray());
		}
		return message(field(1, message(list)));
	}

	/** One length-delimited field. */
	private static byte[] field(int number, byte[] value) {
		try {
			ByteArrayOutputStream bytes = new ByteArrayOutputStream();
			CodedOutputStream out = CodedOutputStream.newInstance(bytes);
			out.writeByteArray(number, value);
			out.flush();
			return bytes.toByteArray();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

	private static byte[] message(byte[]... fields) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream();
		for (byte[] field : fields) {
			bytes.writeBytes(field);
		}
		return bytes.toByteArray();
	}

}
