package dev.warden.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The governance part of the stand-in admin API, in the shapes platform-api's fairness,
 * model card and promotion APIs answer: fairness checks and reports of {@code income}
 * version 1 (the newest report, {@code f-2}, is a complete report over the Adult
 * validation split with the attributes sex, race, banded age and the intersection sex ×
 * race, suppressed groups and undefined metrics included; it is read from
 * {@code governance/fairness-report-f-2.json}), evaluation dataset uploads, the model
 * cards of {@code income} and {@code spam} version 1 with their revisions (an edit must
 * be based on the current revision, which each saved edit moves on), and promotion
 * requests with their rule results, evaluated against a policy that {@code income}
 * version 1 fails on two fairness rules unless both are overridden with a justification
 * of at least 20 characters. Writes answer 403 to a token without the {@code ADMIN} role,
 * and an approval by the requester 403 {@code four_eyes_required}, as platform-api does.
 */
public final class StubGovernanceApi {

	/** The newest fairness report of income version 1, as platform-api sends it. */
	public static final String FAIRNESS_REPORT_F2 = resource("governance/fairness-report-f-2.json");

	static final String FAIRNESS_REPORT_F1 = """
			{"id":"f-1","model":"income","version":"1","dataset_id":"d-1","dataset_sha256":"da7a5e7da7a5e7",
			 "model_sha256":"30de130de1","threshold":0.4,"seed":7,"parameters":{"resamples":200},
			 "content_sha256":"01dfa1a1","created_at":"2026-12-01T09:00:00Z","job_id":"fc-0",
			 "content":{"model":"income","version":1,"model_sha256":"30de130de1",
			  "dataset":{"id":"d-1","name":"adult_validation","sha256":"da7a5e7da7a5e7","rows":9550},
			  "label":"label","positive_label":"1","positive_class":1,"threshold":0.4,"software_version":"0.1.0-SNAPSHOT",
			  "settings":{"seed":7,"resamples":200,"confidence_level":0.9},
			  "attributes":[{"name":"sex","columns":["sex"],"reference":"Male","reference_source":"declared",
			   "groups":[{"group":"Female","n":3150,"positives":343,"predicted_positives":300,"suppressed":false,
			     "metrics":{"selection_rate":{"value":0.095238,"ci_low":0.08,"ci_high":0.11}}},
			    {"group":"Male","n":6400,"positives":1957,"predicted_positives":1800,"suppressed":false,
			     "metrics":{"selection_rate":{"value":0.28125,"ci_low":0.27,"ci_high":0.29}}}],
			   "against_reference":[],"between_groups":{},"four_fifths":[],"suppressed":[]}],
			  "definitions":[]}}""";

	static final String FAIRNESS_REPORTS = """
			{"content":[
			 {"id":"f-2","model":"income","version":"1","dataset_id":"d-1","dataset_sha256":"da7a5e7da7a5e7",
			  "model_sha256":"30de130de1","threshold":0.5,"seed":42,"parameters":{"resamples":1000},
			  "content_sha256":"fa1a1e55c0de","created_at":"2026-12-02T10:00:00Z","job_id":"fc-1"},
			 {"id":"f-1","model":"income","version":"1","dataset_id":"d-1","dataset_sha256":"da7a5e7da7a5e7",
			  "model_sha256":"30de130de1","threshold":0.4,"seed":7,"parameters":{"resamples":200},
			  "content_sha256":"01dfa1a1","created_at":"2026-12-01T09:00:00Z","job_id":"fc-0"}],
			 "page":0,"size":50,"next_page":null}""";

	static final String FAIRNESS_CHECKS = """
			{"content":[
			 {"id":"fc-2","kind":"fairness","model":"income","version":"1","dataset_id":"d-1","state":"running",
			  "phase":"computing","rows_done":4096,"rows_total":9550,"error":null,"report_id":null,"fairness_report_id":null,
			  "attempt":1,"parameters":{"threshold":0.5,"seed":42,"resamples":1000},"created_by":"admin",
			  "created_at":"2026-12-02T11:00:00Z","started_at":"2026-12-02T11:00:01Z","finished_at":null},
			 {"id":"fc-1","kind":"fairness","model":"income","version":"1","dataset_id":"d-1","state":"done","phase":null,
			  "rows_done":9550,"rows_total":9550,"error":null,"report_id":null,"fairness_report_id":"f-2","attempt":1,
			  "parameters":{"threshold":0.5,"seed":42,"resamples":1000},"created_by":"system",
			  "created_at":"2026-12-02T09:59:00Z","started_at":"2026-12-02T09:59:01Z","finished_at":"2026-12-02T10:00:00Z"},
			 {"id":"fc-0","kind":"fairness","model":"income","version":"1","dataset_id":"d-1","state":"failed","phase":null,
			  "rows_done":512,"rows_total":9550,"error":"worker w-1 unavailable: connection refused","report_id":null,
			  "fairness_report_id":null,"attempt":2,"parameters":{"threshold":0.4},"created_by":"admin",
			  "created_at":"2026-12-01T08:00:00Z","started_at":"2026-12-01T08:00:01Z","finished_at":"2026-12-01T08:01:00Z"}],
			 "page":0,"size":50,"next_page":null}""";

	static final byte[] FAIRNESS_PDF = "%PDF-1.4\n% stand-in fairness report\n%%EOF\n"
		.getBytes(StandardCharsets.US_ASCII);

	static final byte[] CARD_PDF = "%PDF-1.4\n% stand-in model card\n%%EOF\n".getBytes(StandardCharsets.US_ASCII);

	/** The sections an administrator wrote into revision 3 of the income card. */
	static final String INCOME_SECTIONS = """
			"model_details":{"name":"income","overview":"Predicts whether a person's income exceeds 50K a year from census attributes.",
			  "documentation":"docs/models.md","owners":[{"name":"Platform team","contact":"platform@example.com"}],
			  "version":{"name":"1","date":"2026-11-28T08:00:00Z","diff":"first version"},
			  "licenses":[],"references":[{"reference":"https://archive.ics.uci.edu/dataset/2/adult"}],
			  "citations":[{"style":"text","citation":"Becker, B. and Kohavi, R. (1996). Adult. UCI Machine Learning Repository."}]},
			 "model_parameters":{"model_architecture":"A feed-forward network over one-hot and normalised census columns.",
			  "data":[{"name":"adult_train","link":"inference-worker/src/main/resources/datasets/adult",
			    "sensitive":{"sensitive_attributes":["sex","race"]},"description":"UCI Adult, 1994 census extract, training split."}],
			  "input_format":"14 census columns as named inputs","output_format":"probability of income > 50K"},
			 "considerations":{"users":[{"description":"Platform operators demonstrating the platform"}],
			  "use_cases":[{"description":"A reference model to try the gateway, explanations and governance"}],
			  "limitations":[{"description":"The census is from 1994 and US-only; women are selected far less often (see the quantitative analysis)."}],
			  "tradeoffs":[],"ethical_considerations":[]}""";

	static final String INCOME_QUANTITATIVE = """
			"quantitative_analysis":{"performance_metrics":[
			  {"type":"accuracy","value":0.8476,"confidence_interval":{"lower_bound":0.8403,"upper_bound":0.8547},
			   "source":{"report":"fairness","id":"f-2","path":"/overall/metrics/accuracy"}},
			  {"type":"selection_rate","value":0.0819,"slice":"sex=Female","confidence_interval":{"lower_bound":0.0728,"upper_bound":0.092},
			   "source":{"report":"fairness","id":"f-2","path":"/attributes/0/groups/0/metrics/selection_rate"}},
			  {"type":"four_fifths_ratio","value":0.3224,"slice":"sex=Female","confidence_interval":{"lower_bound":0.2724,"upper_bound":0.3724},
			   "flagged":true,"flag":"below 0.8 of the highest selection rate (Male)",
			   "source":{"report":"fairness","id":"f-2","path":"/attributes/0/four_fifths/0/ratio"}},
			  {"type":"mean_abs_attribution","value":0.412,"feature":"capital_gain","confidence_interval":{"lower_bound":0.38,"upper_bound":0.45},
			   "source":{"report":"explainability","id":"r-2","path":"/features/0/mean_abs_attribution"}}],
			 "graphics":{"collection":[]},
			 "undefined_metrics":[{"metric":"true_positive_rate","slice":"sex=Female × race=Other","reason":"no actual positives in the group"}],
			 "suppressed_groups":[{"attribute":"race","group":"Amer-Indian-Eskimo","n":22,"reason":"n = 22 < 30"}]}""";

	/**
	 * The promotion section as the promotion module contributes it, and the card's list
	 * of overrides.
	 */
	static final String INCOME_GOVERNANCE = """
			"governance":{"promotion":{"requests":[
			   {"id":"p-3","target":"stable","state":"pending","requested_by":"admin","overridden":true},
			   {"id":"p-2","target":"canary","state":"refused","requested_by":"reviewer","overridden":false}],
			  "overrides":[{"request_id":"p-3","request_state":"pending","target":"stable","rule":"fairness.four_fifths_ratio.sex",
			   "justification":"Reference model for the demo; never used for decisions about people.","by":"admin",
			   "at":"2026-12-03T09:00:00Z"}]}},
			 "overrides":[{"section":"promotion","override":{"request_id":"p-3","rule":"fairness.four_fifths_ratio.sex"}}]""";

	static final String PROVENANCE = """
			"provenance":{"created_at":"2026-11-28T08:00:00Z","uploaded_at":"2026-11-28T08:00:00Z","uploaded_by":"admin",
			 "archive_sha256":"a5c41e","archive_size_bytes":104857,"files_sha256":{"value":"30de130de1","source":"fairness report f-2"}}""";

	static final String SPAM_CARD = """
			{"model":"spam","version":"1","revision":1,"content_sha256":"5ba11","revision_comment":"shipped",
			 "revision_created_at":"2026-11-28T08:00:00Z","revision_created_by":"system",
			 "model_details":{"name":"spam","overview":"Classifies e-mail as spam or ham.","owners":[{"name":"Platform team","contact":"platform@example.com"}],
			  "version":{"name":"1","date":"2026-11-28T08:00:00Z"},"licenses":[{"identifier":"Apache-2.0"}]},
			 "model_parameters":{"model_architecture":"hashed bag of words","data":[{"name":"spamassassin"}],"input_format":"text","output_format":"spam probability"},
			 "quantitative_analysis":{"performance_metrics":[]},
			 "considerations":{"users":[{"description":"operators"}],"use_cases":[{"description":"demo"}],"limitations":[{"description":"old mails"}],
			  "ethical_considerations":[{"name":"real mails","mitigation_strategy":"never sent to a live mail system"}]},
			 "provenance":{"created_at":"2026-11-28T08:00:00Z","uploaded_by":null},
			 "governance":{},"overrides":[],"completeness":{"complete":true,"missing":[]}}""";

	static final String INCOME_REVISION_1 = """
			{"model":"income","version":"1","revision":1,"created_by":"system","created_at":"2026-11-28T08:00:00Z",
			 "comment":"shipped","content_sha256":"5a1b0001",
			 "content":{"model_details":{"overview":"The shipped card of the reference income model."},
			  "model_parameters":{"model_architecture":"feed-forward network"},"considerations":{"limitations":[{"description":"1994 census"}]}}}""";

	/**
	 * Rule results of income version 1 with the policy's thresholds: two fairness rules
	 * fail; {@code %1$s} is their status, {@code %2$s} what follows each of them (an
	 * override, or nothing).
	 */
	static final String INCOME_RULES = """
			[{"rule":"fairness.report","status":"passed","observed":{"created_at":"2026-12-02T10:00:00Z","age_days":1.0,
			   "dataset":"adult_validation"},"threshold":{"max_age_days":30},"report_id":"f-2",
			  "message":"fairness report f-2 on adult_validation is 1.0 days old"},
			 {"rule":"fairness.four_fifths_ratio.sex","status":"%1$s","observed":{"group":"Female","value":0.322381,"ci_low":0.272381,"ci_high":0.372381},
			  "threshold":{"min":0.8,"whole_interval":false},"report_id":"f-2","message":"Female: 0.322 < 0.8"%2$s},
			 {"rule":"fairness.four_fifths_ratio.race","status":"passed","observed":{"group":"Black","value":0.81,"ci_low":0.8,"ci_high":0.83},
			  "threshold":{"min":0.8},"report_id":"f-2","message":"lowest group Black ≥ 0.8"},
			 {"rule":"fairness.equalized_odds_difference.sex","status":"%1$s","observed":{"value":0.105236,"ci_low":0.065236,"ci_high":0.145236},
			  "threshold":{"max_abs":0.1},"report_id":"f-2","message":"0.105 > 0.1"%2$s},
			 {"rule":"explainability_report","status":"passed","observed":{"created_at":"2026-11-30T10:00:00Z","age_days":2.5},
			  "threshold":{"max_age_days":30},"report_id":"r-2","message":"report r-2 is 2.5 days old"},
			 {"rule":"model_card_complete","status":"passed","message":"the card is complete"}]""";

	/** What follows an overridden rule's result. */
	static final String OVERRIDE = """
			,"override":{"justification":"%s","by":"admin","at":"2026-12-03T08:30:00Z"}""";

	static final String SPAM_RULES = """
			[{"rule":"model_card_complete","status":"passed","message":"the card is complete"},
			 {"rule":"accuracy_not_worse","status":"passed","observed":{"value":0.97},"threshold":{"margin":0.01},
			  "message":"no stable version: nothing to compare with"}]""";

	static final String OVERRIDE_JUSTIFICATION = "Reference model for the demo; never used for decisions about people.";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final String FORBIDDEN = """
			{"error":{"code":"forbidden","message":"this needs the ADMIN role","request_id":"r-403"}}""";

	private static final Pattern REQUEST_ACTION = Pattern
		.compile("/api/admin/promotion-requests/([^/]+)/(approve|reject|withdraw)");

	private final AtomicInteger incomeRevision = new AtomicInteger(3);

	/** Requests stored since the start (or the last reset), newest first. */
	private final List<JsonNode> created = new CopyOnWriteArrayList<>();

	/**
	 * Forgets every saved edit and stored request: the income card is at revision 3
	 * again.
	 */
	public void reset() {
		this.incomeRevision.set(3);
		this.created.clear();
	}

	/** The revision the income card is at. */
	public int incomeCardRevision() {
		return this.incomeRevision.get();
	}

	/**
	 * The answer to a request, or null when the path is not one of the governance API's.
	 * @param subject the token's subject
	 * @param admin whether the token has the ADMIN role
	 */
	StubExplainabilityApi.Answer answer(String method, String path, String query, String body, String subject,
			boolean admin) {
		String q = (query != null) ? query : "";
		if (method.equals("GET")) {
			return read(path, q);
		}
		boolean write = path
			.matches("/api/admin/models/[^/]+/versions/[^/]+/(fairness-checks|model-card|promotion-requests)")
				|| REQUEST_ACTION.matcher(path).matches()
				|| (path.matches("/api/admin/models/[^/]+/reference-datasets") && q.contains("label="));
		if (!write) {
			return null;
		}
		if (!admin) {
			return new StubExplainabilityApi.Answer(403, FORBIDDEN);
		}
		if (path.endsWith("/fairness-checks")) {
			return startCheck(body);
		}
		if (path.endsWith("/model-card")) {
			return editCard(path, body);
		}
		if (path.endsWith("/promotion-requests")) {
			return requestPromotion(path, body, subject);
		}
		if (path.endsWith("/reference-datasets")) {
			return uploadEvaluationDataset(q, body);
		}
		Matcher action = REQUEST_ACTION.matcher(path);
		action.matches();
		return decide(action.group(1), action.group(2), body, subject);
	}

	private StubExplainabilityApi.Answer read(String path, String query) {
		return switch (path) {
			case "/api/admin/models/income/versions/1/fairness-reports" -> ok(FAIRNESS_REPORTS);
			case "/api/admin/models/spam/versions/1/fairness-reports" -> ok(emptyPage());
			case "/api/admin/fairness/reports/f-2" -> ok(FAIRNESS_REPORT_F2);
			case "/api/admin/fairness/reports/f-1" -> ok(FAIRNESS_REPORT_F1);
			case "/api/admin/fairness/reports/f-2/pdf" ->
				new StubExplainabilityApi.Answer(200, "application/pdf", FAIRNESS_PDF);
			case "/api/admin/models/income/versions/1/fairness-checks" -> ok(FAIRNESS_CHECKS);
			case "/api/admin/models/spam/versions/1/fairness-checks" -> ok(emptyPage());
			case "/api/admin/models/income/versions/1/model-card" -> ok(incomeCard(this.incomeRevision.get()));
			case "/api/admin/models/spam/versions/1/model-card" -> ok(SPAM_CARD);
			case "/api/admin/models/income/versions/1/model-card/revisions" -> ok(incomeRevisions());
			case "/api/admin/models/income/versions/1/model-card/revisions/1" -> ok(INCOME_REVISION_1);
			case "/api/admin/models/income/versions/1/model-card/export" -> export(query);
			case "/api/admin/promotion-requests" -> ok(requests(query));
			case "/api/admin/models/income/versions/1/promotion-evaluation" ->
				ok(evaluation("income", 1, failedIncomeRules()));
			case "/api/admin/models/spam/versions/1/promotion-evaluation" -> ok(evaluation("spam", 1, SPAM_RULES));
			default -> {
				Matcher request = Pattern.compile("/api/admin/promotion-requests/([^/]+)").matcher(path);
				if (request.matches()) {
					JsonNode found = requestById(request.group(1));
					yield (found != null) ? ok(found.toString()) : null;
				}
				yield null;
			}
		};
	}

	private static StubExplainabilityApi.Answer export(String query) {
		if (query.contains("format=pdf")) {
			return new StubExplainabilityApi.Answer(200, "application/pdf", CARD_PDF);
		}
		if (query.contains("format=json")) {
			return ok(
					"""
							{"model_details":{"name":"income"},"annex_iv":[{"section":"(7) harmonised standards","status":"missing"}]}""");
		}
		return error(400, "validation_failed", "format must be json or pdf");
	}

	private static String evaluation(String model, int version, String rules) {
		return """
				{"model":"%s","version":%d,"policy_sha256":"9011c7","require_approval":true,
				 "max_canary_weight_without_approval":10,"approvals_required":1,"stable_version":null,"rules":%s}"""
			.formatted(model, version, rules);
	}

	static String failedIncomeRules() {
		return INCOME_RULES.formatted("failed", "");
	}

	static String overriddenIncomeRules() {
		return INCOME_RULES.formatted("overridden", OVERRIDE.formatted(OVERRIDE_JUSTIFICATION));
	}

	static String incomeCard(int revision) {
		return """
				{"model":"income","version":"1","revision":%1$d,"content_sha256":"5a1b000%1$d",
				 "revision_comment":"limitations from the fairness report","revision_created_at":"2026-12-03T08:00:00Z",
				 "revision_created_by":"admin",
				 %2$s,
				 %3$s,
				 %4$s,
				 %5$s,
				 "completeness":{"complete":false,"missing":[{"path":"model_details.licenses","reason":"no licence"},
				  {"path":"considerations.ethical_considerations","reason":"none given"}]}}""".formatted(revision,
				INCOME_SECTIONS, INCOME_QUANTITATIVE, PROVENANCE, INCOME_GOVERNANCE);
	}

	private String incomeRevisions() {
		List<String> revisions = new ArrayList<>();
		for (int n = this.incomeRevision.get(); n >= 1; n--) {
			revisions
				.add("""
						{"model":"income","version":"1","revision":%d,"content":null,"content_sha256":"5a1b000%d","comment":"%s",
						 "created_at":"2026-12-0%dT08:00:00Z","created_by":"%s"}"""
					.formatted(n, n, (n == 1) ? "shipped" : "edit " + n, Math.min(9, n),
							(n == 1) ? "system" : "admin"));
		}
		return "{\"content\":[" + String.join(",", revisions) + "],\"page\":0,\"size\":50,\"next_page\":null}";
	}

	/**
	 * A fairness check: the threshold must be in [0, 1] and the dataset an evaluation
	 * dataset.
	 */
	private static StubExplainabilityApi.Answer startCheck(String body) {
		JsonNode request = JSON.readTree(body.isEmpty() ? "{}" : body);
		double threshold = request.path("threshold").asDouble(0.5);
		if (threshold < 0 || threshold > 1) {
			return error(400, "validation_failed", "threshold must be between 0 and 1, not " + threshold);
		}
		if (request.path("dataset_id").asString("d-1").equals("d-3")) {
			return error(409, "conflict",
					"dataset d-3 has no evaluation spec: upload it with a label to check fairness");
		}
		return new StubExplainabilityApi.Answer(202,
				"""
						{"id":"fc-3","kind":"fairness","model":"income","version":"1","dataset_id":"d-1","state":"queued","phase":null,
						 "rows_done":0,"rows_total":null,"error":null,"report_id":null,"fairness_report_id":null,"attempt":1,
						 "parameters":%s,"created_by":"admin","created_at":"2026-12-02T12:00:00Z","started_at":null,"finished_at":null}"""
					.formatted(request));
	}

	/**
	 * An evaluation dataset upload: the header must name the label and every sensitive
	 * column, and every row needs a label.
	 */
	private static StubExplainabilityApi.Answer uploadEvaluationDataset(String query, String csv) {
		Map<String, List<String>> parameters = parameters(query);
		String label = parameters.getOrDefault("label", List.of("")).get(0);
		String[] lines = csv.split("\r?\n");
		List<String> header = List.of(lines[0].split(","));
		List<String> evaluation = new ArrayList<>(List.of(label));
		evaluation.addAll(parameters.getOrDefault("sensitive", List.of()));
		List<String> missing = evaluation.stream().filter((column) -> !header.contains(column)).toList();
		if (!missing.isEmpty()) {
			return error(400, "invalid_columns", "the header must name the model's inputs and the evaluation columns "
					+ evaluation + ": missing columns " + missing);
		}
		int labelColumn = header.indexOf(label);
		for (int row = 1; row < lines.length; row++) {
			String[] cells = lines[row].split(",", -1);
			if (labelColumn >= cells.length || cells[labelColumn].isBlank()) {
				return error(400, "invalid_cell", "row " + row + " (line " + (row + 1) + "), column '" + label
						+ "': the label is empty; every row of an evaluation dataset needs one");
			}
		}
		String name = parameters.getOrDefault("name", List.of("upload")).get(0);
		return new StubExplainabilityApi.Answer(201,
				"""
						{"id":"d-8","model":"income","name":"%s","source":"upload","columns":["age"],"row_count":%d,"sha256":"e7a1",
						 "created_at":"2026-12-02T12:00:00Z","created_by":"admin","evaluation":{"label":"%s","sensitive":[]}}"""
					.formatted(name, lines.length - 1, label));
	}

	/**
	 * An edit of the income card: based on the current revision, no text over 5000
	 * characters.
	 */
	private StubExplainabilityApi.Answer editCard(String path, String body) {
		if (!path.equals("/api/admin/models/income/versions/1/model-card")) {
			return error(404, "not_found", "model card not found");
		}
		JsonNode edit = JSON.readTree(body);
		String overview = edit.path("model_details").path("overview").asString("");
		if (overview.length() > 5000) {
			return error(400, "validation_failed", "model_details.overview: at most 5000 characters");
		}
		int current = this.incomeRevision.get();
		if (edit.path("revision").asInt(-1) != current || !this.incomeRevision.compareAndSet(current, current + 1)) {
			return error(409, "stale_revision", "the card is at revision " + current
					+ ", the edit is based on revision " + edit.path("revision").asString("none"));
		}
		return ok(incomeCard(current + 1));
	}

	private StubExplainabilityApi.Answer requestPromotion(String path, String body, String subject) {
		JsonNode request = JSON.readTree(body);
		String model = path.split("/")[4];
		String version = path.split("/")[6];
		if (!request.path("target").asString("").matches("stable|canary")) {
			return error(400, "validation_failed", "target must be stable or canary");
		}
		List<String> overridden = new ArrayList<>();
		for (JsonNode override : request.path("overrides").values()) {
			if (override.path("justification").asString("").length() < 20) {
				return error(400, "validation_failed", "overrides[" + override.path("rule").asString()
						+ "].justification: at least 20 characters of text");
			}
			overridden.add(override.path("rule").asString());
		}
		if (model.equals("income")) {
			List<String> failed = new ArrayList<>(
					List.of("fairness.four_fifths_ratio.sex", "fairness.equalized_odds_difference.sex"));
			failed.removeAll(overridden);
			if (!failed.isEmpty()) {
				ObjectNode refusal = JSON.createObjectNode();
				ObjectNode error = refusal.putObject("error");
				error.put("code", "promotion_refused");
				error.put("message", "the promotion policy of income is not met: " + String.join(", ", failed)
						+ " failed without an override");
				error.put("request_id", "r-409");
				error.put("promotion_request_id", "p-9");
				ArrayNode rules = error.putArray("rules");
				for (JsonNode rule : JSON.readTree(failedIncomeRules()).values()) {
					if (failed.contains(rule.path("rule").asString())) {
						rules.add(rule);
					}
				}
				return new StubExplainabilityApi.Answer(409, refusal.toString());
			}
			return store(request("p-4", "income", version, request, "pending", subject, overriddenIncomeRules(), "[]"));
		}
		return store(request("p-5", model, version, request, "pending", subject, SPAM_RULES, "[]"));
	}

	private StubExplainabilityApi.Answer store(String request) {
		JsonNode stored = JSON.readTree(request);
		this.created.removeIf((other) -> other.path("id").equals(stored.path("id")));
		this.created.add(0, stored);
		return new StubExplainabilityApi.Answer(201, request);
	}

	private StubExplainabilityApi.Answer decide(String id, String action, String body, String subject) {
		JsonNode request = requestById(id);
		if (request == null) {
			return error(404, "not_found", "promotion request " + id + " not found");
		}
		if (!request.path("state").asString().equals("pending")) {
			return error(409, "conflict",
					"promotion request " + id + " is " + request.path("state").asString() + ", not pending");
		}
		String requester = request.path("requested_by").asString();
		JsonNode decision = JSON.readTree(body.isEmpty() ? "{}" : body);
		switch (action) {
			case "approve" -> {
				if (requester.equals(subject)) {
					return error(403, "four_eyes_required",
							"the requester " + subject + " cannot approve their own promotion request");
				}
				ObjectNode approved = (ObjectNode) request.deepCopy();
				approved.put("state", "approved");
				approved.putArray("approvals")
					.addObject()
					.put("approved_by", subject)
					.put("comment", decision.path("comment").asString(""))
					.put("approved_at", "2026-12-03T10:00:00Z");
				approved.put("decided_by", subject);
				approved.put("decided_at", "2026-12-03T10:00:00Z");
				approved.put("decision_comment", decision.path("comment").asString(""));
				approved.put("applied_at", "2026-12-03T10:00:00Z");
				return ok(approved.toString());
			}
			case "reject" -> {
				if (decision.path("comment").asString("").isBlank()) {
					return error(400, "validation_failed", "comment: a rejection needs a comment");
				}
				ObjectNode rejected = (ObjectNode) request.deepCopy();
				rejected.put("state", "rejected");
				return ok(rejected.toString());
			}
			default -> {
				if (!requester.equals(subject)) {
					return error(403, "forbidden", "only the requester " + requester + " may withdraw the request");
				}
				ObjectNode withdrawn = (ObjectNode) request.deepCopy();
				withdrawn.put("state", "withdrawn");
				return ok(withdrawn.toString());
			}
		}
	}

	/** Every request, newest first. */
	private List<JsonNode> allRequests() {
		List<JsonNode> all = new ArrayList<>(this.created);
		all.addAll(fixedRequests());
		return all;
	}

	/** The requests there are from the start. */
	private static List<JsonNode> fixedRequests() {
		JsonNode p3 = JSON.readTree(request("p-3", "income", "1",
				JSON.readTree("{\"target\":\"stable\",\"comment\":\"ship it for the demo\",\"overrides\":[{\"rule\":"
						+ "\"fairness.four_fifths_ratio.sex\",\"justification\":\"" + OVERRIDE_JUSTIFICATION
						+ "\"},{\"rule\":\"fairness.equalized_odds_difference.sex\",\"justification\":\""
						+ OVERRIDE_JUSTIFICATION + "\"}]}"),
				"pending", "admin", overriddenIncomeRules(), "[]"));
		JsonNode p2 = JSON.readTree(request("p-2", "income", "1",
				JSON.readTree("{\"target\":\"canary\",\"canary_weight\":20,\"comment\":\"try a canary\"}"), "refused",
				"reviewer", failedIncomeRules(), "[]"));
		JsonNode p1 = JSON.readTree(request("p-1", "spam", "1",
				JSON.readTree("{\"target\":\"stable\",\"comment\":\"first stable spam\"}"), "approved", "admin",
				SPAM_RULES, """
						[{"approved_by":"reviewer","comment":"rules pass","approved_at":"2026-11-29T10:00:00Z"}]"""));
		// a policy asking for two approvals: the reviewer has given one
		ObjectNode p6 = (ObjectNode) JSON.readTree(request("p-6", "spam", "1",
				JSON.readTree("{\"target\":\"canary\",\"canary_weight\":50,\"comment\":\"half of the calls\"}"),
				"pending", "admin", SPAM_RULES, """
						[{"approved_by":"reviewer","comment":"fine by me","approved_at":"2026-12-03T09:30:00Z"}]"""));
		p6.put("approvals_required", 2);
		p6.remove(List.of("decided_by", "decided_at", "decision_comment", "applied_at"));
		return List.of(p6, p3, p2, p1);
	}

	private JsonNode requestById(String id) {
		return allRequests().stream()
			.filter((request) -> request.path("id").asString().equals(id))
			.findFirst()
			.orElse(null);
	}

	private String requests(String query) {
		Map<String, List<String>> parameters = parameters(query);
		String model = parameters.getOrDefault("model", List.of("")).get(0);
		String state = parameters.getOrDefault("state", List.of("")).get(0);
		List<String> content = allRequests().stream()
			.filter((request) -> model.isEmpty() || request.path("model").asString().equals(model))
			.filter((request) -> state.isEmpty() || request.path("state").asString().equals(state))
			.map(JsonNode::toString)
			.toList();
		return "{\"content\":[" + String.join(",", content) + "],\"page\":0,\"size\":50,\"next_page\":null}";
	}

	private static String request(String id, String model, String version, JsonNode body, String state,
			String requester, String rules, String approvals) {
		ObjectNode request = JSON.createObjectNode();
		request.put("id", id);
		request.put("model", model);
		request.put("version", version);
		request.put("target", body.path("target").asString());
		if (body.has("canary_weight")) {
			request.put("canary_weight", body.path("canary_weight").asInt());
		}
		request.put("comment", body.path("comment").asString(null));
		request.put("state", state);
		request.put("requested_by", requester);
		request.put("requested_at", "2026-12-03T08:30:00Z");
		request.put("policy_sha256", "9011c7");
		request.set("rules", JSON.readTree(rules));
		ArrayNode overrides = request.putArray("overrides");
		body.path("overrides").values().forEach(overrides::add);
		for (JsonNode override : overrides.values()) {
			((ObjectNode) override).put("by", requester).put("at", "2026-12-03T08:30:00Z");
		}
		request.put("overridden", !overrides.isEmpty());
		request.put("evaluated_at", "2026-12-03T08:30:00Z");
		request.set("approvals", JSON.readTree(approvals));
		request.put("approvals_required", 1);
		JsonNode approval = request.path("approvals").path(0);
		if (!approval.isMissingNode()) {
			request.put("decided_by", approval.path("approved_by").asString());
			request.put("decided_at", approval.path("approved_at").asString());
			request.put("decision_comment", approval.path("comment").asString());
			request.put("applied_at", approval.path("approved_at").asString());
		}
		return request.toString();
	}

	static Map<String, List<String>> parameters(String query) {
		Map<String, List<String>> parameters = new java.util.LinkedHashMap<>();
		if (query == null || query.isEmpty()) {
			return parameters;
		}
		for (String pair : query.split("&")) {
			int equals = pair.indexOf('=');
			String name = java.net.URLDecoder.decode((equals < 0) ? pair : pair.substring(0, equals),
					StandardCharsets.UTF_8);
			String value = (equals < 0) ? ""
					: java.net.URLDecoder.decode(pair.substring(equals + 1), StandardCharsets.UTF_8);
			parameters.computeIfAbsent(name, (key) -> new ArrayList<>()).add(value);
		}
		return parameters;
	}

	private static StubExplainabilityApi.Answer ok(String json) {
		return new StubExplainabilityApi.Answer(200, json);
	}

	private static StubExplainabilityApi.Answer error(int status, String code, String message) {
		return new StubExplainabilityApi.Answer(status, JSON.writeValueAsString(
				Map.of("error", Map.of("code", code, "message", message, "request_id", "r-" + status))));
	}

	private static String emptyPage() {
		return "{\"content\":[],\"page\":0,\"size\":50,\"next_page\":null}";
	}

	private static String resource(String name) {
		try (InputStream in = StubGovernanceApi.class.getClassLoader().getResourceAsStream(name)) {
			if (in == null) {
				throw new IllegalStateException(name + " is not on the test class path");
			}
			return new String(in.readAllBytes(), StandardCharsets.UTF_8);
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
	}

}
