package dev.warden.worker.loader;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;

import org.tensorflow.proto.Example;
import org.tensorflow.proto.TensorProto;

/**
 * Reads TensorFlow Serving's warm-up file,
 * {@code assets.extra/tf_serving_warmup_requests} in a version directory: a TFRecord file
 * (each record: length, masked CRC-32C of the length, data, masked CRC-32C of the data)
 * whose records are {@code tensorflow.serving.PredictionLog} protos. The request of each
 * classify, regress, predict and multi-inference log is decoded (only the fields a
 * warm-up needs: signature name, examples and context, input tensors); the responses are
 * ignored.
 *
 * <p>
 * TF Serving's own rules apply: at most {@value #MAX_RECORDS} records, and a record that
 * cannot be read or is of a kind that cannot be replayed (session run, streamed predict)
 * fails the load, because the model's author asked for exactly these calls. The decoding
 * is by field number, so no TF Serving classes are needed.
 */
final class WarmUpRequests {

	/** Where TF Serving looks for the file, relative to the version directory. */
	static final String FILE = "assets.extra/tf_serving_warmup_requests";

	/** TF Serving's limit on the number of records. */
	static final int MAX_RECORDS = 1000;

	private static final String DEFAULT_SIGNATURE = "serving_default";

	private static final int MASK_DELTA = 0xa282ead8;

	private WarmUpRequests() {
	}

	/** A request to replay. */
	sealed interface Request permits ExampleRequest, TensorRequest {

		String signature();

	}

	/**
	 * A classify or regress request (or one task of a multi-inference request).
	 *
	 * @param method {@code classify} or {@code regress}, for messages
	 * @param examples the examples, each already merged with the request's context
	 */
	record ExampleRequest(String method, String signature, List<Example> examples) implements Request {
	}

	/** A predict request: input tensors by name. */
	record TensorRequest(String signature, Map<String, TensorProto> inputs) implements Request {
	}

	/**
	 * The requests of the file, in file order.
	 * @throws IOException if the file cannot be read
	 * @throws IllegalArgumentException if a record is corrupt, cannot be decoded or
	 * cannot be replayed, or there are more than {@value #MAX_RECORDS}
	 */
	static List<Request> read(Path file) throws IOException {
		List<Request> requests = new ArrayList<>();
		int records = 0;
		try (InputStream in = Files.newInputStream(file)) {
			long remaining = Files.size(file);
			while (true) {
				byte[] header = in.readNBytes(12);
				if (header.length == 0) {
					break;
				}
				records++;
				if (header.length < 12) {
					throw new IllegalArgumentException("record " + records + " is truncated");
				}
				ByteBuffer buffer = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
				long length = buffer.getLong();
				if (buffer.getInt() != maskedCrc(header, 0, 8)) {
					throw new IllegalArgumentException("record " + records + " has a corrupt length");
				}
				remaining -= 12;
				if (length < 0 || length > remaining - 4) {
					throw new IllegalArgumentException("record " + records + " is truncated");
				}
				byte[] data = in.readNBytes((int) length);
				byte[] crc = in.readNBytes(4);
				if (data.length != length || crc.length != 4
						|| ByteBuffer.wrap(crc).order(ByteOrder.LITTLE_ENDIAN).getInt() != maskedCrc(data, 0,
								data.length)) {
					throw new IllegalArgumentException("record " + records + " is corrupt (checksum mismatch)");
				}
				remaining -= length + 4;
				if (records > MAX_RECORDS) {
					throw new IllegalArgumentException(
							"more than " + MAX_RECORDS + " records (TensorFlow Serving's limit)");
				}
				try {
					requests.addAll(predictionLog(CodedInputStream.newInstance(data)));
				}
				catch (IOException | RuntimeException ex) {
					throw new IllegalArgumentException("record " + records + ": " + ex.getMessage(), ex);
				}
			}
		}
		return requests;
	}

	/** TFRecord's checksum: CRC-32C, rotated right by 15 bits plus a constant. */
	static int maskedCrc(byte[] data, int offset, int length) {
		CRC32C crc = new CRC32C();
		crc.update(data, offset, length);
		int value = (int) crc.getValue();
		return ((value >>> 15) | (value << 17)) + MASK_DELTA;
	}

	private static List<Request> predictionLog(CodedInputStream in) throws IOException {
		List<Request> requests = null;
		while (!in.isAtEnd()) {
			int tag = in.readTag();
			switch (WireFormat.getTagFieldNumber(tag)) {
				case 2 -> requests = List.of(exampleRequest("classify", request(in.readBytes().newCodedInput())));
				case 3 -> requests = List.of(exampleRequest("regress", request(in.readBytes().newCodedInput())));
				case 6 -> requests = List.of(tensorRequest(request(in.readBytes().newCodedInput())));
				case 4 -> requests = multiInference(request(in.readBytes().newCodedInput()));
				case 5 -> throw new IllegalArgumentException("session_run_log cannot be replayed as a warm-up");
				case 7 -> throw new IllegalArgumentException("predict_streamed_log cannot be replayed as a warm-up");
				default -> in.skipField(tag);
			}
		}
		if (requests == null) {
			throw new IllegalArgumentException("a PredictionLog without a request");
		}
		return requests;
	}

	/**
	 * Field 1 of ClassifyLog, RegressLog, PredictLog and MultiInferenceLog: the request.
	 */
	private static CodedInputStream request(CodedInputStream log) throws IOException {
		while (!log.isAtEnd()) {
			int tag = log.readTag();
			if (WireFormat.getTagFieldNumber(tag) == 1) {
				return log.readBytes().newCodedInput();
			}
			log.skipField(tag);
		}
		return CodedInputStream.newInstance(new byte[0]);
	}

	/** ClassificationRequest / RegressionRequest: model_spec = 1, input = 2. */
	private static ExampleRequest exampleRequest(String method, CodedInputStream in) throws IOException {
		String signature = DEFAULT_SIGNATURE;
		List<Example> examples = List.of();
		while (!in.isAtEnd()) {
			int tag = in.readTag();
			switch (WireFormat.getTagFieldNumber(tag)) {
				case 1 -> signature = signatureName(in.readBytes().newCodedInput());
				case 2 -> examples = input(in.readBytes().newCodedInput());
				default -> in.skipField(tag);
			}
		}
		return new ExampleRequest(method, signature, examples);
	}

	/** PredictRequest: model_spec = 1, inputs = 2 (map entries: key = 1, value = 2). */
	private static TensorRequest tensorRequest(CodedInputStream in) throws IOException {
		String signature = DEFAULT_SIGNATURE;
		Map<String, TensorProto> inputs = new LinkedHashMap<>();
		while (!in.isAtEnd()) {
			int tag = in.readTag();
			switch (WireFormat.getTagFieldNumber(tag)) {
				case 1 -> signature = signatureName(in.readBytes().newCodedInput());
				case 2 -> {
					CodedInputStream entry = in.readBytes().newCodedInput();
					String key = "";
					TensorProto value = TensorProto.getDefaultInstance();
					while (!entry.isAtEnd()) {
						int entryTag = entry.readTag();
						switch (WireFormat.getTagFieldNumber(entryTag)) {
							case 1 -> key = entry.readStringRequireUtf8();
							case 2 -> value = TensorProto.parseFrom(entry.readBytes());
							default -> entry.skipField(entryTag);
						}
					}
					inputs.put(key, value);
				}
				default -> in.skipField(tag);
			}
		}
		return new TensorRequest(signature, inputs);
	}

	/**
	 * MultiInferenceRequest: tasks = 1 (InferenceTask: model_spec = 1, method_name = 2),
	 * input = 2.
	 */
	private static List<Request> multiInference(CodedInputStream in) throws IOException {
		List<String[]> tasks = new ArrayList<>();
		List<Example> examples = List.of();
		while (!in.isAtEnd()) {
			int tag = in.readTag();
			switch (WireFormat.getTagFieldNumber(tag)) {
				case 1 -> {
					CodedInputStream task = in.readBytes().newCodedInput();
					String signature = DEFAULT_SIGNATURE;
					String method = "";
					while (!task.isAtEnd()) {
						int taskTag = task.readTag();
						switch (WireFormat.getTagFieldNumber(taskTag)) {
							case 1 -> signature = signatureName(task.readBytes().newCodedInput());
							case 2 -> method = task.readStringRequireUtf8();
							default -> task.skipField(taskTag);
						}
					}
					tasks.add(new String[] { method, signature });
				}
				case 2 -> examples = input(in.readBytes().newCodedInput());
				default -> in.skipField(tag);
			}
		}
		List<Request> requests = new ArrayList<>();
		for (String[] task : tasks) {
			String method = task[0].substring(task[0].lastIndexOf('/') + 1);
			requests.add(new ExampleRequest(method.isEmpty() ? "multi_inference" : method, task[1], examples));
		}
		return requests;
	}

	/** ModelSpec: signature_name = 3 (empty means the default signature). */
	private static String signatureName(CodedInputStream in) throws IOException {
		String name = "";
		while (!in.isAtEnd()) {
			int tag = in.readTag();
			if (WireFormat.getTagFieldNumber(tag) == 3) {
				name = in.readStringRequireUtf8();
			}
			else {
				in.skipField(tag);
			}
		}
		return name.isEmpty() ? DEFAULT_SIGNATURE : name;
	}

	/**
	 * Input: example_list = 1 (examples = 1) or example_list_with_context = 2 (examples =
	 * 1, context = 2). The context's features are merged into every example.
	 */
	private static List<Example> input(CodedInputStream in) throws IOException {
		List<Example> examples = new ArrayList<>();
		Example context = null;
		while (!in.isAtEnd()) {
			int tag = in.readTag();
			int field = WireFormat.getTagFieldNumber(tag);
			if (field == 1 || field == 2) {
				CodedInputStream list = in.readBytes().newCodedInput();
				while (!list.isAtEnd()) {
					int listTag = list.readTag();
					switch (WireFormat.getTagFieldNumber(listTag)) {
						case 1 -> examples.add(Example.parseFrom(list.readBytes()));
						case 2 -> context = field == 2 ? Example.parseFrom(list.readBytes()) : skip(list, listTag);
						default -> list.skipField(listTag);
					}
				}
			}
			else {
				in.skipField(tag);
			}
		}
		if (context == null) {
			return examples;
		}
		List<Example> merged = new ArrayList<>(examples.size());
		for (Example example : examples) {
			merged.add(context.toBuilder().mergeFrom(example).build());
		}
		return merged;
	}

	private static Example skip(CodedInputStream in, int tag) throws IOException {
		in.skipField(tag);
		return null;
	}

}
