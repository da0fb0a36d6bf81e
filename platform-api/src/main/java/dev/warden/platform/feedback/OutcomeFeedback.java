package dev.warden.platform.feedback;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.google.crypto.tink.Aead;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.crypto.PayloadCrypto;
import dev.warden.platform.crypto.PayloadCrypto.FeedbackPart;
import dev.warden.platform.fairness.FairnessDefaults;
import dev.warden.platform.fairness.GroupFairness.Counts;
import dev.warden.platform.feedback.internal.FeedbackParser;
import dev.warden.platform.feedback.internal.FeedbackParser.Outcome;
import dev.warden.platform.feedback.internal.FeedbackStore;
import dev.warden.platform.feedback.internal.FeedbackStore.OutcomeRow;
import dev.warden.platform.feedback.internal.FeedbackStore.WindowKey;
import dev.warden.platform.feedback.internal.PredictedClasses;
import dev.warden.platform.requestlog.LoggedPredictions;
import dev.warden.platform.requestlog.LoggedPredictions.LoggedPrediction;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.tenant.DataKeyDestroyedException;
import dev.warden.platform.tenant.TenantDataKeys;
import dev.warden.platform.tenant.TenantDeleted;

/**
 * Outcome feedback: a tenant reports the true outcome of its earlier predictions
 * ({@code POST /v1/models/{m}[/versions/{v}]:feedback}, answered by the gateway). For
 * each outcome the tenant's own request-log row of that request id is read (same tenant,
 * same model, the named version if any, a 2xx {@code :predict}, {@code :classify},
 * {@code :regress} or {@code /infer} call), its logged answer decrypted inside the
 * platform to take the predicted class of every row ({@link PredictedClasses}: the
 * fairness checks' decision), and, when the labels match the rows, stored: one
 * {@code feedback_outcomes} row (predicted classes and labels encrypted under the
 * tenant's data key, the sensitive attributes encrypted apart) and additive confusion
 * counts per hour of the prediction, overall and per attribute and group, in
 * {@code feedback_windows}, in one transaction. Each outcome is answered on its own:
 * {@code accepted}, or {@code refused} with a reason. Nothing of the logged answer is
 * ever returned. docs/monitoring.md, "Outcome feedback and live quality". Thread-safe.
 */
@Service
public class OutcomeFeedback {

	/** The reasons an outcome is refused, in the answer's {@code reason}. */
	static final String UNKNOWN = "unknown_request_id";

	static final String AMBIGUOUS = "ambiguous_request_id";

	static final String ALREADY = "already_reported";

	static final String ROWS = "rows_mismatch";

	static final String LABEL = "label_out_of_range";

	static final String NOT_RECORDED = "prediction_not_recorded";

	static final String NOT_READABLE = "prediction_not_readable";

	private static final String UNKNOWN_MESSAGE = "no prediction of this model with this request id is in your "
			+ "request log";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private final LoggedPredictions predictions;

	private final TenantDataKeys dataKeys;

	private final FeedbackStore store;

	private final FairnessDefaults fairness;

	private final TransactionTemplate transactions;

	private final LiveQualityReports quality;

	OutcomeFeedback(LoggedPredictions predictions, TenantDataKeys dataKeys, FeedbackStore store,
			FairnessDefaults fairness, PlatformTransactionManager transactions, LiveQualityReports quality) {
		this.quality = quality;
		this.predictions = predictions;
		this.dataKeys = dataKeys;
		this.store = store;
		this.fairness = fairness;
		this.transactions = new TransactionTemplate(transactions);
	}

	/**
	 * Takes one feedback call.
	 * @param submission who reports what
	 * @return the answer (200) and the copy of the request the request log may keep
	 * @throws InvalidFeedbackException for a body that is not a valid feedback request
	 * (400 {@code invalid_feedback}, naming what and where)
	 */
	public Answer submit(Submission submission) {
		List<Outcome> outcomes;
		try {
			outcomes = FeedbackParser.parse(submission.body());
		}
		catch (FeedbackParser.InvalidFeedback ex) {
			throw new InvalidFeedbackException(ex.getMessage());
		}
		Set<String> ids = new LinkedHashSet<>();
		outcomes.forEach((outcome) -> ids.add(outcome.requestId()));
		Map<String, List<LoggedPrediction>> found = new HashMap<>();
		for (LoggedPrediction prediction : this.predictions.find(submission.tenantId(), submission.model(), ids)) {
			found.computeIfAbsent(prediction.requestId(), (id) -> new ArrayList<>()).add(prediction);
		}
		PredictedClasses decide = new PredictedClasses(this.fairness.threshold(), this.fairness.positiveClass());
		Aead aead = null;
		Result[] results = new Result[outcomes.size()];
		List<Candidate> candidates = new ArrayList<>();
		Set<String> seen = new LinkedHashSet<>();
		boolean anyPrediction = false;
		for (int i = 0; i < outcomes.size(); i++) {
			Outcome outcome = outcomes.get(i);
			List<LoggedPrediction> logged = found.getOrDefault(outcome.requestId(), List.of());
			if (submission.version() != null) {
				String named = Long.toString(submission.version());
				logged = logged.stream().filter((p) -> named.equals(p.modelVersion())).toList();
			}
			if (logged.isEmpty()) {
				results[i] = Result.refused(outcome, UNKNOWN, UNKNOWN_MESSAGE);
				continue;
			}
			anyPrediction = true;
			if (logged.size() > 1) {
				results[i] = Result.refused(outcome, AMBIGUOUS,
						"your request log has " + logged.size()
								+ " predictions of this model with this request id; send each prediction with its own "
								+ "X-Request-Id to report its outcome");
				continue;
			}
			LoggedPrediction prediction = logged.get(0);
			if (prediction.outcome() != LoggedPredictions.Answer.DECRYPTED) {
				results[i] = Result.refused(outcome, NOT_RECORDED, "the answer of this prediction is not in the "
						+ "request log (" + prediction.outcome().name().toLowerCase().replace('_', ' ') + ")");
				continue;
			}
			PredictedClasses.Prediction predicted;
			try {
				predicted = decide.read(prediction.answer(), prediction.path());
			}
			catch (PredictedClasses.Unreadable ex) {
				results[i] = Result.refused(outcome, NOT_READABLE, ex.getMessage());
				continue;
			}
			if (predicted.rows() != outcome.labels().size()) {
				results[i] = Result.refused(outcome, ROWS,
						"the prediction has " + predicted.rows() + " row" + ((predicted.rows() == 1) ? "" : "s")
								+ " and the outcome " + outcome.labels().size() + " label"
								+ ((outcome.labels().size() == 1) ? "" : "s") + "; give one label per row");
				continue;
			}
			Integer outOfRange = outOfRange(outcome.labels(), predicted.classCount());
			if (outOfRange != null) {
				results[i] = Result.refused(outcome, LABEL,
						"label " + outcome.labels().get(outOfRange) + " of row " + (outOfRange + 1)
								+ " names no class of this model (it has " + predicted.classCount() + " classes)");
				continue;
			}
			if (!seen.add(outcome.requestId())) {
				results[i] = Result.refused(outcome, ALREADY, "this request id is reported earlier in this call");
				continue;
			}
			if (aead == null) {
				try {
					aead = this.dataKeys.aead(submission.tenantId());
				}
				catch (DataKeyDestroyedException ex) {
					results[i] = Result.refused(outcome, NOT_RECORDED, "the tenant's data key was destroyed");
					continue;
				}
			}
			String version = (prediction.modelVersion() != null) ? prediction.modelVersion() : "";
			candidates.add(new Candidate(i, outcome, prediction, predicted, version,
					row(submission, outcome, prediction, predicted, version, aead)));
		}
		Set<Integer> accepted = store(submission, candidates);
		for (Candidate candidate : candidates) {
			results[candidate.index()] = accepted.contains(candidate.index())
					? Result.accepted(candidate.outcome(), candidate.version(), candidate.predicted().rows())
					: Result.refused(candidate.outcome(), ALREADY,
							"this request id already has feedback; the first feedback counts");
		}
		return new Answer(answer(submission, results), loggedRequest(outcomes), anyPrediction);
	}

	/** The query parameters {@link #summary} takes. */
	public static final List<String> SUMMARY_PARAMETERS = List.of("from", "to", "window", "min_group_size",
			"min_positives");

	/**
	 * The caller's own live quality of a model ({@code GET /v1/models/{m}/feedback}): the
	 * admin API's answer restricted to the caller's tenant.
	 * @param parameters the query parameters (each of {@link #SUMMARY_PARAMETERS} once at
	 * most)
	 * @return the JSON answer
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter, 404 for a
	 * model not granted to the caller and without feedback of its own
	 */
	public byte[] summary(UUID tenantId, String model, Long version, Map<String, String> parameters) {
		for (String name : parameters.keySet()) {
			if (!SUMMARY_PARAMETERS.contains(name)) {
				throw ApiException.badRequest("invalid_parameter",
						"unknown query parameter; this endpoint takes " + String.join(", ", SUMMARY_PARAMETERS));
			}
		}
		ObjectNode report = this.quality.report(model, (version != null) ? Long.toString(version) : null, tenantId,
				true, parameters.get("from"), parameters.get("to"), parameters.get("window"),
				parameters.get("min_group_size"), parameters.get("min_positives"));
		return JSON.writeValueAsBytes(report);
	}

	private static Integer outOfRange(List<Integer> labels, int classCount) {
		if (classCount < 2) {
			return null;
		}
		for (int r = 0; r < labels.size(); r++) {
			if (labels.get(r) >= classCount) {
				return r;
			}
		}
		return null;
	}

	private static OutcomeRow row(Submission submission, Outcome outcome, LoggedPrediction prediction,
			PredictedClasses.Prediction predicted, String version, Aead aead) {
		ObjectNode plain = NODES.objectNode();
		ArrayNode classes = plain.putArray("predicted");
		for (int value : predicted.classes()) {
			classes.add(value);
		}
		ArrayNode labels = plain.putArray("labels");
		outcome.labels().forEach(labels::add);
		try {
			byte[] sealed = PayloadCrypto.encryptFeedback(aead, JSON.writeValueAsBytes(plain), submission.tenantId(),
					submission.model(), outcome.requestId(), FeedbackPart.OUTCOME);
			byte[] attributes = null;
			if (outcome.attributes() != null) {
				attributes = PayloadCrypto.encryptFeedback(aead, JSON.writeValueAsBytes(outcome.attributes()),
						submission.tenantId(), submission.model(), outcome.requestId(), FeedbackPart.ATTRIBUTES);
			}
			return new OutcomeRow(submission.tenantId(), submission.model(), outcome.requestId(), version,
					prediction.occurredAt(), submission.apiKeyId(), predicted.rows(), sealed, attributes);
		}
		catch (GeneralSecurityException ex) {
			throw new IllegalStateException("feedback encryption failed", ex);
		}
	}

	/**
	 * Stores the candidates whose request id has no feedback yet, with their counts, in
	 * one transaction.
	 * @return the indices (in the call) of the outcomes stored
	 */
	private Set<Integer> store(Submission submission, List<Candidate> candidates) {
		if (candidates.isEmpty()) {
			return Set.of();
		}
		int positive = this.fairness.positiveClass();
		return this.transactions.execute((status) -> {
			boolean[] inserted = this.store.insert(candidates.stream().map(Candidate::row).toList());
			Set<Integer> stored = new HashSet<>();
			Map<WindowKey, Counts> deltas = new HashMap<>();
			for (int c = 0; c < candidates.size(); c++) {
				if (!inserted[c]) {
					continue;
				}
				Candidate candidate = candidates.get(c);
				stored.add(candidate.index());
				Instant window = candidate.prediction().occurredAt().truncatedTo(ChronoUnit.HOURS);
				int[] classes = candidate.predicted().classes();
				for (int r = 0; r < classes.length; r++) {
					Counts row = Counts.of(candidate.outcome().labels().get(r) == positive, classes[r] == positive);
					deltas.merge(new WindowKey(submission.model(), window, submission.tenantId(), candidate.version(),
							"", ""), row, Counts::plus);
					if (candidate.outcome().attributes() != null) {
						for (Map.Entry<String, String> attribute : candidate.outcome().attributes().get(r).entrySet()) {
							deltas.merge(
									new WindowKey(submission.model(), window, submission.tenantId(),
											candidate.version(), attribute.getKey(), attribute.getValue()),
									row, Counts::plus);
						}
					}
				}
			}
			this.store.add(deltas);
			return stored;
		});
	}

	private static byte[] answer(Submission submission, Result[] results) {
		ObjectNode root = NODES.objectNode();
		root.put("model", submission.model());
		if (submission.version() != null) {
			root.put("version", Long.toString(submission.version()));
		}
		long accepted = 0;
		ArrayNode list = NODES.arrayNode();
		for (Result result : results) {
			ObjectNode entry = list.addObject();
			entry.put("request_id", result.requestId());
			entry.put("status", result.reason() == null ? "accepted" : "refused");
			if (result.reason() == null) {
				accepted++;
				entry.put("version", result.version());
				entry.put("rows", result.rows());
			}
			else {
				entry.put("reason", result.reason());
				entry.put("message", result.message());
			}
		}
		root.put("accepted", accepted);
		root.put("refused", results.length - accepted);
		root.set("outcomes", list);
		return JSON.writeValueAsBytes(root);
	}

	/**
	 * What the request log keeps of a feedback call: the request ids and labels, never
	 * the sensitive attributes (they are kept apart, in their own encrypted column).
	 */
	private static byte[] loggedRequest(List<Outcome> outcomes) {
		ObjectNode root = NODES.objectNode();
		ArrayNode list = root.putArray("outcomes");
		for (Outcome outcome : outcomes) {
			ObjectNode entry = list.addObject();
			entry.put("request_id", outcome.requestId());
			ArrayNode labels = entry.putArray("labels");
			outcome.labels().forEach(labels::add);
			if (outcome.attributes() != null) {
				entry.put("attributes", "(kept apart, not logged)");
			}
		}
		return JSON.writeValueAsString(root).getBytes(StandardCharsets.UTF_8);
	}

	/**
	 * A deleted tenant's counts go with it, in the deletion's transaction; its
	 * {@code feedback_outcomes} rows stay, unreadable once its data key is destroyed
	 * (like its request-log payloads).
	 */
	@EventListener
	void on(TenantDeleted event) {
		this.store.deleteWindowsOf(event.tenantId());
	}

	/**
	 * One feedback call.
	 *
	 * @param tenantId the caller's tenant
	 * @param apiKeyId the caller's key
	 * @param model the model of the path
	 * @param version the version of the path, or {@code null}
	 * @param body the request body as read
	 */
	public record Submission(UUID tenantId, UUID apiKeyId, String model, Long version, byte[] body) {
	}

	/**
	 * The answer to a feedback call.
	 *
	 * @param json the 200 answer
	 * @param loggedRequest what the request log keeps of the request
	 * @param anyPrediction whether any request id named a prediction of the caller
	 */
	public record Answer(byte[] json, byte[] loggedRequest, boolean anyPrediction) {
	}

	private record Candidate(int index, Outcome outcome, LoggedPrediction prediction,
			PredictedClasses.Prediction predicted, String version, OutcomeRow row) {
	}

	private record Result(String requestId, String version, int rows, String reason, String message) {

		static Result accepted(Outcome outcome, String version, int rows) {
			return new Result(outcome.requestId(), version, rows, null, null);
		}

		static Result refused(Outcome outcome, String reason, String message) {
			return new Result(outcome.requestId(), null, 0, reason, message);
		}

	}

	/** A body that is not a valid feedback request: 400 {@code invalid_feedback}. */
	public static final class InvalidFeedbackException extends RuntimeException {

		InvalidFeedbackException(String message) {
			super(message, null, false, false);
		}

		/** The error code of the answer. */
		public String code() {
			return "invalid_feedback";
		}

	}

}
