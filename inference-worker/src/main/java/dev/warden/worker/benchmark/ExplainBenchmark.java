package dev.warden.worker.benchmark;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import dev.warden.worker.explain.ExplainProperties;
import dev.warden.worker.explain.ExplanationRequest;
import dev.warden.worker.explain.Explanations;
import dev.warden.worker.loader.JavaCppSettings;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.LoaderProperties;
import dev.warden.worker.loader.SavedModelLoader;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.source.ServableId;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Measures explanations in process, on one thread, with the worker's own loader and
 * explainers, on the validation splits of the reference models. Run from the worker's
 * executable jar (bench/explain.sh does): <pre>
 * java -cp inference-worker-…-exec.jar -Dloader.main=dev.warden.worker.benchmark.ExplainBenchmark \
 *   org.springframework.boot.loader.launch.PropertiesLauncher --store DIR [--what steps,latency,kernelshap]
 * </pre>
 * <ul>
 * <li>{@code steps}: for integrated gradients, per model, rule and target, the share of
 * validation rows whose completeness delta is within 1% (or 1e-5) at 1, 2, 4, … 256
 * steps, with no raising: the measurement behind {@link Explanations#DEFAULT_STEPS};</li>
 * <li>{@code latency}: one explanation per method per model, one instance per request:
 * median and 90th percentile wall time, model rows evaluated and TensorFlow calls;</li>
 * <li>{@code kernelshap}: KernelSHAP on income by background size (latency and the spread
 * of the values over background seeds), and exact enumeration against sampling.</li>
 * </ul>
 */
public final class ExplainBenchmark {

	private static final List<String> INCOME_NUMERIC = List.of("age", "fnlwgt", "education_num", "capital_gain",
			"capital_loss", "hours_per_week");

	private ExplainBenchmark() {
	}

	public static void main(String[] args) throws IOException {
		JavaCppSettings.apply();
		Map<String, String> options = new LinkedHashMap<>();
		for (int i = 0; i + 1 < args.length; i += 2) {
			options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
		}
		Path store = Path.of(options.getOrDefault("store", "data/models"));
		List<String> what = List.of(options.getOrDefault("what", "steps,latency,kernelshap").split(","));
		int incomeRows = Integer.parseInt(options.getOrDefault("income-rows", "500"));
		int spamRows = Integer.parseInt(options.getOrDefault("spam-rows", "200"));
		int minSteps = Integer.parseInt(options.getOrDefault("min-steps", "1"));
		int maxSteps = Integer.parseInt(options.getOrDefault("max-steps", "256"));
		List<String> models = List.of(options.getOrDefault("models", "income,spam").split(","));
		SavedModelLoader loader = new SavedModelLoader(new LoaderProperties(-1, 1, 1_048_576));
		try (LoadedServable income = load(loader, store, "income"); LoadedServable spam = load(loader, store, "spam")) {
			Explanations explanations = new Explanations(new ExplainProperties(1024, 1 << 20, 20_000, 11));
			Map<String, InputColumn> incomeRowsData = incomeValidation(income, incomeRows);
			Map<String, InputColumn> spamRowsData = spamValidation(spam, spamRows);
			if (what.contains("steps")) {
				if (models.contains("income")) {
					steps(explanations, income, incomeRowsData, minSteps, maxSteps);
				}
				if (models.contains("spam")) {
					steps(explanations, spam, spamRowsData, minSteps, maxSteps);
				}
			}
			if (what.contains("latency")) {
				latency(explanations, income, incomeRowsData);
				latency(explanations, spam, spamRowsData);
			}
			if (what.contains("kernelshap")) {
				kernelShap(explanations, income, incomeRowsData);
			}
		}
	}

	private static LoadedServable load(SavedModelLoader loader, Path store, String model) throws IOException {
		try (var versions = Files.list(store.resolve(model))) {
			long version = versions.map(p -> p.getFileName().toString())
				.filter(name -> name.matches("[0-9]{1,18}"))
				.mapToLong(Long::parseLong)
				.max()
				.orElseThrow(() -> new IllegalArgumentException("no version of " + model + " in " + store));
			return loader.load(new ServableId(model, version), store.resolve(model).resolve(Long.toString(version)));
		}
	}

	private static void steps(Explanations explanations, LoadedServable servable, Map<String, InputColumn> rows,
			int minSteps, int maxSteps) {
		int n = rows.values().iterator().next().rows();
		for (String rule : List.of("trapezoid", "gauss_legendre")) {
			for (String target : List.of("probability", "logit")) {
				for (int steps = minSteps; steps <= maxSteps; steps *= 2) {
					int within = 0;
					List<Double> relative = new ArrayList<>();
					long started = System.nanoTime();
					for (int from = 0; from < n; from += 64) {
						Map<String, InputColumn> batch = slice(rows, from, Math.min(n, from + 64));
						for (Map<String, Object> e : explanations.explain(servable, batch,
								new ExplanationRequest("integrated_gradients", target, null, null, steps, steps, rule,
										null, null, null, null, null, null))) {
							@SuppressWarnings("unchecked")
							Map<String, Object> quality = (Map<String, Object>) e.get("quality");
							if ((Boolean) quality.get("within_tolerance")) {
								within++;
							}
							Object r = quality.get("relative_delta");
							relative.add(r == null ? 0.0 : (Double) r);
						}
					}
					double seconds = (System.nanoTime() - started) / 1e9;
					relative.sort(null);
					System.out.printf(Locale.ROOT,
							"steps model=%s rule=%s target=%s steps=%d rows=%d within_1pct=%.3f "
									+ "median_rel_delta=%.2e p95_rel_delta=%.2e ms_per_explanation=%.2f%n",
							servable.id().name(), rule, target, steps, n, (double) within / n,
							relative.get(relative.size() / 2), relative.get((int) (relative.size() * 0.95)),
							seconds * 1000 / n);
				}
			}
		}
	}

	private static void latency(Explanations explanations, LoadedServable servable, Map<String, InputColumn> rows) {
		int n = rows.values().iterator().next().rows();
		// kernel_shap_serving: KernelSHAP through the serving signature (output
		// "probability"), as for a
		// version without the explain signatures
		List<String> methods = servable.id().name().equals("spam") ? List.of("integrated_gradients", "occlusion")
				: List.of("integrated_gradients", "kernel_shap", "kernel_shap_serving", "occlusion");
		for (String method : methods) {
			int runs = Math.min(n, method.startsWith("kernel_shap") ? 20 : 100);
			for (int i = 0; i < 3; i++) {
				explanations.explain(servable, slice(rows, i, i + 1), request(method));
			}
			long[] nanos = new long[runs];
			long evaluations = 0;
			long calls = 0;
			for (int i = 0; i < runs; i++) {
				long started = System.nanoTime();
				Map<String, Object> e = explanations.explain(servable, slice(rows, i, i + 1), request(method)).get(0);
				nanos[i] = System.nanoTime() - started;
				evaluations += ((Number) e.get("model_evaluations")).longValue();
				calls += ((Number) e.get("model_calls")).longValue();
			}
			Arrays.sort(nanos);
			System.out.printf(Locale.ROOT,
					"latency model=%s method=%s runs=%d p50_ms=%.2f p90_ms=%.2f evaluations_per_explanation=%.0f "
							+ "calls_per_explanation=%.2f evaluations_per_call=%.0f%n",
					servable.id().name(), method, runs, nanos[runs / 2] / 1e6, nanos[(int) (runs * 0.9)] / 1e6,
					(double) evaluations / runs, (double) calls / runs, (double) evaluations / calls);
		}
	}

	private static ExplanationRequest request(String method) {
		if (method.equals("kernel_shap_serving")) {
			return new ExplanationRequest("kernel_shap", null, "probability", null, null, null, null, null, null, null,
					null, null, null);
		}
		return new ExplanationRequest(method, null, null, null, null, null, null, null, null, null, null, null, null);
	}

	private static void kernelShap(Explanations explanations, LoadedServable income, Map<String, InputColumn> rows) {
		int instances = 5;
		// the reference: the whole pool of 1,000 rows as background, 8,192 coalition
		// samples
		List<double[]> reference = new ArrayList<>();
		for (int i = 0; i < instances; i++) {
			reference.add(
					values(explanations
						.explain(income, slice(rows, i, i + 1),
								new ExplanationRequest("kernel_shap", null, null, null, null, null, null, null, null,
										1000, "sample", 8192, 0L))
						.get(0)));
		}
		for (String summary : List.of("sample", "kmeans")) {
			for (int size : new int[] { 10, 25, 50, 100, 200 }) {
				double spread = 0;
				int spreadCount = 0;
				double error = 0;
				double distance = 0;
				long nanos = 0;
				int runs = 0;
				for (int i = 0; i < instances; i++) {
					List<double[]> bySeed = new ArrayList<>();
					for (long seed = 0; seed < 5; seed++) {
						long started = System.nanoTime();
						Map<String, Object> e = explanations
							.explain(income, slice(rows, i, i + 1),
									new ExplanationRequest("kernel_shap", null, null, null, null, null, null, null,
											null, size, summary, null, seed))
							.get(0);
						nanos += System.nanoTime() - started;
						runs++;
						bySeed.add(values(e));
						error += (Double) ((Map<?, ?>) e.get("quality")).get("max_standard_error");
						double squares = 0;
						double[] v = values(e);
						for (int f = 0; f < v.length; f++) {
							squares += (v[f] - reference.get(i)[f]) * (v[f] - reference.get(i)[f]);
						}
						distance += Math.sqrt(squares / v.length);
					}
					for (int f = 0; f < bySeed.get(0).length; f++) {
						double mean = 0;
						for (double[] v : bySeed) {
							mean += v[f] / bySeed.size();
						}
						double squares = 0;
						for (double[] v : bySeed) {
							squares += (v[f] - mean) * (v[f] - mean);
						}
						spread += Math.sqrt(squares / (bySeed.size() - 1));
						spreadCount++;
					}
				}
				System.out.printf(Locale.ROOT,
						"kernelshap model=income summary=%s background=%d mean_ms=%.1f mean_sd_over_background_seeds=%.5f "
								+ "mean_max_standard_error=%.5f rms_error_against_whole_pool=%.5f%n",
						summary, size, nanos / 1e6 / runs, spread / spreadCount, error / runs, distance / runs);
			}
		}
		Explanations exact = new Explanations(new ExplainProperties(1024, 1 << 20, 20_000, 14));
		for (int i = 0; i < instances; i++) {
			ExplanationRequest request = new ExplanationRequest("kernel_shap", null, null, null, null, null, null, null,
					null, 20, null, null, 3L);
			long started = System.nanoTime();
			Map<String, Object> sampled = explanations.explain(income, slice(rows, i, i + 1), request).get(0);
			long sampledNanos = System.nanoTime() - started;
			started = System.nanoTime();
			Map<String, Object> full = exact.explain(income, slice(rows, i, i + 1), request).get(0);
			long exactNanos = System.nanoTime() - started;
			double[] s = values(sampled);
			double[] x = values(full);
			double[] se = standardErrors(sampled);
			double worst = 0;
			for (int f = 0; f < s.length; f++) {
				worst = Math.max(worst, Math.abs(s[f] - x[f]) / se[f]);
			}
			System.out.printf(Locale.ROOT,
					"kernelshap exact_vs_sampled row=%d sampled_ms=%.1f exact_ms=%.1f exact_evaluations=%s "
							+ "max_error_in_standard_errors=%.2f%n",
					i, sampledNanos / 1e6, exactNanos / 1e6, full.get("model_evaluations"), worst);
		}
	}

	private static double[] values(Map<String, Object> explanation) {
		return ((List<?>) explanation.get("attributions")).stream()
			.mapToDouble(a -> (Double) ((Map<?, ?>) a).get("attribution"))
			.toArray();
	}

	private static double[] standardErrors(Map<String, Object> explanation) {
		return ((List<?>) explanation.get("attributions")).stream()
			.mapToDouble(a -> (Double) ((Map<?, ?>) a).get("standard_error"))
			.toArray();
	}

	private static Map<String, InputColumn> slice(Map<String, InputColumn> rows, int from, int to) {
		Map<String, InputColumn> slice = new LinkedHashMap<>();
		rows.forEach((name, column) -> {
			Object values = column.values();
			Object part = values instanceof float[] f ? Arrays.copyOfRange(f, from, to)
					: Arrays.copyOfRange((String[]) values, from, to);
			slice.put(name, new InputColumn(column.spec(), new long[] { to - from }, part));
		});
		return slice;
	}

	private static Map<String, InputColumn> incomeValidation(LoadedServable servable, int n) {
		SignatureSpec serving = servable.signatures().get("serving_default");
		Map<String, List<String>> columns = new HashMap<>();
		serving.inputs().keySet().forEach(name -> columns.put(name, new ArrayList<>()));
		for (CSVRecord record : csv("datasets/adult/adult_validation.csv", false)) {
			if (columns.get("age").size() == n) {
				break;
			}
			columns.forEach((name, values) -> values.add(record.get(name)));
		}
		Map<String, InputColumn> inputs = new LinkedHashMap<>();
		for (TensorSpec spec : serving.inputs().values()) {
			List<String> values = columns.get(spec.name());
			Object array;
			if (INCOME_NUMERIC.contains(spec.name())) {
				float[] floats = new float[values.size()];
				for (int i = 0; i < floats.length; i++) {
					floats[i] = Float.parseFloat(values.get(i));
				}
				array = floats;
			}
			else {
				array = values.toArray(String[]::new);
			}
			inputs.put(spec.name(), new InputColumn(spec, new long[] { values.size() }, array));
		}
		return inputs;
	}

	private static Map<String, InputColumn> spamValidation(LoadedServable servable, int n) {
		List<String> texts = new ArrayList<>();
		for (CSVRecord record : csv("datasets/spamassassin/spamassassin_validation.csv.gz", true)) {
			if (texts.size() == n) {
				break;
			}
			String text = record.get("subject") + " " + record.get("body");
			if (text.length() <= 20_000) {
				texts.add(text);
			}
		}
		TensorSpec spec = servable.signatures().get("serving_default").inputs().get("text");
		return Map.of("text", new InputColumn(spec, new long[] { texts.size() }, texts.toArray(String[]::new)));
	}

	private static List<CSVRecord> csv(String resource, boolean gzip) {
		try (InputStream raw = ExplainBenchmark.class.getClassLoader().getResourceAsStream(resource);
				InputStream in = gzip ? new GZIPInputStream(raw) : raw;
				CSVParser parser = CSVParser.parse(new InputStreamReader(in, StandardCharsets.UTF_8),
						CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get())) {
			return parser.getRecords();
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
