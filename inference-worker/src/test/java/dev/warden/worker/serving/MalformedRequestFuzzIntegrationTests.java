package dev.warden.worker.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import dev.warden.worker.WorkerApplication;
import dev.warden.worker.training.IncomeModelTrainer;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.node.StringNode;

/**
 * Fires randomly malformed bodies at the TF Serving predict API and the Open Inference
 * Protocol infer API of a worker serving a real model, and requires every answer to be a
 * 4xx with Warden's JSON error: never a 5xx, never a stack trace, never a body of another
 * shape.
 *
 * <p>
 * Every body starts from a valid request (checked to be served with 200 first) and gets
 * one mutation that makes it invalid for sure, taken in turn from {@link Kind} so each
 * kind is exercised; some get a second, textual one and a few a wrong content type. The
 * random generator is seeded: {@code -Dwarden.fuzz.seed=N} and
 * {@code -Dwarden.fuzz.bodies=N} reproduce or widen a run, and a failure names the body's
 * index and mutations.
 */
@SpringBootTest(classes = WorkerApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class MalformedRequestFuzzIntegrationTests {

	private static final long SEED = Long.getLong("warden.fuzz.seed", 20261128L);

	private static final int BODIES = Integer.getInteger("warden.fuzz.bodies", 1000);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final List<String> NUMERIC = List.of("age", "fnlwgt", "education_num", "capital_gain",
			"capital_loss", "hours_per_week");

	private static final List<String> ROWS = List.of(V2InferenceIntegrationTests.ROW_1,
			V2InferenceIntegrationTests.ROW_2);

	@TempDir
	static Path store;

	private static boolean trained;

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@LocalServerPort
	private int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> trainedStore().toString());
	}

	static synchronized Path trainedStore() {
		if (!trained) {
			new IncomeModelTrainer().trainAndExport(store, new IncomeModelTrainer.Options(100, 7));
			trained = true;
		}
		return store;
	}

	/** What one mutation does; each makes a valid request invalid on its own. */
	enum Kind {

		TRUNCATION, RANDOM_BYTES, WRONG_TYPE, DEEP_NESTING, HUGE_NUMBER, NAN, WRONG_SHAPE, MISSING_FIELD, EXTRA_FIELD,
		DUPLICATED_KEY, WRONG_DATATYPE, UNICODE_GARBAGE, EMPTY

	}

	@ParameterizedTest(name = "{0}")
	@ValueSource(strings = { "/v1/models/income:predict", "/v2/models/income/infer" })
	void malformedBodiesAreAlwaysA4xxWithTheJsonError(String path) throws Exception {
		boolean v2 = path.startsWith("/v2");
		Random random = new Random(SEED + (v2 ? 1 : 0));
		for (int i = 0; i < 4; i++) {
			Body valid = new Body(v2, random);
			HttpResponse<String> response = send(path, valid.render(), "application/json");
			assertThat(response.statusCode()).as("the unmutated request must be valid: " + response.body())
				.isEqualTo(200);
		}

		List<String> failures = new ArrayList<>();
		Map<Kind, Integer> kinds = new EnumMap<>(Kind.class);
		Map<String, Integer> outcomes = new TreeMap<>();
		for (int i = 0; i < BODIES; i++) {
			Kind kind = Kind.values()[i % Kind.values().length];
			List<String> applied = new ArrayList<>(List.of(kind.name()));
			byte[] body = mutated(v2, kind, random, applied);
			String contentType = "application/json";
			if (random.nextInt(20) == 0) {
				contentType = List
					.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
							"application/x-www-form-urlencoded")
					.get(random.nextInt(4));
				applied.add("content-type " + contentType);
			}
			kinds.merge(kind, 1, Integer::sum);
			HttpResponse<String> response = send(path, body, contentType);
			String problem = problem(response);
			outcomes.merge(response.statusCode() + " " + code(response), 1, Integer::sum);
			if (problem != null) {
				failures.add("#" + i + " " + applied + ": " + problem + "\n    body: " + shown(body));
			}
		}

		System.out.printf("fuzz %s: %d bodies (seed %d), answers %s%n", path, BODIES, SEED, outcomes);
		assertThat(kinds.keySet()).containsExactlyInAnyOrder(Kind.values());
		assertThat(failures).as("answers that are not a 4xx with the JSON error (seed " + SEED + ")").isEmpty();
	}

	/**
	 * {@code null} if the answer is a 4xx with
	 * {@code {"error":{"code","message","request_id"}}}, else what is wrong.
	 */
	private static String problem(HttpResponse<String> response) {
		String prefix = "status " + response.statusCode() + " "
				+ shown(response.body().getBytes(StandardCharsets.UTF_8));
		if (response.statusCode() < 400 || response.statusCode() > 499) {
			return prefix;
		}
		if (!response.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
			return prefix + " (content type " + response.headers().firstValue("Content-Type").orElse("none") + ")";
		}
		JsonNode error;
		try {
			error = JSON.readTree(response.body()).get("error");
		}
		catch (RuntimeException ex) {
			return prefix + " (not JSON)";
		}
		if (error == null || !error.isObject() || error.size() != 3) {
			return prefix + " (not the error shape)";
		}
		JsonNode code = error.get("code");
		JsonNode message = error.get("message");
		JsonNode requestId = error.get("request_id");
		if (code == null || !code.isString() || !code.stringValue().matches("[a-z_]+")) {
			return prefix + " (bad code)";
		}
		if (message == null || !message.isString() || message.stringValue().isBlank()
				|| message.stringValue().contains("\tat ") || message.stringValue().contains("Exception")) {
			return prefix + " (bad message)";
		}
		if (requestId == null || !requestId.isString()
				|| !requestId.stringValue().equals(response.headers().firstValue("X-Request-Id").orElse(null))) {
			return prefix + " (request_id does not match X-Request-Id)";
		}
		return null;
	}

	private static String code(HttpResponse<String> response) {
		try {
			return JSON.readTree(response.body()).path("error").path("code").asString("?");
		}
		catch (RuntimeException ex) {
			return "?";
		}
	}

	private static byte[] mutated(boolean v2, Kind kind, Random random, List<String> applied) {
		Body body = new Body(v2, random);
		switch (kind) {
			case TRUNCATION -> {
				byte[] bytes = body.render();
				return Arrays.copyOf(bytes, random.nextInt(bytes.length));
			}
			case RANDOM_BYTES -> {
				if (random.nextBoolean()) {
					byte[] noise = new byte[1 + random.nextInt(512)];
					random.nextBytes(noise);
					return noise;
				}
				byte[] bytes = body.render();
				for (int n = random.nextInt(4); n >= 0; n--) {
					bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
				}
				// a control character is invalid anywhere in JSON, inside strings too
				bytes[random.nextInt(bytes.length)] = (byte) (1 + random.nextInt(8));
				return bytes;
			}
			case EMPTY -> {
				List<String> empty = v2
						? List.of("", " ", "{}", "[]", "null", "\"\"", "{\"inputs\":[]}", "{\"inputs\":null}",
								"{\"inputs\":[{}]}")
						: List.of("", " ", "{}", "[]", "null", "\"\"", "{\"instances\":[]}", "{\"inputs\":{}}",
								"{\"instances\":[{}]}");
				return empty.get(random.nextInt(empty.size())).getBytes(StandardCharsets.UTF_8);
			}
			default -> body.mutate(kind);
		}
		byte[] bytes = body.render();
		if (random.nextInt(4) == 0) {
			bytes = textual(bytes, random, applied);
		}
		return bytes;
	}

	/** A second defect on the text: each of these makes any body invalid by itself. */
	private static byte[] textual(byte[] bytes, Random random, List<String> applied) {
		switch (random.nextInt(3)) {
			case 0 -> {
				applied.add("then truncated");
				return Arrays.copyOf(bytes, random.nextInt(bytes.length));
			}
			case 1 -> {
				applied.add("then invalid UTF-8");
				byte[][] invalid = { { (byte) 0xFF }, { (byte) 0xC3, (byte) 0x28 }, { (byte) 0xE2, (byte) 0x82 },
						{ (byte) 0xED, (byte) 0xA0, (byte) 0x80 },
						{ (byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80 } };
				return insert(bytes, random.nextInt(bytes.length + 1), invalid[random.nextInt(invalid.length)]);
			}
			default -> {
				applied.add("then a control byte");
				return insert(bytes, random.nextInt(bytes.length + 1), new byte[] { (byte) (1 + random.nextInt(8)) });
			}
		}
	}

	private static byte[] insert(byte[] bytes, int at, byte[] inserted) {
		byte[] result = new byte[bytes.length + inserted.length];
		System.arraycopy(bytes, 0, result, 0, at);
		System.arraycopy(inserted, 0, result, at, inserted.length);
		System.arraycopy(bytes, at, result, at + inserted.length, bytes.length - at);
		return result;
	}

	/**
	 * A valid request as a tree, with raw text spliced in where JSON trees cannot go
	 * (NaN, numbers beyond double, deep nesting, duplicated keys, escaped lone
	 * surrogates).
	 */
	private static final class Body {

		private final boolean v2;

		private final Random random;

		private final ObjectNode root;

		private final Map<String, String> raw = new TreeMap<>();

		private final List<String> rows = new ArrayList<>();

		Body(boolean v2, Random random) {
			this.v2 = v2;
			this.random = random;
			for (int n = 1 + random.nextInt(3); n > 0; n--) {
				rows.add(ROWS.get(random.nextInt(ROWS.size())));
			}
			if (v2) {
				root = V2InferenceIntegrationTests.v2Body(random.nextBoolean() ? "fuzz-" + random.nextInt(1000) : null,
						rows.toArray(String[]::new));
				if (random.nextBoolean()) {
					root.putArray("outputs").addObject().put("name", "probability");
				}
			}
			else {
				root = JSON.createObjectNode();
				List<JsonNode> parsed = rows.stream().map(JSON::readTree).toList();
				if (random.nextBoolean()) {
					ArrayNode instances = root.putArray("instances");
					parsed.forEach(instances::add);
				}
				else {
					ObjectNode inputs = root.putObject("inputs");
					for (String name : parsed.get(0).propertyNames()) {
						ArrayNode column = inputs.putArray(name);
						parsed.forEach(row -> column.add(row.get(name)));
					}
				}
				if (random.nextBoolean()) {
					root.put("signature_name", "serving_default");
				}
			}
		}

		byte[] render() {
			String text = root.toString();
			for (var entry : raw.entrySet()) {
				text = text.replace("\"" + entry.getKey() + "\"", entry.getValue());
			}
			return text.getBytes(StandardCharsets.UTF_8);
		}

		byte[] mutate(Kind kind) {
			switch (kind) {
				case WRONG_TYPE -> wrongType();
				case DEEP_NESTING -> {
					int depth = List.of(2, 3, 10, 100, 499, 501, 1001, 5000).get(random.nextInt(8));
					boolean arrays = random.nextBoolean();
					Slot slot = random.nextInt(4) == 0 ? topLevel() : anySlot(false);
					String inner = slot.current() == null ? "1" : slot.current().toString();
					slot.set(rawValue(
							(arrays ? "[" : "{\"a\":").repeat(depth) + inner + (arrays ? "]" : "}").repeat(depth)));
				}
				case HUGE_NUMBER -> {
					List<String> huge = List.of("1e39", "-3.5e38", "1e400", "-1e400", "1" + "0".repeat(400),
							"9".repeat(1200), "1.7976931348623157e309");
					Slot slot = random.nextInt(5) == 0 && v2 ? shapeSlot() : anySlot(true);
					slot.set(rawValue(huge.get(random.nextInt(huge.size()))));
				}
				case NAN -> {
					Slot slot = random.nextInt(5) == 0 && v2 ? shapeSlot() : anySlot(true);
					slot.set(rawValue(List.of("NaN", "Infinity", "-Infinity", "+Infinity").get(random.nextInt(4))));
				}
				case WRONG_SHAPE -> wrongShape();
				case MISSING_FIELD -> missingField();
				case EXTRA_FIELD -> extraField();
				case DUPLICATED_KEY -> {
					ObjectNode object = anyObject();
					List<String> names = new ArrayList<>(object.propertyNames());
					String name = names.get(random.nextInt(names.size()));
					JsonNode value = object.get(name);
					String marker = marker();
					object.set(name, new StringNode(marker));
					raw.put(marker, value + ",\"" + name + "\":" + (random.nextBoolean() ? value.toString() : "0"));
				}
				case WRONG_DATATYPE -> {
					if (v2) {
						ObjectNode input = anyInput();
						String expected = NUMERIC.contains(input.get("name").stringValue()) ? "FP32" : "BYTES";
						List<String> names = new ArrayList<>(
								List.of("BOOL", "UINT8", "UINT64", "INT8", "INT32", "INT64", "FP16", "FP32", "FP64",
										"BYTES", "fp32", "FLOAT", "STRING", "", "FP32 ", "DT_FLOAT"));
						names.remove(expected);
						input.put("datatype", names.get(random.nextInt(names.size())));
					}
					else {
						root.put("signature_name", List
							.of("explain", "predict", "SERVING_DEFAULT", "__saved_model_init_op", " serving_default")
							.get(random.nextInt(5)));
					}
				}
				case UNICODE_GARBAGE -> unicodeGarbage();
				default -> throw new IllegalArgumentException(kind.name());
			}
			return render();
		}

		private void wrongType() {
			int choice = random.nextInt(4);
			if (choice == 0) {
				// a structural field of the wrong JSON type
				List<String> fields = v2 ? List.of("id", "parameters", "inputs", "outputs")
						: List.of("signature_name", root.has("instances") ? "instances" : "inputs");
				String field = fields.get(random.nextInt(fields.size()));
				List<JsonNode> values = List.of(JSON.getNodeFactory().numberNode(5),
						JSON.getNodeFactory().booleanNode(true), new StringNode("x"), JSON.createArrayNode().add(1),
						JSON.getNodeFactory().nullNode());
				JsonNode value = values.get(random.nextInt(values.size()));
				// null stands for "absent" in optional fields, and a string is a valid
				// id: use a wrong type instead
				if (value.isNull() && !field.equals("inputs") && !field.equals("instances")
						|| value.isString() && field.equals("id")) {
					value = field.equals("parameters") ? JSON.createArrayNode()
							: JSON.createObjectNode().put("nested", 1);
				}
				root.set(field, value);
				return;
			}
			if (v2 && choice == 1) {
				ObjectNode input = anyInput();
				String field = List.of("name", "shape", "datatype", "data").get(random.nextInt(4));
				input.set(field, field.equals("name") || field.equals("datatype")
						? JSON.getNodeFactory().numberNode(random.nextInt(100)) : new StringNode("[1]"));
				return;
			}
			Slot slot = anySlot(false);
			boolean numeric = slot.numeric();
			List<JsonNode> wrong = numeric ? List.of(new StringNode("39"), JSON.getNodeFactory().booleanNode(false),
					JSON.getNodeFactory().nullNode(), JSON.createObjectNode().put("value", 1), new StringNode(""))
					: List.of(JSON.getNodeFactory().numberNode(7), JSON.getNodeFactory().booleanNode(true),
							JSON.getNodeFactory().nullNode(), JSON.createObjectNode(), JSON.createArrayNode().add("a"));
			slot.set(wrong.get(random.nextInt(wrong.size())));
		}

		private void wrongShape() {
			if (v2) {
				ObjectNode input = anyInput();
				int n = input.get("data").size();
				switch (random.nextInt(6)) {
					case 0 -> input.putArray("shape").add(n + 1 + random.nextInt(3));
					case 1 -> input.putArray("shape").add(n).add(1);
					case 2 -> input.putArray("shape");
					case 3 -> input.putArray("shape").add(-1);
					case 4 -> input.putArray("shape").add(0);
					default -> ((ArrayNode) input.get("data")).add(input.get("data").get(0));
				}
				return;
			}
			switch (random.nextInt(4)) {
				case 0 -> {
					Slot slot = anySlot(false);
					ArrayNode wrapped = JSON.createArrayNode().add(slot.current());
					if (random.nextBoolean()) {
						wrapped.add(slot.current());
					}
					slot.set(wrapped);
				}
				case 1 -> root.set(root.has("instances") ? "instances" : "inputs",
						JSON.createArrayNode().add(root.get(root.has("instances") ? "instances" : "inputs")));
				case 2 -> {
					// columnar inputs of different lengths, or a row that is an array
					if (root.has("inputs")) {
						ArrayNode column = (ArrayNode) root.get("inputs").get(anyName());
						column.add(column.get(0));
					}
					else {
						ArrayNode instances = (ArrayNode) root.get("instances");
						instances.set(0, JSON.createArrayNode().add(instances.get(0)));
					}
				}
				default -> root.set(root.has("instances") ? "instances" : "inputs",
						JSON.getNodeFactory().numberNode(random.nextInt(10)));
			}
		}

		private void missingField() {
			if (v2) {
				switch (random.nextInt(3)) {
					case 0 -> root.remove("inputs");
					case 1 -> ((ArrayNode) root.get("inputs")).remove(random.nextInt(root.get("inputs").size()));
					default -> anyInput().remove(List.of("name", "shape", "datatype", "data").get(random.nextInt(4)));
				}
				return;
			}
			if (random.nextInt(4) == 0) {
				root.remove(root.has("instances") ? "instances" : "inputs");
			}
			else if (root.has("instances")) {
				ArrayNode instances = (ArrayNode) root.get("instances");
				((ObjectNode) instances.get(random.nextInt(instances.size()))).remove(anyName());
			}
			else {
				((ObjectNode) root.get("inputs")).remove(anyName());
			}
		}

		private void extraField() {
			String name = "x_" + Integer.toString(random.nextInt(1 << 20), 36);
			switch (random.nextInt(3)) {
				case 0 -> root.put(name, random.nextInt(10));
				case 1 -> {
					if (v2) {
						anyInput().put(name, "extra");
					}
					else if (root.has("instances")) {
						for (JsonNode row : root.get("instances")) {
							((ObjectNode) row).put(name, "red");
						}
					}
					else {
						ArrayNode column = ((ObjectNode) root.get("inputs")).putArray(name);
						for (int r = 0; r < rows.size(); r++) {
							column.add("red");
						}
					}
				}
				default -> {
					if (v2) {
						ObjectNode extra = ((ArrayNode) root.get("inputs")).addObject();
						extra.put("name", random.nextBoolean() ? name : "age");
						extra.put("datatype", "BYTES");
						extra.putArray("shape").add(rows.size());
						ArrayNode data = extra.putArray("data");
						rows.forEach(row -> data.add("red"));
					}
					else {
						root.set(root.has("instances") ? "inputs" : "instances", JSON.createArrayNode());
					}
				}
			}
		}

		private void unicodeGarbage() {
			String garbage = garbage();
			switch (random.nextInt(3)) {
				case 0 -> root.set(marker(garbage), JSON.getNodeFactory().numberNode(1));
				case 1 -> {
					if (v2) {
						String marker = marker();
						anyInput().set("name", new StringNode(marker));
						raw.put(marker, garbage);
					}
					else {
						ObjectNode object = root.has("instances") ? (ObjectNode) root.get("instances").get(0)
								: (ObjectNode) root.get("inputs");
						String name = anyName();
						JsonNode value = object.remove(name);
						object.set(marker(garbage), value);
					}
				}
				default -> {
					// garbage in a number's place: a string, so a type error
					Slot slot = anySlot(true);
					String marker = marker();
					slot.set(new StringNode(marker));
					raw.put(marker, garbage);
				}
			}
		}

		/**
		 * A JSON string literal of random Unicode: emoji, RTL and zero-width marks,
		 * escaped NUL and lone surrogates.
		 */
		private String garbage() {
			StringBuilder text = new StringBuilder("\"");
			for (int n = 1 + random.nextInt(30); n > 0; n--) {
				switch (random.nextInt(7)) {
					case 0 -> text.appendCodePoint(0x1F600 + random.nextInt(80));
					case 1 -> text.append('\u202E');
					case 2 -> text.append('\u200B');
					case 3 -> text.append("\\u0000");
					case 4 -> text.append(random.nextBoolean() ? "\\ud800" : "\\udfff");
					case 5 -> text.appendCodePoint(0x4E00 + random.nextInt(2000));
					default -> text.append("e\u0301");
				}
			}
			return text.append("\\uD83D\"").toString();
		}

		private String marker(String rawText) {
			String marker = marker();
			raw.put(marker, rawText);
			return marker;
		}

		private String marker() {
			return "@@RAW" + raw.size() + "-" + random.nextInt(1 << 30) + "@@";
		}

		private StringNode rawValue(String text) {
			return new StringNode(marker(text));
		}

		private String anyName() {
			List<String> names = new ArrayList<>(JSON.readTree(ROWS.get(0)).propertyNames());
			return names.get(random.nextInt(names.size()));
		}

		private ObjectNode anyInput() {
			ArrayNode inputs = (ArrayNode) root.get("inputs");
			return (ObjectNode) inputs.get(random.nextInt(inputs.size()));
		}

		private ObjectNode anyObject() {
			List<ObjectNode> objects = new ArrayList<>();
			objects.add(root);
			if (v2) {
				root.get("inputs").forEach(input -> objects.add((ObjectNode) input));
			}
			else if (root.has("instances")) {
				root.get("instances").forEach(row -> objects.add((ObjectNode) row));
			}
			else {
				objects.add((ObjectNode) root.get("inputs"));
			}
			return objects.get(random.nextInt(objects.size()));
		}

		private Slot topLevel() {
			List<String> fields = new ArrayList<>(root.propertyNames());
			fields.remove("id");
			fields.remove("signature_name");
			return new Slot(root, fields.get(random.nextInt(fields.size())), -1, false);
		}

		private Slot shapeSlot() {
			return new Slot(anyInput().get("shape"), null, 0, true);
		}

		/**
		 * Where an input's value for one row sits; {@code numeric} picks a number input.
		 */
		private Slot anySlot(boolean numeric) {
			String name = numeric ? NUMERIC.get(random.nextInt(NUMERIC.size())) : anyName();
			int row = random.nextInt(rows.size());
			if (v2) {
				for (JsonNode input : root.get("inputs")) {
					if (input.get("name").stringValue().equals(name)) {
						return new Slot(input.get("data"), null, row, NUMERIC.contains(name));
					}
				}
				throw new IllegalStateException(name);
			}
			if (root.has("instances")) {
				return new Slot(root.get("instances").get(row), name, -1, NUMERIC.contains(name));
			}
			return new Slot(root.get("inputs").get(name), null, row, NUMERIC.contains(name));
		}

	}

	/** A value's place in the tree: a field of an object or an element of an array. */
	private record Slot(JsonNode parent, String field, int index, boolean numeric) {

		JsonNode current() {
			return field != null ? parent.get(field) : parent.get(index);
		}

		void set(JsonNode value) {
			if (field != null) {
				((ObjectNode) parent).set(field, value);
			}
			else {
				((ArrayNode) parent).set(index, value);
			}
		}

	}

	private static String shown(byte[] body) {
		String text = new String(body, 0, Math.min(body.length, 400), StandardCharsets.UTF_8);
		return text.replaceAll("[\\p{Cntrl}]", "?") + (body.length > 400 ? "… (" + body.length + " bytes)" : "");
	}

	private HttpResponse<String> send(String path, byte[] body, String contentType) {
		try {
			return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
				.timeout(Duration.ofSeconds(30))
				.header("Content-Type", contentType)
				.POST(HttpRequest.BodyPublishers.ofByteArray(body))
				.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

}
