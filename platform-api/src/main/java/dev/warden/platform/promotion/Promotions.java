package dev.warden.platform.promotion;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.PropertyNamingStrategies;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.model.ModelCatalogue;
import dev.warden.platform.model.ModelCatalogue.CatalogueVersion;
import dev.warden.platform.promotion.PromotionPolicy.ModelPolicy;
import dev.warden.platform.promotion.PromotionRequest.Approval;
import dev.warden.platform.routing.ModelRouting;
import dev.warden.platform.routing.ModelRouting.ApprovedChange;
import dev.warden.platform.routing.ModelRouting.Routing;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Promotion requests: made by an administrator for a version (the rules are evaluated at
 * once and recorded rule by rule; a failed rule without a justified override refuses the
 * request), approved by other administrators (four eyes: not the requester, not the
 * uploader, as the policy says; the rules are evaluated again; the last approval applies
 * the change through routing in its own transaction and supersedes the other pending
 * requests for the same model and target), rejected by another administrator, or
 * withdrawn by the requester. Every step is one transaction with its audit events
 * ({@code promotion.requested}, {@code promotion.evaluated},
 * {@code promotion.overridden}, {@code promotion.approved}, {@code promotion.applied},
 * {@code promotion.rejected}, {@code promotion.withdrawn}). Thread-safe.
 */
@Service
class Promotions {

	static final String STABLE = "stable";

	static final String CANARY = "canary";

	static final Set<String> STATES = Set.of("pending", "approved", "rejected", "refused", "withdrawn", "superseded");

	static final int MIN_JUSTIFICATION = 20;

	static final int MAX_TEXT = 2000;

	/** Stored JSON and audit details: snake_case keys, no nulls in rule results. */
	static final JsonMapper JSON = JsonMapper.builder()
		.propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
		.build();

	private static final String COLUMNS = "id, model, version, target, canary_weight, state, comment, "
			+ "rule_results::text AS rule_results, overrides::text AS overrides, policy_sha256, evaluated_at, "
			+ "requested_by, requested_at, decided_by, decided_at, decision_comment, applied_at, superseded_by";

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final PromotionPolicies policies;

	private final PromotionRules rules;

	private final ModelRouting routing;

	private final ModelCatalogue catalogue;

	Promotions(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, PromotionPolicies policies,
			PromotionRules rules, ModelRouting routing, ModelCatalogue catalogue) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.policies = policies;
		this.rules = rules;
		this.routing = routing;
		this.catalogue = catalogue;
	}

	/**
	 * Requests the promotion of {@code version} of {@code model}: evaluates every rule
	 * now and stores the request, {@code pending} when every failed rule has an override,
	 * else {@code refused}.
	 * @throws ApiException 400 invalid request or override, 404 unknown model or version,
	 * 409 version not loadable, no stable version for a canary, already stable
	 * @throws PromotionRefused 409 {@code promotion_refused} (stored as refused)
	 */
	PromotionRequest request(String model, long version, NewRequest body, String actor) {
		Target target = validate(body);
		List<Map<String, Object>> overrides = overrides(body.overrides(), actor);
		requireVersion(model, version);
		this.routing.requireRoutable(model, version);
		Routing current = this.routing.routing(model);
		requireApplicable(model, version, target, current);
		PromotionPolicy policy = this.policies.current();
		List<RuleResult> evaluated = this.rules.evaluate(model, version, current.stableVersion(),
				policy.forModel(model).rules());
		requireOverridesOfFailedRules(overrides, evaluated);
		List<RuleResult> results = applyOverrides(evaluated, overrides);
		List<RuleResult> failed = results.stream().filter(RuleResult::isFailed).toList();
		String state = failed.isEmpty() ? "pending" : "refused";
		UUID id = UUID.randomUUID();
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		this.transactions.executeWithoutResult((status) -> {
			this.jdbc
				.sql("INSERT INTO promotion_requests (id, model, version, target, canary_weight, state, comment, "
						+ "rule_results, overrides, policy_sha256, evaluated_at, requested_by, requested_at) VALUES "
						+ "(:id, :model, :version, :target, :weight, :state, :comment, CAST(:rules AS jsonb), "
						+ "CAST(:overrides AS jsonb), :sha, :at, :actor, :at)")
				.param("id", id)
				.param("model", model)
				.param("version", version)
				.param("target", target.name())
				.param("weight", target.weight(), java.sql.Types.INTEGER)
				.param("state", state)
				.param("comment", body.comment())
				.param("rules", JSON.writeValueAsString(results))
				.param("overrides", JSON.writeValueAsString(overrides))
				.param("sha", policy.sha256())
				.param("at", Timestamp.from(now))
				.param("actor", actor)
				.update();
			Map<String, Object> requested = details(id, model, version, target);
			if (body.comment() != null) {
				requested.put("comment", body.comment());
			}
			requested.put("overrides", overrides.size());
			this.audit.append(actor, "promotion.requested", "promotion_request", id.toString(), requested);
			appendEvaluated(actor, id, model, version, target, policy, results, "request", state);
			for (RuleResult result : results) {
				if (result.override() != null) {
					Map<String, Object> overridden = details(id, model, version, target);
					overridden.put("rule", result.rule());
					overridden.put("justification", result.override().get("justification"));
					overridden.put("by", actor);
					overridden.put("rule_message", result.message());
					this.audit.append(actor, "promotion.overridden", "promotion_request", id.toString(), overridden);
				}
			}
		});
		if (!failed.isEmpty()) {
			throw new PromotionRefused(PromotionRefused.REFUSED,
					"the promotion of version " + version + " of model " + model + " is refused (request " + id
							+ " stored as refused): " + failed.size() + " rule(s) failed without an override: "
							+ PromotionRefused.describe(failed),
					failed, id);
		}
		return get(id);
	}

	/**
	 * Approves a pending request as {@code actor}: four eyes, then the rules are
	 * evaluated again; when this is the last approval the policy asks for, the change is
	 * applied through routing in the same transaction.
	 * @throws ApiException 404 unknown request, 403 {@code four_eyes_required}, 409 not
	 * pending or already approved by {@code actor}, 409 from routing (version no longer
	 * loadable)
	 * @throws PromotionRefused 409 {@code promotion_rules_failed} (the request stays
	 * pending; the evaluation is recorded)
	 */
	PromotionRequest approve(UUID id, String comment, String actor) {
		requireText(comment, "comment");
		String model = modelOf(id);
		List<RuleResult> failed = this.transactions.execute((status) -> {
			// approvals of one model are serialised before any row is locked: an applied
			// request locks the model's routing, then supersedes the others' rows
			this.jdbc.sql("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext(:key))) AS locked")
				.param("key", "warden:promotion:" + model)
				.query(Integer.class)
				.single();
			Stored request = lock(id);
			requirePending(request);
			ModelPolicy policy = this.policies.current().forModel(request.model());
			requireFourEyes(request, policy, actor);
			boolean already = this.jdbc
				.sql("SELECT count(*) FROM promotion_approvals WHERE request_id = :id AND approved_by = :actor")
				.param("id", id)
				.param("actor", actor)
				.query(Long.class)
				.single() > 0;
			if (already) {
				throw new ApiException(HttpStatus.CONFLICT, "already_approved",
						actor + " has already approved promotion request " + id + "; another administrator must");
			}
			List<RuleResult> results = reevaluate(request, actor);
			List<RuleResult> stillFailing = results.stream().filter(RuleResult::isFailed).toList();
			if (!stillFailing.isEmpty()) {
				return stillFailing;
			}
			Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
			this.jdbc
				.sql("INSERT INTO promotion_approvals (request_id, approved_by, comment, approved_at) "
						+ "VALUES (:id, :actor, :comment, :at)")
				.param("id", id)
				.param("actor", actor)
				.param("comment", comment)
				.param("at", Timestamp.from(now))
				.update();
			long approvals = this.jdbc.sql("SELECT count(*) FROM promotion_approvals WHERE request_id = :id")
				.param("id", id)
				.query(Long.class)
				.single();
			int required = policy.rules().approvals().required();
			Map<String, Object> approved = details(id, request.model(), request.version(), request.target());
			approved.put("approvals", approvals);
			approved.put("required", required);
			if (comment != null) {
				approved.put("comment", comment);
			}
			this.audit.append(actor, "promotion.approved", "promotion_request", id.toString(), approved);
			if (approvals >= required) {
				apply(request, comment, actor, now);
			}
			return List.of();
		});
		if (!failed.isEmpty()) {
			throw new PromotionRefused(PromotionRefused.RULES_FAILED,
					"promotion request " + id + " cannot be approved now, it stays pending: " + failed.size()
							+ " rule(s) fail without an override: " + PromotionRefused.describe(failed),
					failed, id);
		}
		return get(id);
	}

	/**
	 * Rejects a pending request; the comment (why) is required.
	 * @throws ApiException 400 no comment, 404, 403 the requester (who withdraws
	 * instead), 409 not pending
	 */
	PromotionRequest reject(UUID id, String comment, String actor) {
		if (comment == null || comment.isBlank()) {
			throw ApiException.badRequest("comment_required",
					"comment: say why the promotion is rejected (it is kept with the request and audited)");
		}
		requireText(comment, "comment");
		decide(id, actor, "rejected", comment, "promotion.rejected", (request) -> {
			if (request.requestedBy().equals(actor)) {
				throw new ApiException(HttpStatus.FORBIDDEN, "four_eyes_required",
						"you requested promotion request " + id
								+ ": another administrator rejects it; withdraw it with "
								+ "POST /api/admin/promotion-requests/" + id + "/withdraw");
			}
		});
		return get(id);
	}

	/**
	 * Withdraws a pending request; only its requester may.
	 * @throws ApiException 404, 403 {@code not_requester}, 409 not pending
	 */
	PromotionRequest withdraw(UUID id, String comment, String actor) {
		requireText(comment, "comment");
		decide(id, actor, "withdrawn", comment, "promotion.withdrawn", (request) -> {
			if (!request.requestedBy().equals(actor)) {
				throw new ApiException(HttpStatus.FORBIDDEN, "not_requester", "only " + request.requestedBy()
						+ ", who requested it, may withdraw promotion request " + id + "; reject it instead");
			}
		});
		return get(id);
	}

	/**
	 * What the rules say about a version now, without storing anything (a dry run of a
	 * request, without overrides).
	 * @throws ApiException 404 unknown model or version
	 */
	Evaluation evaluate(String model, long version) {
		requireVersion(model, version);
		PromotionPolicy policy = this.policies.current();
		ModelPolicy own = policy.forModel(model);
		Routing current = this.routing.routing(model);
		return new Evaluation(model, version, policy.sha256(), own.requireApproval(),
				own.maxCanaryWeightWithoutApproval(), own.rules().approvals().required(), current.stableVersion(),
				this.rules.evaluate(model, version, current.stableVersion(), own.rules()));
	}

	/** The policy in force: its SHA-256, where it was read, and its content as parsed. */
	Map<String, Object> policy() {
		PromotionPolicy policy = this.policies.current();
		Map<String, Object> out = new LinkedHashMap<>();
		out.put("sha256", policy.sha256());
		out.put("source", policy.source());
		out.put("policy", policy.describe());
		return out;
	}

	/**
	 * @throws ApiException 404 unknown request
	 */
	PromotionRequest get(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM promotion_requests WHERE id = :id")
			.param("id", id)
			.query((rs, row) -> stored(rs))
			.optional()
			.map((stored) -> view(stored, approvals(List.of(id)).getOrDefault(id, List.of())))
			.orElseThrow(() -> ApiException.notFound("promotion request " + id));
	}

	/**
	 * One page of requests, newest first, optionally of one model and in one state.
	 * @throws ApiException 400 unknown state
	 */
	Page<PromotionRequest> list(String model, String state, PageRequest page) {
		if (state != null && !STATES.contains(state)) {
			throw ApiException.badRequest("invalid_parameter",
					"state: '" + state + "' is not a state, expected one of " + new java.util.TreeSet<>(STATES));
		}
		List<Stored> stored = this.jdbc
			.sql("SELECT " + COLUMNS
					+ " FROM promotion_requests WHERE (CAST(:model AS text) IS NULL OR model = :model) "
					+ "AND (CAST(:state AS text) IS NULL OR state = :state) ORDER BY requested_at DESC, id "
					+ "OFFSET :offset LIMIT :limit")
			.param("model", model)
			.param("state", state)
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs, row) -> stored(rs))
			.list();
		return Page.of(views(stored), page);
	}

	/** Every request for one version, oldest first (the model card's history). */
	List<PromotionRequest> ofVersion(String model, long version) {
		List<Stored> stored = this.jdbc
			.sql("SELECT " + COLUMNS + " FROM promotion_requests WHERE model = :model AND version = :version "
					+ "ORDER BY requested_at, id")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> stored(rs))
			.list();
		return views(stored);
	}

	private Target validate(NewRequest body) {
		if (body == null || body.target() == null) {
			throw ApiException.badRequest("invalid_promotion_request",
					"send {\"target\": \"stable\"} or "
							+ "{\"target\": \"canary\", \"canary_weight\": 1..100}, optionally with \"comment\" and "
							+ "\"overrides\": [{\"rule\": \"<rule id>\", \"justification\": \"...\"}]");
		}
		requireText(body.comment(), "comment");
		return switch (body.target()) {
			case STABLE -> {
				if (body.canaryWeight() != null) {
					throw ApiException.badRequest("invalid_promotion_request",
							"canary_weight: only a canary has a weight; leave it out for target stable");
				}
				yield new Target(STABLE, null);
			}
			case CANARY -> {
				if (body.canaryWeight() == null || body.canaryWeight() < 1 || body.canaryWeight() > 100) {
					throw ApiException.badRequest("invalid_promotion_request",
							"canary_weight: required for target canary, a whole percent from 1 to 100");
				}
				yield new Target(CANARY, body.canaryWeight());
			}
			default -> throw ApiException.badRequest("invalid_promotion_request",
					"target: '" + body.target() + "' is not a target, expected stable or canary");
		};
	}

	/** The overrides as stored: each names a rule once, with a written justification. */
	private static List<Map<String, Object>> overrides(List<OverrideRequest> requested, String actor) {
		if (requested == null) {
			return List.of();
		}
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		Set<String> seen = new HashSet<>();
		List<Map<String, Object>> overrides = new ArrayList<>();
		for (OverrideRequest override : requested) {
			if (override == null || override.rule() == null || override.rule().isBlank()) {
				throw ApiException.badRequest("invalid_override",
						"overrides: every override names a \"rule\" (its id, e.g. fairness.four_fifths_ratio.sex)");
			}
			String justification = (override.justification() != null) ? override.justification().strip() : "";
			if (justification.length() < MIN_JUSTIFICATION) {
				throw ApiException.badRequest("justification_required",
						"overrides: the override of " + override.rule() + " needs a written justification of at least "
								+ MIN_JUSTIFICATION + " characters (why promoting despite it is right)");
			}
			if (justification.length() > MAX_TEXT) {
				throw ApiException.badRequest("invalid_override", "overrides: the justification of " + override.rule()
						+ " is longer than " + MAX_TEXT + " characters");
			}
			if (!seen.add(override.rule())) {
				throw ApiException.badRequest("invalid_override",
						"overrides: " + override.rule() + " is overridden twice");
			}
			Map<String, Object> stored = new LinkedHashMap<>();
			stored.put("rule", override.rule());
			stored.put("justification", justification);
			stored.put("by", actor);
			stored.put("at", now.toString());
			overrides.add(stored);
		}
		return List.copyOf(overrides);
	}

	private static void requireOverridesOfFailedRules(List<Map<String, Object>> overrides, List<RuleResult> results) {
		Map<String, RuleResult> byRule = new LinkedHashMap<>();
		results.forEach((result) -> byRule.put(result.rule(), result));
		for (Map<String, Object> override : overrides) {
			RuleResult result = byRule.get((String) override.get("rule"));
			if (result == null) {
				throw ApiException.badRequest("invalid_override", "overrides: there is no rule " + override.get("rule")
						+ " for this version; its rules are " + byRule.keySet());
			}
			if (!result.isFailed()) {
				throw ApiException.badRequest("invalid_override",
						"overrides: rule " + result.rule() + " passed; only a failed rule can be overridden");
			}
		}
	}

	/** The results with every failed rule that has an override marked overridden. */
	private static List<RuleResult> applyOverrides(List<RuleResult> results, List<Map<String, Object>> overrides) {
		Map<String, Map<String, Object>> byRule = new HashMap<>();
		overrides.forEach((override) -> byRule.put((String) override.get("rule"), override));
		List<RuleResult> applied = new ArrayList<>();
		for (RuleResult result : results) {
			Map<String, Object> override = byRule.get(result.rule());
			if (result.isFailed() && override != null) {
				Map<String, Object> copy = new LinkedHashMap<>(override);
				copy.remove("rule");
				applied.add(result.overriddenBy(copy));
			}
			else {
				applied.add(result);
			}
		}
		return List.copyOf(applied);
	}

	private void requireVersion(String model, long version) {
		if (this.catalogue.version(model, version).isEmpty()) {
			throw ApiException.notFound("version " + version + " of model " + model);
		}
	}

	private static void requireApplicable(String model, long version, Target target, Routing current) {
		if (STABLE.equals(target.name()) && Objects.equals(current.stableVersion(), version)) {
			throw new ApiException(HttpStatus.CONFLICT, "already_stable",
					"version " + version + " is already the stable version of model " + model);
		}
		if (CANARY.equals(target.name())) {
			if (current.stableVersion() == null) {
				throw new ApiException(HttpStatus.CONFLICT, "no_stable_version", "model " + model
						+ " has no stable version for a canary to take calls from: request target stable first");
			}
			if (current.stableVersion() == version) {
				throw new ApiException(HttpStatus.CONFLICT, "invalid_target", "version " + version
						+ " is the stable version of model " + model + "; it cannot be its canary");
			}
		}
	}

	private static void requireText(String text, String field) {
		if (text != null && text.length() > MAX_TEXT) {
			throw ApiException.badRequest("invalid_promotion_request", field + ": at most " + MAX_TEXT + " characters");
		}
	}

	private static void requirePending(Stored request) {
		if (!"pending".equals(request.state())) {
			throw new ApiException(HttpStatus.CONFLICT, "not_pending",
					"promotion request " + request.id() + " is " + request.state() + ", not pending");
		}
	}

	private void requireFourEyes(Stored request, ModelPolicy policy, String actor) {
		PromotionPolicy.Approvals approvals = policy.rules().approvals();
		if (approvals.distinctFromRequester() && request.requestedBy().equals(actor)) {
			throw new ApiException(HttpStatus.FORBIDDEN, "four_eyes_required",
					"you requested promotion request " + request.id()
							+ ": an administrator other than the requester must approve it "
							+ "(policies/promotion.yaml: approvals.distinct_from_requester)");
		}
		if (approvals.distinctFromUploader()) {
			String uploader = this.catalogue.version(request.model(), request.version())
				.map(CatalogueVersion::uploadedBy)
				.orElse(null);
			if (actor.equals(uploader)) {
				throw new ApiException(HttpStatus.FORBIDDEN, "four_eyes_required",
						"you uploaded version " + request.version() + " of model " + request.model()
								+ ": an administrator other than the uploader must approve its promotion "
								+ "(policies/promotion.yaml: approvals.distinct_from_uploader)");
			}
		}
	}

	/**
	 * Evaluates the request's rules again with the policy in force and its overrides,
	 * stores the result and audits it, in the caller's transaction.
	 */
	private List<RuleResult> reevaluate(Stored request, String actor) {
		PromotionPolicy policy = this.policies.current();
		Routing current = this.routing.routing(request.model());
		List<RuleResult> evaluated = this.rules.evaluate(request.model(), request.version(), current.stableVersion(),
				policy.forModel(request.model()).rules());
		List<Map<String, Object>> overrides = new ArrayList<>();
		for (JsonNode override : JSON.readTree(request.overridesJson())) {
			Map<String, Object> stored = new LinkedHashMap<>();
			override.properties().forEach((field) -> stored.put(field.getKey(), field.getValue().asString()));
			overrides.add(stored);
		}
		List<RuleResult> results = applyOverrides(evaluated, overrides);
		Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
		this.jdbc
			.sql("UPDATE promotion_requests SET rule_results = CAST(:rules AS jsonb), policy_sha256 = :sha, "
					+ "evaluated_at = :at WHERE id = :id")
			.param("rules", JSON.writeValueAsString(results))
			.param("sha", policy.sha256())
			.param("at", Timestamp.from(now))
			.param("id", request.id())
			.update();
		boolean failing = results.stream().anyMatch(RuleResult::isFailed);
		appendEvaluated(actor, request.id(), request.model(), request.version(), request.target(), policy, results,
				"approval", failing ? "still_pending" : "passed");
		return results;
	}

	/** Applies an approved request through routing and supersedes the others. */
	private void apply(Stored request, String comment, String actor, Instant now) {
		Target target = request.target();
		ApprovedChange change = STABLE.equals(target.name())
				? ApprovedChange.stable(request.version(), "promotion-request:" + request.id())
				: ApprovedChange.canary(request.version(), target.weight(), "promotion-request:" + request.id());
		Routing before = this.routing.routing(request.model());
		Routing after = this.routing.applyApproved(request.model(), change, actor);
		this.jdbc
			.sql("UPDATE promotion_requests SET state = 'approved', decided_by = :actor, decided_at = :at, "
					+ "decision_comment = :comment, applied_at = :at WHERE id = :id")
			.param("actor", actor)
			.param("at", Timestamp.from(now))
			.param("comment", comment)
			.param("id", request.id())
			.update();
		List<String> superseded = this.jdbc
			.sql("UPDATE promotion_requests SET state = 'superseded', superseded_by = :id, decided_by = :actor, "
					+ "decided_at = :at WHERE model = :model AND target = :target AND state = 'pending' AND id <> :id "
					+ "RETURNING id::text")
			.param("id", request.id())
			.param("actor", actor)
			.param("at", Timestamp.from(now))
			.param("model", request.model())
			.param("target", target.name())
			.query(String.class)
			.list();
		Map<String, Object> applied = details(request.id(), request.model(), request.version(), target);
		applied.put("stable_version_before", (before.stableVersion() != null) ? before.stableVersion() : "none");
		applied.put("stable_version_after", (after.stableVersion() != null) ? after.stableVersion() : "none");
		applied.put("canary_after", (after.canary() != null)
				? Map.of("version", after.canary().version(), "weight", after.canary().weight()) : "none");
		applied.put("superseded", superseded);
		this.audit.append(actor, "promotion.applied", "promotion_request", request.id().toString(), applied);
	}

	/** Moves a pending request to a final state, audited, after {@code check}. */
	private void decide(UUID id, String actor, String state, String comment, String action,
			java.util.function.Consumer<Stored> check) {
		this.transactions.executeWithoutResult((status) -> {
			Stored request = lock(id);
			requirePending(request);
			check.accept(request);
			this.jdbc
				.sql("UPDATE promotion_requests SET state = :state, decided_by = :actor, decided_at = :at, "
						+ "decision_comment = :comment WHERE id = :id")
				.param("state", state)
				.param("actor", actor)
				.param("at", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
				.param("comment", comment)
				.param("id", id)
				.update();
			Map<String, Object> details = details(id, request.model(), request.version(), request.target());
			if (comment != null) {
				details.put("comment", comment);
			}
			this.audit.append(actor, action, "promotion_request", id.toString(), details);
		});
	}

	private void appendEvaluated(String actor, UUID id, String model, long version, Target target,
			PromotionPolicy policy, List<RuleResult> results, String occasion, String outcome) {
		Map<String, Object> details = details(id, model, version, target);
		details.put("occasion", occasion);
		details.put("outcome", outcome);
		details.put("policy_sha256", policy.sha256());
		details.put("rules", JSON.convertValue(results, List.class));
		this.audit.append(actor, "promotion.evaluated", "promotion_request", id.toString(), details);
	}

	private static Map<String, Object> details(UUID id, String model, long version, Target target) {
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("promotion_request_id", id.toString());
		details.put("model", model);
		details.put("version", version);
		details.put("target", target.name());
		if (target.weight() != null) {
			details.put("canary_weight", target.weight());
		}
		return details;
	}

	private String modelOf(UUID id) {
		return this.jdbc.sql("SELECT model FROM promotion_requests WHERE id = :id")
			.param("id", id)
			.query(String.class)
			.optional()
			.orElseThrow(() -> ApiException.notFound("promotion request " + id));
	}

	private Stored lock(UUID id) {
		return this.jdbc.sql("SELECT " + COLUMNS + " FROM promotion_requests WHERE id = :id FOR UPDATE")
			.param("id", id)
			.query((rs, row) -> stored(rs))
			.optional()
			.orElseThrow(() -> ApiException.notFound("promotion request " + id));
	}

	private List<PromotionRequest> views(List<Stored> stored) {
		Map<UUID, List<Approval>> approvals = approvals(stored.stream().map(Stored::id).toList());
		return stored.stream().map((s) -> view(s, approvals.getOrDefault(s.id(), List.of()))).toList();
	}

	private Map<UUID, List<Approval>> approvals(List<UUID> ids) {
		Map<UUID, List<Approval>> byRequest = new HashMap<>();
		if (ids.isEmpty()) {
			return byRequest;
		}
		this.jdbc
			.sql("SELECT request_id, approved_by, comment, approved_at FROM promotion_approvals "
					+ "WHERE request_id IN (:ids) ORDER BY approved_at, approved_by")
			.param("ids", ids)
			.query((rs) -> {
				byRequest.computeIfAbsent(rs.getObject("request_id", UUID.class), (k) -> new ArrayList<>())
					.add(new Approval(rs.getString("approved_by"), rs.getString("comment"),
							rs.getTimestamp("approved_at").toInstant()));
			});
		return byRequest;
	}

	private PromotionRequest view(Stored stored, List<Approval> approvals) {
		JsonNode rules = JSON.readTree(stored.rulesJson());
		boolean overridden = false;
		for (JsonNode rule : rules) {
			overridden |= RuleResult.OVERRIDDEN.equals(rule.path("status").asString());
		}
		int required = this.policies.current().forModel(stored.model()).rules().approvals().required();
		return new PromotionRequest(stored.id(), stored.model(), stored.version(), stored.target().name(),
				stored.target().weight(), stored.state(), stored.comment(), rules,
				JSON.readTree(stored.overridesJson()), overridden, stored.policySha256(), stored.evaluatedAt(),
				stored.requestedBy(), stored.requestedAt(), List.copyOf(approvals), required, stored.decidedBy(),
				stored.decidedAt(), stored.decisionComment(), stored.appliedAt(), stored.supersededBy());
	}

	private static Stored stored(ResultSet rs) throws SQLException {
		int weight = rs.getInt("canary_weight");
		Integer canaryWeight = rs.wasNull() ? null : weight;
		return new Stored(rs.getObject("id", UUID.class), rs.getString("model"), rs.getLong("version"),
				new Target(rs.getString("target"), canaryWeight), rs.getString("state"), rs.getString("comment"),
				rs.getString("rule_results"), rs.getString("overrides"), rs.getString("policy_sha256"),
				instant(rs, "evaluated_at"), rs.getString("requested_by"), instant(rs, "requested_at"),
				rs.getString("decided_by"), instant(rs, "decided_at"), rs.getString("decision_comment"),
				instant(rs, "applied_at"), rs.getObject("superseded_by", UUID.class));
	}

	private static Instant instant(ResultSet rs, String column) throws SQLException {
		Timestamp value = rs.getTimestamp(column);
		return (value != null) ? value.toInstant() : null;
	}

	/** What a request asks for: {@code stable}, or {@code canary} at a weight. */
	record Target(String name, Integer weight) {
	}

	private record Stored(UUID id, String model, long version, Target target, String state, String comment,
			String rulesJson, String overridesJson, String policySha256, Instant evaluatedAt, String requestedBy,
			Instant requestedAt, String decidedBy, Instant decidedAt, String decisionComment, Instant appliedAt,
			UUID supersededBy) {
	}

	/**
	 * Body of {@code POST /api/admin/models/{m}/versions/{v}/promotion-requests}.
	 *
	 * @param target {@code stable} or {@code canary}
	 * @param canaryWeight for a canary: its percent of calls naming no version, 1 to 100
	 * @param comment why (optional)
	 * @param overrides failed rules to let through, each with a written justification
	 */
	record NewRequest(String target, Integer canaryWeight, @dev.warden.platform.system.MultilineText String comment,
			List<OverrideRequest> overrides) {
	}

	/**
	 * An override: let the failed rule {@code rule} through, for the reason given.
	 *
	 * @param rule the rule's id, as the evaluation names it
	 * @param justification why, at least 20 characters
	 */
	record OverrideRequest(String rule, @dev.warden.platform.system.MultilineText String justification) {
	}

	/**
	 * What the rules say about a version now (nothing stored).
	 *
	 * @param model the model
	 * @param version the version
	 * @param policySha256 the SHA-256 of the policy in force
	 * @param requireApproval whether the model's stable changes and canary increases need
	 * an approved request
	 * @param maxCanaryWeightWithoutApproval the highest canary weight set directly
	 * @param approvalsRequired approvals a request needs
	 * @param stableVersion the stable version compared with, or {@code null}
	 * @param rules rule by rule
	 */
	record Evaluation(String model, long version, String policySha256, boolean requireApproval,
			int maxCanaryWeightWithoutApproval, int approvalsRequired, Long stableVersion, List<RuleResult> rules) {
	}

}
