package dev.warden.platform.modelcard;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.explainability.ExplainabilityReport;
import dev.warden.platform.explainability.ExplainabilityReports;
import dev.warden.platform.fairness.FairnessReport;
import dev.warden.platform.fairness.FairnessReports;
import dev.warden.platform.modelcard.internal.AnnexIv;
import dev.warden.platform.modelcard.internal.CardDigest;
import dev.warden.platform.modelcard.internal.CardPdf;
import dev.warden.platform.modelcard.internal.CardSchema;
import dev.warden.platform.modelcard.internal.Completeness;
import dev.warden.platform.modelcard.internal.QuantitativeAnalysis;
import dev.warden.platform.modelcard.internal.QuantitativeAnalysis.SourceReport;
import dev.warden.platform.modelcard.internal.ShippedCards;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

/**
 * Model cards of model versions (docs/governance.md#model-cards). A card is composed
 * whenever it is read: the latest revision of its edited sections
 * ({@code model_card_revisions}), the facts the platform knows about the version, the
 * quantitative analysis from the version's latest fairness and explainability reports,
 * the governance sections of every {@link ModelCardContributor}, and its completeness.
 * <p>
 * A version's card is created the first time it is read or edited, as revision 1 by
 * {@code system}: the latest revision of the nearest earlier version of the model that
 * has a card (comment {@code carried over from version N}), else the card the model ships
 * with (comment {@code shipped}), else empty. Replicas that create it at once insert the
 * same key; one wins, the others read its row. Every edit is a new revision, written only
 * when it is based on the latest one (409 {@code stale_revision} otherwise), with its
 * audit event in the same transaction. Thread-safe.
 */
@Service
public class ModelCards {

	private static final Logger log = LoggerFactory.getLogger(ModelCards.class);

	/** The keys of an edit besides the sections. */
	static final List<String> EDIT_KEYS = List.of("revision", "comment");

	/** Longest comment of an edit. */
	static final int MAX_COMMENT = 1_000;

	/** The export's format name and version. */
	static final String EXPORT_FORMAT = "warden-model-card/1";

	/** The Model Card Toolkit JSON schema whose field names the export uses. */
	static final String MCT_SCHEMA_VERSION = "0.0.2";

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

	private static final String REVISION_COLUMNS = "model, version, revision, content::text AS content, "
			+ "content_sha256, comment, created_at, created_by";

	private final JdbcClient jdbc;

	private final AuditTrail audit;

	private final FairnessReports fairnessReports;

	private final ExplainabilityReports explainabilityReports;

	private final ObjectProvider<ModelCardContributor> contributors;

	ModelCards(JdbcClient jdbc, AuditTrail audit, FairnessReports fairnessReports,
			ExplainabilityReports explainabilityReports, ObjectProvider<ModelCardContributor> contributors) {
		this.jdbc = jdbc;
		this.audit = audit;
		this.fairnessReports = fairnessReports;
		this.explainabilityReports = explainabilityReports;
		this.contributors = contributors;
	}

	/**
	 * The fields a complete card must have and this version's card lacks (paths such as
	 * {@code considerations.limitations}); empty when the card is complete. Writes
	 * nothing, so it may be called in any transaction, read-only ones included: a card
	 * that was never read is judged by the content it will start with.
	 * @throws ApiException 404 unknown model or version
	 */
	@Transactional(readOnly = true)
	public List<String> missingSections(String model, long version) {
		VersionFacts facts = facts(model, version);
		JsonNode content = latest(model, version).map(ModelCardRevision::content)
			.orElseGet(() -> initial(facts.model(), facts.version()).content());
		boolean fairness = this.fairnessReports.latest(model, version).isPresent();
		return Completeness.missing(content, fairness).stream().map(Completeness.Missing::path).toList();
	}

	/**
	 * The composed card (docs/governance.md#model-cards).
	 * @throws ApiException 404 unknown model or version
	 */
	@Transactional
	public ObjectNode card(String model, long version) {
		VersionFacts facts = facts(model, version);
		return compose(facts, ensureCard(facts));
	}

	/**
	 * Writes a new revision from an edit
	 * {@code {"revision": <the one it is based on>, "comment": "...", "model_details":
	 * {...}, "model_parameters": {...}, "considerations": {...}}} (a section left out is
	 * written empty) and answers the composed card.
	 * @throws ApiException 400 {@code invalid_model_card} naming the field, 404 unknown
	 * version, 409 {@code stale_revision} when the card changed since that revision
	 */
	@Transactional
	public ObjectNode edit(String model, long version, JsonNode body, String actor) {
		ObjectNode content = CardSchema.content(body, EDIT_KEYS);
		int basedOn = basedOn(body);
		String comment = comment(body);
		VersionFacts facts = facts(model, version);
		ModelCardRevision latest = ensureCard(facts);
		if (latest.revision() != basedOn) {
			throw stale(model, version, latest.revision(), basedOn);
		}
		int next = basedOn + 1;
		String digest = CardDigest.sha256(content);
		if (!insert(model, version, next, content, digest, comment, actor)) {
			throw stale(model, version, next, basedOn);
		}
		Map<String, Object> details = new LinkedHashMap<>();
		details.put("model", model);
		details.put("version", version);
		details.put("revision", next);
		details.put("based_on", basedOn);
		details.put("content_sha256", digest);
		details.put("comment", comment);
		this.audit.append(actor, "model_card.edited", "model_card", model + "/" + version, details);
		return compose(facts, revisionOf(model, version, next).orElseThrow());
	}

	/**
	 * A page of the card's revisions, newest first, without their content.
	 * @throws ApiException 404 unknown model or version
	 */
	@Transactional
	public Page<ModelCardRevision> revisions(String model, long version, PageRequest page) {
		ensureCard(facts(model, version));
		return Page.of(this.jdbc
			.sql("SELECT model, version, revision, NULL AS content, content_sha256, comment, created_at, created_by "
					+ "FROM model_card_revisions WHERE model = :model AND version = :version "
					+ "ORDER BY revision DESC OFFSET :offset LIMIT :limit")
			.param("model", model)
			.param("version", version)
			.param("offset", page.offset())
			.param("limit", page.fetchSize())
			.query((rs, row) -> revision(rs))
			.list(), page);
	}

	/**
	 * One revision with its content.
	 * @throws ApiException 404 unknown model, version or revision
	 */
	@Transactional
	public ModelCardRevision revision(String model, long version, int revision) {
		ensureCard(facts(model, version));
		return revisionOf(model, version, revision).orElseThrow(() -> ApiException
			.notFound("revision " + revision + " of the model card of version " + version + " of model " + model));
	}

	/**
	 * The card for other tools: {@code model_card} with the Model Card Toolkit's field
	 * names, beside the provenance, governance, overrides, completeness and the EU AI Act
	 * Annex IV mapping (docs/governance.md#model-cards).
	 * @throws ApiException 404 unknown model or version
	 */
	@Transactional
	public ObjectNode export(String model, long version) {
		ObjectNode card = card(model, version);
		ObjectNode export = NODES.objectNode();
		export.put("format", EXPORT_FORMAT);
		for (String key : List.of("model", "version", "revision", "content_sha256", "revision_comment",
				"revision_created_at", "revision_created_by")) {
			export.set(key, card.get(key));
		}
		export.put("exported_at", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
		ObjectNode mct = export.putObject("model_card");
		mct.put("schema_version", MCT_SCHEMA_VERSION);
		mct.set("model_details", card.get("model_details"));
		ObjectNode parameters = (ObjectNode) card.get("model_parameters").deepCopy();
		for (JsonNode dataset : parameters.path("data")) {
			JsonNode attributes = dataset.path("sensitive").path("sensitive_attributes");
			if (attributes.isArray()) {
				// the name of the list in the toolkit's JSON schema
				((ObjectNode) dataset.get("sensitive")).set("sensitive_data", attributes.deepCopy());
			}
		}
		mct.set("model_parameters", parameters);
		ObjectNode analysis = mct.putObject("quantitative_analysis");
		JsonNode computed = card.get("quantitative_analysis");
		analysis.set("performance_metrics", computed.get("performance_metrics"));
		analysis.set("graphics", computed.get("graphics"));
		mct.set("considerations", card.get("considerations"));
		ObjectNode details = export.putObject("quantitative_details");
		computed.properties().forEach((entry) -> {
			if (!entry.getKey().equals("performance_metrics") && !entry.getKey().equals("graphics")) {
				details.set(entry.getKey(), entry.getValue());
			}
		});
		for (String key : List.of("provenance", "governance", "overrides", "completeness")) {
			export.set(key, card.get(key));
		}
		ObjectNode annex = export.putObject("annex_iv");
		annex.put("scope", AnnexIv.SCOPE);
		annex.set("sections", AnnexIv.map(card));
		return export;
	}

	/**
	 * The export as a PDF.
	 * @throws ApiException 404 unknown model or version
	 */
	@Transactional
	public byte[] pdf(String model, long version) {
		return CardPdf.render(export(model, version));
	}

	// ---- the card's revisions ----

	private ModelCardRevision ensureCard(VersionFacts facts) {
		Optional<ModelCardRevision> latest = latest(facts.model(), facts.version());
		if (latest.isPresent()) {
			return latest.get();
		}
		Initial initial = initial(facts.model(), facts.version());
		String digest = CardDigest.sha256(initial.content());
		if (insert(facts.model(), facts.version(), 1, initial.content(), digest, initial.comment(),
				AuditTrail.SYSTEM_ACTOR)) {
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", facts.model());
			details.put("version", facts.version());
			details.put("revision", 1);
			details.put("content_sha256", digest);
			details.put("comment", initial.comment());
			this.audit.append(AuditTrail.SYSTEM_ACTOR, "model_card.created", "model_card",
					facts.model() + "/" + facts.version(), details);
		}
		// another replica may have written revision 1 first: its row is committed now
		return latest(facts.model(), facts.version()).orElseThrow();
	}

	/**
	 * What a new card starts from: the nearest earlier version's latest revision (without
	 * its {@code version.diff}, which describes that version), the shipped card, or
	 * nothing.
	 */
	private Initial initial(String model, long version) {
		Optional<ModelCardRevision> earlier = this.jdbc
			.sql("SELECT " + REVISION_COLUMNS + " FROM model_card_revisions WHERE model = :model "
					+ "AND version < :version ORDER BY version DESC, revision DESC LIMIT 1")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> revision(rs))
			.optional();
		if (earlier.isPresent()) {
			ObjectNode content = (ObjectNode) earlier.get().content().deepCopy();
			JsonNode versionDetails = content.path("model_details").path("version");
			if (versionDetails.isObject()) {
				((ObjectNode) versionDetails).remove("diff");
				if (versionDetails.isEmpty()) {
					((ObjectNode) content.get("model_details")).remove("version");
				}
			}
			return new Initial(content, "carried over from version " + earlier.get().version());
		}
		Optional<ObjectNode> shipped = ShippedCards.of(model);
		if (shipped.isPresent()) {
			return new Initial(shipped.get(), "shipped");
		}
		return new Initial(CardSchema.content(NODES.objectNode(), List.of()),
				"empty: no earlier version of the model has a card and the model ships none");
	}

	/** Inserts a revision; {@code false} when that revision exists already. */
	private boolean insert(String model, long version, int revision, ObjectNode content, String digest, String comment,
			String actor) {
		return this.jdbc
			.sql("INSERT INTO model_card_revisions (model, version, revision, content, content_sha256, comment, "
					+ "created_at, created_by) VALUES (:model, :version, :revision, CAST(:content AS jsonb), :digest, "
					+ ":comment, :at, :by) ON CONFLICT (model, version, revision) DO NOTHING")
			.param("model", model)
			.param("version", version)
			.param("revision", revision)
			.param("content", JSON.writeValueAsString(content))
			.param("digest", digest)
			.param("comment", comment)
			.param("at", Timestamp.from(Instant.now().truncatedTo(ChronoUnit.MICROS)))
			.param("by", actor)
			.update() == 1;
	}

	private Optional<ModelCardRevision> latest(String model, long version) {
		return this.jdbc
			.sql("SELECT " + REVISION_COLUMNS + " FROM model_card_revisions WHERE model = :model "
					+ "AND version = :version ORDER BY revision DESC LIMIT 1")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> revision(rs))
			.optional();
	}

	private Optional<ModelCardRevision> revisionOf(String model, long version, int revision) {
		return this.jdbc
			.sql("SELECT " + REVISION_COLUMNS + " FROM model_card_revisions WHERE model = :model "
					+ "AND version = :version AND revision = :revision")
			.param("model", model)
			.param("version", version)
			.param("revision", revision)
			.query((rs, row) -> revision(rs))
			.optional();
	}

	private static ModelCardRevision revision(ResultSet rs) throws SQLException {
		String content = rs.getString("content");
		return new ModelCardRevision(rs.getString("model"), Long.toString(rs.getLong("version")), rs.getInt("revision"),
				(content != null) ? ordered(JSON.readTree(content)) : null, rs.getString("content_sha256"),
				rs.getString("comment"), rs.getTimestamp("created_at").toInstant(), rs.getString("created_by"));
	}

	/**
	 * The stored content with its fields in the card's order again (jsonb keeps keys in
	 * an order of its own).
	 */
	private static JsonNode ordered(JsonNode stored) {
		try {
			return CardSchema.content(stored, List.of());
		}
		catch (ApiException ex) {
			// written under other rules; shown as stored
			return stored;
		}
	}

	// ---- the edit's own fields ----

	private static int basedOn(JsonNode body) {
		JsonNode revision = body.get("revision");
		if (revision == null) {
			throw CardSchema.invalid("revision is required: the card revision this edit is based on (read the "
					+ "card first; a new card is at revision 1)");
		}
		if (!revision.isIntegralNumber() || !revision.canConvertToInt() || revision.intValue() < 1) {
			throw CardSchema.invalid("revision must be a whole number of at least 1");
		}
		return revision.intValue();
	}

	private static String comment(JsonNode body) {
		JsonNode comment = body.get("comment");
		if (comment == null || !comment.isString() || comment.stringValue().isBlank()) {
			throw CardSchema.invalid("comment is required: a string that says why the card is changed");
		}
		String text = comment.stringValue();
		String problem = InputRules.textProblem(text, true);
		if (problem != null) {
			throw CardSchema.invalid("comment " + problem);
		}
		if (text.length() > MAX_COMMENT) {
			throw CardSchema.invalid("comment must be at most " + MAX_COMMENT + " characters long");
		}
		return text;
	}

	private static ApiException stale(String model, long version, int current, int basedOn) {
		return new ApiException(HttpStatus.CONFLICT, "stale_revision",
				"the model card of version " + version + " of model " + model + " is at revision " + current
						+ " (or is being changed); this edit is based on revision " + basedOn
						+ ": read the card again and apply the change to its latest revision");
	}

	// ---- composing ----

	private ObjectNode compose(VersionFacts facts, ModelCardRevision revision) {
		String model = facts.model();
		long version = facts.version();
		Optional<FairnessReport> fairness = this.fairnessReports.latest(model, version);
		Optional<ExplainabilityReport> explanation = latestExplanation(model, version);
		JsonNode content = revision.content();

		ObjectNode card = NODES.objectNode();
		card.put("model", model);
		card.put("version", Long.toString(version));
		card.put("revision", revision.revision());
		card.put("content_sha256", revision.contentSha256());
		card.put("revision_comment", revision.comment());
		card.put("revision_created_at", revision.createdAt().toString());
		card.put("revision_created_by", revision.createdBy());

		ObjectNode details = card.putObject("model_details");
		details.put("name", model);
		JsonNode edited = content.path("model_details");
		for (String field : List.of("overview", "documentation", "owners", "version", "licenses", "references",
				"citations")) {
			if (field.equals("version")) {
				ObjectNode versionDetails = details.putObject("version");
				versionDetails.put("name", Long.toString(version));
				versionDetails.put("date", facts.date().toString());
				JsonNode diff = edited.path("version").path("diff");
				if (diff.isString()) {
					versionDetails.set("diff", diff);
				}
			}
			else if (edited.has(field)) {
				details.set(field, edited.get(field).deepCopy());
			}
		}
		card.set("model_parameters", content.path("model_parameters").deepCopy());
		card.set("quantitative_analysis", QuantitativeAnalysis.of(fairness.map(ModelCards::source).orElse(null),
				explanation.map(ModelCards::source).orElse(null)));
		card.set("considerations", content.path("considerations").deepCopy());
		card.set("provenance", provenance(facts, fairness, explanation));

		ObjectNode governance = card.putObject("governance");
		ArrayNode overrides = card.putArray("overrides");
		contribute(model, version, governance, overrides);

		ObjectNode completeness = card.putObject("completeness");
		List<Completeness.Missing> missing = Completeness.missing(content, fairness.isPresent());
		completeness.put("complete", missing.isEmpty());
		ArrayNode list = completeness.putArray("missing");
		missing.forEach((m) -> list.addObject().put("path", m.path()).put("reason", m.reason()));
		return card;
	}

	private Optional<ExplainabilityReport> latestExplanation(String model, long version) {
		return this.explainabilityReports.list(model, version, new PageRequest(0, 1))
			.content()
			.stream()
			.findFirst()
			.map((summary) -> this.explainabilityReports.get(summary.id()));
	}

	private static SourceReport source(FairnessReport report) {
		ObjectNode details = NODES.objectNode();
		details.set("dataset", datasetOf(report.content(), report.datasetId().toString(), report.datasetSha256()));
		details.put("threshold", report.threshold());
		details.put("model_sha256", report.modelSha256());
		return new SourceReport("fairness", report.id(), report.createdAt(), report.contentSha256(), details,
				report.content());
	}

	private static SourceReport source(ExplainabilityReport report) {
		ObjectNode details = NODES.objectNode();
		details.put("method", report.method());
		details.set("dataset", datasetOf(report.content(), report.datasetId().toString(), report.datasetSha256()));
		details.put("model_sha256", report.modelSha256());
		return new SourceReport("explainability", report.id(), report.createdAt(), report.contentSha256(), details,
				report.content());
	}

	private static JsonNode datasetOf(JsonNode content, String id, String sha256) {
		JsonNode dataset = (content != null) ? content.path("dataset") : NODES.missingNode();
		if (dataset.isObject()) {
			return dataset;
		}
		ObjectNode described = NODES.objectNode();
		described.put("id", id);
		described.put("sha256", sha256);
		return described;
	}

	private static ObjectNode provenance(VersionFacts facts, Optional<FairnessReport> fairness,
			Optional<ExplainabilityReport> explanation) {
		ObjectNode provenance = NODES.objectNode();
		provenance.put("created_at", facts.createdAt().toString());
		provenance.put("uploaded_at", (facts.uploadedAt() != null) ? facts.uploadedAt().toString() : null);
		provenance.put("uploaded_by", facts.uploadedBy());
		provenance.put("archive_sha256", facts.archiveSha256());
		provenance.put("archive_size_bytes", facts.archiveSize());
		ObjectNode files = provenance.putObject("files_sha256");
		if (fairness.isPresent() && fairness.get().modelSha256() != null) {
			files.put("value", fairness.get().modelSha256());
			files.put("source", "fairness report " + fairness.get().id());
		}
		else if (explanation.isPresent() && explanation.get().modelSha256() != null) {
			files.put("value", explanation.get().modelSha256());
			files.put("source", "explainability report " + explanation.get().id());
		}
		else {
			files.putNull("value");
			files.putNull("source");
		}
		return provenance;
	}

	/**
	 * Asks every contributor, in the order of their section names. A section's
	 * {@code overrides} (a list, or one value) are also listed in the card's
	 * {@code overrides}. A contributor that fails gets its error in its section, and the
	 * card is still answered.
	 */
	private void contribute(String model, long version, ObjectNode governance, ArrayNode overrides) {
		List<ModelCardContributor> all = this.contributors.orderedStream()
			.sorted(Comparator.comparing(ModelCardContributor::section))
			.toList();
		for (ModelCardContributor contributor : all) {
			String section = contributor.section();
			if (governance.has(section)) {
				log.warn("Two model card contributors name the section {}; the second ({}) is left out", section,
						contributor.getClass().getName());
				continue;
			}
			try {
				Optional<JsonNode> part = contributor.contribute(model, version);
				if (part.isEmpty()) {
					continue;
				}
				governance.set(section, part.get());
				JsonNode marked = part.get().path("overrides");
				if (marked.isArray()) {
					marked
						.forEach((override) -> overrides.addObject().put("section", section).set("override", override));
				}
				else if (!marked.isMissingNode() && !marked.isNull() && !(marked.isObject() && marked.isEmpty())) {
					overrides.addObject().put("section", section).set("override", marked);
				}
			}
			catch (RuntimeException ex) {
				log.warn("The model card contributor of {} failed for {}/{}: {}", section, model, version,
						ex.toString());
				governance.putObject(section).put("error", "this section could not be computed: " + ex.getMessage());
			}
		}
	}

	// ---- the version ----

	private VersionFacts facts(String model, long version) {
		return this.jdbc
			.sql("SELECT v.created_at, v.uploaded_at, v.uploaded_by, v.sha256, v.size_bytes FROM models m "
					+ "JOIN model_versions v ON v.model_id = m.id WHERE m.name = :model AND v.version = :version")
			.param("model", model)
			.param("version", version)
			.query((rs, row) -> {
				Timestamp uploadedAt = rs.getTimestamp("uploaded_at");
				long size = rs.getLong("size_bytes");
				return new VersionFacts(model, version, rs.getTimestamp("created_at").toInstant(),
						(uploadedAt != null) ? uploadedAt.toInstant() : null, rs.getString("uploaded_by"),
						rs.getString("sha256"), rs.wasNull() ? null : size);
			})
			.optional()
			.orElseThrow(() -> ApiException.notFound("version " + version + " of model " + model));
	}

	/**
	 * What the model catalogue knows about a version.
	 *
	 * @param createdAt when the catalogue first recorded it
	 * @param uploadedAt when it was uploaded through the admin API, or {@code null}
	 * @param uploadedBy who uploaded it, or {@code null}
	 * @param archiveSha256 the uploaded archive's SHA-256, or {@code null}
	 * @param archiveSize its size in bytes, or {@code null}
	 */
	private record VersionFacts(String model, long version, Instant createdAt, Instant uploadedAt, String uploadedBy,
			String archiveSha256, Long archiveSize) {

		/**
		 * The version's date on the card: its upload, else when it was first recorded.
		 */
		Instant date() {
			return (this.uploadedAt != null) ? this.uploadedAt : this.createdAt;
		}

	}

	private record Initial(ObjectNode content, String comment) {
	}

}
