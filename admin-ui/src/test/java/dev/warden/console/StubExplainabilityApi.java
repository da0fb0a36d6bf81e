package dev.warden.console;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The explainability part of the stand-in admin API: versions of {@code income} (five
 * tabular inputs) and {@code spam} (one text input), their reports, jobs and reference
 * datasets as fixed JSON in the documented shapes, and the interactive explanation in the
 * admin API's shape ({@code value_at_input}, {@code value_at_baseline}, attributions as a
 * list, tokens with offsets and {@code shared_bucket}) with a few extra fields. Writes
 * that need the {@code ADMIN} role answer 403 to other tokens, as platform-api does. The
 * explanation of a text splits it at white space and answers each token with its offsets
 * in the text as sent, so tests can check where the console places them.
 */
public final class StubExplainabilityApi {

	static final String INCOME_VERSION = """
			{"version":"1","state":"AVAILABLE","error":null,"warnings":[],"signature_defs":{"serving_default":{
			 "inputs":{
			  "age":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"}]}},
			  "workclass":{"dtype":"DT_STRING","tensor_shape":{"dim":[{"size":"-1"}]}},
			  "education":{"dtype":"DT_STRING","tensor_shape":{"dim":[{"size":"-1"}]}},
			  "capital_gain":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"}]}},
			  "hours_per_week":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"}]}}},
			 "outputs":{"probabilities":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"},{"size":"2"}]}}},
			 "method_name":"tensorflow/serving/predict"}}}""";

	static final String SPAM_VERSION = """
			{"version":"1","state":"AVAILABLE","error":null,"warnings":[],"signature_defs":{"serving_default":{
			 "inputs":{"text":{"dtype":"DT_STRING","tensor_shape":{"dim":[{"size":"-1"}]}}},
			 "outputs":{"probabilities":{"dtype":"DT_FLOAT","tensor_shape":{"dim":[{"size":"-1"},{"size":"2"}]}}},
			 "method_name":"tensorflow/serving/predict"}}}""";

	/** The latest income report's features, most important first, with their values. */
	public static final Map<String, Double> INCOME_IMPORTANCE = importance();

	static final String EVIL_FEATURE = "<script>alert(\"feature\")</script>";

	static final String EVIL_TOKEN = "<script>alert('token')</script>";

	static final String INCOME_REPORT_R2 = """
			{"id":"r-2","model":"income","version":"1","dataset_id":"d-1","dataset_sha256":"da7a5e7da7a5e7","model_sha256":"30de130de1",
			 "method":"kernel_shap","seed":42,"sample_size":1000,"parameters":{"background_size":100},
			 "content_sha256":"c0ffeec0ffee","created_at":"2026-11-30T10:00:00Z","job_id":"j-1",
			 "content":{
			  "features":[
			   {"name":"capital_gain","mean_abs_attribution":0.412,"interval":[0.38,0.45],"confidence":0.95,
			    "per_class":{"<=50K":0.40,">50K":0.43},"histogram":{"edges":[-0.2,0,0.2,0.4,0.6],"counts":[10,500,300,150]}},
			   {"name":"education","mean_abs_attribution":0.205,"interval":[0.19,0.22],"confidence":0.95,
			    "per_class":{"<=50K":0.2,">50K":0.21},"histogram":{"edges":[-0.3,0,0.3],"counts":[400,560]}},
			   {"name":"age","mean_abs_attribution":0.118,"interval":[0.105,0.131],"confidence":0.95,
			    "per_class":{"<=50K":0.11,">50K":0.12},"histogram":{"edges":[-0.1,0,0.1,0.2],"counts":[100,600,260]}},
			   {"name":"hours_per_week","mean_abs_attribution":0.061,"interval":[0.05,0.07],"confidence":0.95,
			    "per_class":{"<=50K":0.06,">50K":0.062},"histogram":{"edges":[-0.1,0,0.1],"counts":[300,660]}},
			   {"name":"<script>alert(\\"feature\\")</script>","mean_abs_attribution":0.009,"interval":[0.004,0.013],"confidence":0.95,
			    "per_class":{},"histogram":{"edges":[0,0.01,0.02],"counts":[900,60]}},
			   {"name":"workclass","mean_abs_attribution":0.004,"interval":[0.001,0.008],"confidence":0.95,
			    "per_class":{},"histogram":{"edges":[0,0.01],"counts":[960]}}],
			  "partial_dependence":[
			   {"feature":"capital_gain","grid":[0,2000,5000,10000,20000],"values":[0.21,0.24,0.38,0.61,0.74]},
			   {"feature":"education","grid":["HS-grad","Bachelors","Masters","Doctorate"],"values":[0.16,0.41,0.55,0.72]},
			   {"feature":"age","grid":[18,30,45,60,75],"values":[0.05,0.18,0.33,0.31,0.22]}],
			  "quality":{"explanations":1000,"model_evaluations":256000,
			   "efficiency_error":{"max":3.1e-7,"mean":4.2e-8,"p95":1.9e-7}},
			  "baseline":{"age":38.6,"workclass":"Private","education":"HS-grad","capital_gain":1077.6,"hours_per_week":40.4,
			   "sha256":"ba5e11neba5e11ne"},
			  "target":{"output":"probabilities","class":">50K"}}}""";

	static final String INCOME_REPORT_R1 = """
			{"id":"r-1","model":"income","version":"1","dataset_id":"d-1","dataset_sha256":"da7a5e7da7a5e7","model_sha256":"30de130de1",
			 "method":"integrated_gradients","seed":7,"sample_size":500,"parameters":{"steps":64},
			 "content_sha256":"01d01d01d","created_at":"2026-11-29T09:00:00Z","job_id":"j-0",
			 "content":{"features":[{"name":"age","kind":"numeric","mean_abs_attribution":0.2,"interval":[0.18,0.22],
			   "confidence_level":0.9,"per_class":{"1":{"rows":310,"mean_abs_attribution":0.27,"mean_attribution":0.1}},
			   "histogram":{"edges":[-0.5,0,0.5],"counts":[200,300],"below":0,"above":0}}],
			  "partial_dependence":[],"quality":{"explanations":500,"model_evaluations":32500,
			   "completeness_delta":{"max":0.004,"mean":0.001,"p95":0.003}},
			  "baseline":{"value":{"age":37.5,"workclass":"Private"},"sha256":"0b5e","varies":false},
			  "target":"predicted class"}}""";

	static final String INCOME_REPORTS = """
			{"content":[
			 {"id":"r-2","model":"income","version":"1","dataset_id":"d-1","method":"kernel_shap","seed":42,"sample_size":1000,
			  "content_sha256":"c0ffeec0ffee","created_at":"2026-11-30T10:00:00Z","job_id":"j-1"},
			 {"id":"r-1","model":"income","version":"1","dataset_id":"d-1","method":"integrated_gradients","seed":7,"sample_size":500,
			  "content_sha256":"01d01d01d","created_at":"2026-11-29T09:00:00Z","job_id":"j-0"}],
			 "page":0,"size":50,"next_page":null}""";

	static final String SPAM_REPORT = """
			{"id":"r-s1","model":"spam","version":"1","dataset_id":"d-s1","dataset_sha256":"5ba5ba","model_sha256":"5ba3ba",
			 "method":"integrated_gradients","seed":1,"sample_size":800,"parameters":{"steps":64},
			 "content_sha256":"5c5c5c","created_at":"2026-11-30T11:00:00Z","job_id":"j-s0",
			 "content":{
			  "features":[{"name":"text","mean_abs_attribution":0.93,"interval":[0.9,0.96],"confidence":0.95}],
			  "partial_dependence":[],
			  "quality":{"explanations":800,"model_evaluations":52000,"completeness_delta":{"max":0.006,"mean":0.001,"p95":0.004}},
			  "tokens":{
			   "ham":[{"token":"meeting","mean_attribution":0.31,"count":120},{"token":"attached","mean_attribution":0.22,"count":80}],
			   "spam":[{"token":"free","mean_attribution":0.52,"count":210},{"token":"<script>alert('token')</script>","mean_attribution":0.4,"count":3},
			    {"token":"winner","mean_attribution":0.38,"count":44}]},
			  "baseline":{"text":"","sha256":"e3b0c442"},
			  "target":{"output":"probabilities","class":"spam"}}}""";

	static final String SPAM_REPORTS = """
			{"content":[{"id":"r-s1","model":"spam","version":"1","dataset_id":"d-s1","method":"integrated_gradients","seed":1,
			  "sample_size":800,"content_sha256":"5c5c5c","created_at":"2026-11-30T11:00:00Z","job_id":"j-s0"}],
			 "page":0,"size":50,"next_page":null}""";

	static final String INCOME_JOBS = """
			{"content":[
			 {"id":"j-3","model":"income","version":"1","dataset_id":"d-1","state":"running","rows_done":1200,"rows_total":4000,
			  "error":null,"report_id":null,"attempt":1,"parameters":{"method":"kernel_shap","seed":3,"sample_size":4000},
			  "created_by":"admin","created_at":"2026-12-01T08:00:00Z","started_at":"2026-12-01T08:00:02Z","finished_at":null},
			 {"id":"j-2","model":"income","version":"1","dataset_id":"d-1","state":"failed","rows_done":256,"rows_total":1000,
			  "error":"worker w-1 unavailable: connection refused","report_id":null,"attempt":2,"parameters":{"method":"kernel_shap"},
			  "created_by":"admin","created_at":"2026-11-30T12:00:00Z","started_at":"2026-11-30T12:00:01Z","finished_at":"2026-11-30T12:01:00Z"},
			 {"id":"j-1","model":"income","version":"1","dataset_id":"d-1","state":"done","rows_done":1000,"rows_total":1000,
			  "error":null,"report_id":"r-2","attempt":1,"parameters":{"method":"kernel_shap","seed":42,"sample_size":1000},
			  "created_by":"system","created_at":"2026-11-30T09:59:00Z","started_at":"2026-11-30T09:59:01Z","finished_at":"2026-11-30T10:00:00Z"},
			 {"id":"fc-1","kind":"fairness","model":"income","version":"1","dataset_id":"d-1","state":"done","rows_done":9550,
			  "rows_total":9550,"error":null,"report_id":null,"fairness_report_id":"f-2","attempt":1,"parameters":{"threshold":0.5},
			  "created_by":"system","created_at":"2026-11-30T09:58:00Z","started_at":"2026-11-30T09:58:01Z","finished_at":"2026-11-30T09:59:00Z"}],
			 "page":0,"size":50,"next_page":null}""";

	static final String SPAM_JOBS = """
			{"content":[{"id":"j-s1","model":"spam","version":"1","dataset_id":"d-s1","state":"queued","rows_done":0,"rows_total":null,
			  "error":null,"report_id":null,"attempt":1,"parameters":{},"created_by":"system","created_at":"2026-12-01T09:00:00Z",
			  "started_at":null,"finished_at":null}],"page":0,"size":50,"next_page":null}""";

	/**
	 * The shipped dataset is an evaluation dataset (label and sensitive attributes); the
	 * uploaded one is not.
	 */
	static final String INCOME_DATASETS = """
			{"content":[{"id":"d-1","model":"income","name":"adult_validation","source":"shipped",
			  "columns":["age","workclass","education","capital_gain","hours_per_week"],"row_count":4000,
			  "sha256":"da7a5e7da7a5e7","created_at":"2026-11-30T09:58:00Z","created_by":"system",
			  "evaluation":{"label":"label","positive_label":"1","sensitive":[{"name":"sex","reference":"Male"},
			   {"name":"race","reference":"White"},{"name":"age","bands":[25,60],"reference":"25 to <60"}]}},
			 {"id":"d-3","model":"income","name":"my rows","source":"upload","columns":["age","workclass"],"row_count":2,
			  "sha256":"a11ce","created_at":"2026-12-01T09:58:00Z","created_by":"admin","evaluation":null}],
			 "page":0,"size":50,"next_page":null}""";

	static final String SPAM_DATASETS = """
			{"content":[{"id":"d-s1","model":"spam","name":"spamassassin_validation","source":"shipped",
			  "columns":[{"name":"text","dtype":"DT_STRING"}],
			  "row_count":800,"sha256":"5ba5ba","created_at":"2026-11-30T10:58:00Z","created_by":"system"}],
			 "page":0,"size":50,"next_page":null}""";

	static final String INCOME_ATTRIBUTIONS = """
			[{"feature":"age","attribution":0.081},{"feature":"workclass","attribution":-0.019},
			 {"feature":"education","attribution":-0.143},{"feature":"capital_gain","attribution":0.312},
			 {"feature":"hours_per_week","attribution":0.027}]""";

	static final byte[] PDF = "%PDF-1.4\n% stand-in report\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final Pattern WORD = Pattern.compile("\\S+");

	private static final String FORBIDDEN = """
			{"error":{"code":"forbidden","message":"this needs the ADMIN role","request_id":"r-403"}}""";

	private static Map<String, Double> importance() {
		Map<String, Double> importance = new LinkedHashMap<>();
		importance.put("capital_gain", 0.412);
		importance.put("education", 0.205);
		importance.put("age", 0.118);
		importance.put("hours_per_week", 0.061);
		importance.put(EVIL_FEATURE, 0.009);
		importance.put("workclass", 0.004);
		return importance;
	}

	/**
	 * The answer to a request, or null when the path is not one of the explainability
	 * API's.
	 */
	Answer answer(String method, String path, String query, String body, boolean admin) {
		if (method.equals("GET")) {
			return path.equals("/api/admin/explainability/jobs") ? jobs(query) : read(path);
		}
		if (path.equals("/api/admin/models/income/versions/1/explain")
				|| path.equals("/api/admin/models/spam/versions/1/explain")) {
			return explain(path.contains("/spam/"), body);
		}
		if (!isWrite(method, path)) {
			return null;
		}
		if (!admin) {
			return new Answer(403, FORBIDDEN);
		}
		return write(method, path, body);
	}

	private static boolean isWrite(String method, String path) {
		return path.matches("/api/admin/models/[^/]+/reference-datasets(/shipped|/[^/]+)?")
				|| path.matches("/api/admin/models/[^/]+/versions/[^/]+/explainability-reports")
				|| path.matches("/api/admin/explainability/jobs/[^/]+/(cancel|retry)");
	}

	private Answer read(String path) {
		return switch (path) {
			case "/api/admin/models/income/versions/1" -> new Answer(200, INCOME_VERSION);
			case "/api/admin/models/spam/versions/1" -> new Answer(200, SPAM_VERSION);
			case "/api/admin/models/income/versions/1/explainability-reports" -> new Answer(200, INCOME_REPORTS);
			case "/api/admin/models/spam/versions/1/explainability-reports" -> new Answer(200, SPAM_REPORTS);
			case "/api/admin/explainability/reports/r-2" -> new Answer(200, INCOME_REPORT_R2);
			case "/api/admin/explainability/reports/r-1" -> new Answer(200, INCOME_REPORT_R1);
			case "/api/admin/explainability/reports/r-s1" -> new Answer(200, SPAM_REPORT);
			case "/api/admin/explainability/reports/r-2/pdf" -> new Answer(200, "application/pdf", PDF);
			case "/api/admin/models/income/reference-datasets" -> new Answer(200, INCOME_DATASETS);
			case "/api/admin/models/spam/reference-datasets" -> new Answer(200, SPAM_DATASETS);
			default -> null;
		};
	}

	/** {@code GET /api/admin/explainability/jobs?model=…&version=…}. */
	private static Answer jobs(String query) {
		if (query == null) {
			return null;
		}
		if (query.contains("model=income") && query.contains("version=1")) {
			return new Answer(200, INCOME_JOBS);
		}
		if (query.contains("model=spam") && query.contains("version=1")) {
			return new Answer(200, SPAM_JOBS);
		}
		return new Answer(200, """
				{"content":[],"page":0,"size":50,"next_page":null}""");
	}

	private Answer write(String method, String path, String body) {
		if (method.equals("POST") && path.endsWith("/explainability-reports")) {
			JsonNode request = JSON.readTree(body.isEmpty() ? "{}" : body);
			if (request.has("sample_size") && request.path("sample_size").asLong() < 1) {
				return new Answer(400,
						"""
								{"error":{"code":"validation_failed","message":"sample_size must be between 1 and 100000","request_id":"r-400"}}""");
			}
			return new Answer(202,
					"""
							{"id":"j-4","model":"income","version":"1","dataset_id":"d-1","state":"queued","rows_done":0,"rows_total":null,
							 "error":null,"report_id":null,"attempt":1,"parameters":%s,"created_by":"admin",
							 "created_at":"2026-12-01T10:00:00Z","started_at":null,"finished_at":null}"""
						.formatted(request));
		}
		Matcher job = Pattern.compile("/api/admin/explainability/jobs/([^/]+)/(cancel|retry)").matcher(path);
		if (method.equals("POST") && job.matches()) {
			String state = job.group(2).equals("cancel") ? "cancelled" : "queued";
			int attempt = job.group(2).equals("cancel") ? 1 : 3;
			return new Answer(200,
					"""
							{"id":"%s","model":"income","version":"1","dataset_id":"d-1","state":"%s","rows_done":0,"rows_total":null,
							 "error":null,"report_id":null,"attempt":%d,"parameters":{},"created_by":"admin",
							 "created_at":"2026-12-01T10:00:00Z","started_at":null,"finished_at":null}"""
						.formatted(job.group(1), state, attempt));
		}
		if (method.equals("POST") && path.endsWith("/reference-datasets/shipped")) {
			String dataset = JSON.readTree(body).path("dataset").asString();
			return new Answer(201, dataset(path, dataset, "shipped", 4000, "da7a"));
		}
		if (method.equals("POST") && path.endsWith("/reference-datasets")) {
			return upload(path, body);
		}
		if (method.equals("DELETE")) {
			return new Answer(204, "");
		}
		return null;
	}

	/** Checks that numeric columns hold numbers, naming the first bad row and column. */
	private Answer upload(String path, String csv) {
		String[] lines = csv.split("\r?\n");
		List<String> header = List.of(lines[0].split(","));
		for (int row = 1; row < lines.length; row++) {
			String[] cells = lines[row].split(",", -1);
			for (int column = 0; column < Math.min(cells.length, header.size()); column++) {
				if (List.of("age", "capital_gain", "hours_per_week").contains(header.get(column))
						&& !cells[column].matches("-?[0-9.]+")) {
					return new Answer(400,
							"""
									{"error":{"code":"invalid_csv","message":"row %d, column '%s': '%s' is not a number","request_id":"r-400"}}"""
								.formatted(row, header.get(column), cells[column]));
				}
			}
		}
		return new Answer(201, dataset(path, "uploaded", "upload", lines.length - 1, sha256(csv)));
	}

	private static String dataset(String path, String name, String source, int rows, String sha256) {
		String model = path.split("/")[4];
		return """
				{"id":"d-9","model":"%s","name":"%s","source":"%s","columns":["age"],"row_count":%d,"sha256":"%s",
				 "created_at":"2026-12-01T10:00:00Z","created_by":"admin"}""".formatted(model, name, source, rows,
				sha256);
	}

	private Answer explain(boolean text, String body) {
		JsonNode request = JSON.readTree(body);
		JsonNode instance = request.path("instances").path(0);
		String method = request.path("parameters").path("method").asString("integrated_gradients");
		if (text) {
			return new Answer(200, textExplanation(instance.path("text").asString(), method));
		}
		JsonNode age = instance.path("age");
		if (!age.isNumber()) {
			return new Answer(400, JSON.writeValueAsString(Map.of("error", Map.of("code", "invalid_input", "message",
					"instances[0].age: expected a number, got " + age, "request_id", "r-400"))));
		}
		return new Answer(200, """
				{"predictions":[{"probability":0.73,"class_id":1}],"explanations":[{"method":"%s",
				 "target":{"output":"probability","class":1},"attributions":%s,"tokens":[],
				 "value_at_input":0.73,"value_at_baseline":0.24,"model_evaluations":65,
				 "completeness_delta":0.0004,"efficiency_error":null,
				 "steps":64,"note":"<script>alert('note')</script>"}]}""".formatted(method, INCOME_ATTRIBUTIONS));
	}

	/**
	 * Splits at white space; attributions alternate in sign and grow along the text; the
	 * third token shares its hash bucket.
	 */
	public static List<Map<String, Object>> tokens(String text) {
		List<Map<String, Object>> tokens = new ArrayList<>();
		Matcher word = WORD.matcher(text);
		int i = 0;
		while (word.find()) {
			Map<String, Object> token = new LinkedHashMap<>();
			token.put("token", word.group().toLowerCase(java.util.Locale.ROOT));
			token.put("start", word.start());
			token.put("end", word.end());
			token.put("attribution", ((i % 2 == 0) ? 1 : -1) * 0.05 * (i + 1));
			token.put("shared_bucket", i == 2);
			tokens.add(token);
			i++;
		}
		return tokens;
	}

	private static String textExplanation(String text, String method) {
		Map<String, Object> explanation = new LinkedHashMap<>();
		explanation.put("method", method);
		explanation.put("target", Map.of("output", "probabilities", "class", "spam"));
		List<Map<String, Object>> tokens = tokens(text);
		explanation.put("attributions", List.of(Map.of("feature", "text", "attribution",
				tokens.stream().mapToDouble((token) -> (Double) token.get("attribution")).sum())));
		explanation.put("tokens", tokens);
		explanation.put("value_at_input", 0.91);
		explanation.put("value_at_baseline", 0.12);
		explanation.put("model_evaluations", 33);
		explanation.put("completeness_delta", 0.0007);
		explanation.put("efficiency_error", null);
		return JSON.writeValueAsString(Map.of("predictions", List.of(Map.of("label", "spam", "spam_probability", 0.91)),
				"explanations", List.of(explanation)));
	}

	private static String sha256(String text) {
		try {
			return HexFormat.of()
				.formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	/**
	 * An answer of the stand-in.
	 *
	 * @param status the HTTP status
	 * @param contentType its content type
	 * @param body its body
	 */
	record Answer(int status, String contentType, byte[] body) {

		Answer(int status, String json) {
			this(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
		}

	}

}
