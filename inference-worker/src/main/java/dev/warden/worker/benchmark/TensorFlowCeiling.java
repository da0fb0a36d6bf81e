package dev.warden.worker.benchmark;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.warden.worker.loader.JavaCppSettings;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.LoaderProperties;
import dev.warden.worker.loader.SavedModelLoader;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.source.ServableId;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The in-process TensorFlow Java ceiling for the benchmark: loads a model version with
 * the worker's own loader and session settings and calls it in a loop on one thread with
 * the first row of a predict body repeated to each batch size, through the same
 * {@link LoadedServable#run} the worker uses (tensor creation, call, copying the
 * outputs). Run from the worker's executable jar: <pre>
 * java -cp inference-worker-…-exec.jar -Dloader.main=dev.warden.worker.benchmark.TensorFlowCeiling \
 *   org.springframework.boot.loader.launch.PropertiesLauncher --store DIR --model income --body FILE --batch 1,8,64
 * </pre> Prints one line per batch size:
 * {@code ceiling batch=B calls_per_s=… rows_per_s=… p50_us=… p99_us=…}.
 */
public final class TensorFlowCeiling {

	private TensorFlowCeiling() {
	}

	public static void main(String[] args) throws IOException {
		JavaCppSettings.apply();
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		Path store = Path.of(options.getOrDefault("store", "data/models"));
		String model = options.getOrDefault("model", "income");
		Path body = Path.of(options.getOrDefault("body", "bench/income-request.json"));
		double seconds = Double.parseDouble(options.getOrDefault("seconds", "3"));
		int[] batches = Arrays.stream(options.getOrDefault("batch", "1,8,32").split(","))
			.mapToInt(Integer::parseInt)
			.toArray();
		long version = options.containsKey("version") ? Long.parseLong(options.get("version")) : latest(store, model);
		LoadedServable servable = new SavedModelLoader(new LoaderProperties(-1, 1, 1_048_576))
			.load(new ServableId(model, version), store.resolve(model).resolve(Long.toString(version)));
		try {
			JsonNode request = JsonMapper.builder().build().readTree(Files.readAllBytes(body));
			String signatureKey = request.has("signature_name") ? request.get("signature_name").stringValue()
					: "serving_default";
			JsonNode row = request.get("instances").get(0);
			SignatureSpec signature = servable.signatures().get(signatureKey);
			for (int batch : batches) {
				measure(servable, signatureKey, inputs(signature, row, batch), batch, seconds, System.out);
			}
		}
		finally {
			servable.close();
		}
	}

	private static void measure(LoadedServable servable, String signature, Map<String, InputColumn> inputs, int batch,
			double seconds, PrintStream out) {
		long warmUntil = System.nanoTime() + 500_000_000L;
		while (System.nanoTime() < warmUntil) {
			servable.run(signature, inputs);
		}
		List<Long> latencies = new ArrayList<>();
		long end = System.nanoTime() + (long) (seconds * 1e9);
		long started = System.nanoTime();
		while (true) {
			long before = System.nanoTime();
			if (before >= end) {
				break;
			}
			servable.run(signature, inputs);
			latencies.add(System.nanoTime() - before);
		}
		double elapsed = (System.nanoTime() - started) / 1e9;
		long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
		double calls = sorted.length / elapsed;
		out.printf(java.util.Locale.ROOT, "ceiling batch=%d calls_per_s=%.0f rows_per_s=%.0f p50_us=%.0f p99_us=%.0f%n",
				batch, calls, calls * batch, sorted[sorted.length / 2] / 1e3,
				sorted[(int) (sorted.length * 0.99)] / 1e3);
	}

	/**
	 * The row's value of every input, repeated {@code batch} times (inputs of shape [-1]
	 * or [-1, n...]).
	 */
	private static Map<String, InputColumn> inputs(SignatureSpec signature, JsonNode row, int batch) {
		Map<String, InputColumn> inputs = new LinkedHashMap<>();
		for (TensorSpec spec : signature.inputs().values()) {
			JsonNode value = signature.inputs().size() == 1 && !row.isObject() ? row : row.get(spec.name());
			List<JsonNode> flat = new ArrayList<>();
			flatten(value, flat);
			long[] shape = spec.dims().clone();
			shape[0] = batch;
			for (int axis = 1; axis < shape.length; axis++) {
				shape[axis] = shape[axis] > 0 ? shape[axis] : flat.size();
			}
			int n = flat.size() * batch;
			Object values = switch (spec.elementKind()) {
				case FLOAT -> {
					float[] a = new float[n];
					for (int i = 0; i < n; i++) {
						a[i] = flat.get(i % flat.size()).floatValue();
					}
					yield a;
				}
				case DOUBLE -> {
					double[] a = new double[n];
					for (int i = 0; i < n; i++) {
						a[i] = flat.get(i % flat.size()).doubleValue();
					}
					yield a;
				}
				case INT32 -> {
					int[] a = new int[n];
					for (int i = 0; i < n; i++) {
						a[i] = flat.get(i % flat.size()).intValue();
					}
					yield a;
				}
				case INT64 -> {
					long[] a = new long[n];
					for (int i = 0; i < n; i++) {
						a[i] = flat.get(i % flat.size()).longValue();
					}
					yield a;
				}
				case BOOL -> {
					boolean[] a = new boolean[n];
					for (int i = 0; i < n; i++) {
						a[i] = flat.get(i % flat.size()).booleanValue();
					}
					yield a;
				}
				case STRING -> {
					String[] a = new String[n];
					for (int i = 0; i < n; i++) {
						a[i] = flat.get(i % flat.size()).stringValue();
					}
					yield a;
				}
			};
			inputs.put(spec.name(), new InputColumn(spec, shape, values));
		}
		return inputs;
	}

	private static void flatten(JsonNode node, List<JsonNode> out) {
		if (node.isArray()) {
			node.forEach(child -> flatten(child, out));
		}
		else {
			out.add(node);
		}
	}

	private static long latest(Path store, String model) throws IOException {
		try (var versions = Files.list(store.resolve(model))) {
			return versions.map(p -> p.getFileName().toString())
				.filter(name -> name.matches("[0-9]{1,18}"))
				.mapToLong(Long::parseLong)
				.max()
				.orElseThrow(() -> new IllegalArgumentException("no version of " + model + " in " + store));
		}
	}

}
