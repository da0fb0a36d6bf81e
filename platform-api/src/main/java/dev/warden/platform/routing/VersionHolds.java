package dev.warden.platform.routing;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import dev.warden.platform.audit.AuditTrail;
import dev.warden.platform.system.ApiException;

/**
 * Versions held loaded for work other than routing: an evaluation, the generation of a
 * report. A held version is aspired on every worker ({@link AspiredVersions}) until its
 * holder releases it, whatever the routing says. The hook other features use (and
 * {@code POST|DELETE /api/admin/models/{m}/versions/{v}/holds}): one hold per holder and
 * version; placing it again replaces its reason. Every change is one transaction with its
 * audit event ({@code model_version.hold_placed}, {@code model_version.hold_released}),
 * after which the desired state is derived again at once. Thread-safe.
 */
@Service
public class VersionHolds {

	/** Holder names: letters, digits, {@code . _ : -}, at most 64. */
	public static final Pattern HOLDER = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

	static final int MAX_REASON_LENGTH = 500;

	private final JdbcClient jdbc;

	private final TransactionTemplate transactions;

	private final AuditTrail audit;

	private final Servability servability;

	private final AspiredVersions aspired;

	VersionHolds(JdbcClient jdbc, TransactionTemplate transactions, AuditTrail audit, Servability servability,
			AspiredVersions aspired) {
		this.jdbc = jdbc;
		this.transactions = transactions;
		this.audit = audit;
		this.servability = servability;
		this.aspired = aspired;
	}

	/**
	 * Holds {@code version} of {@code model} loaded for {@code holder}.
	 * @throws ApiException 404 unknown model, 400 {@code invalid_hold} (holder or
	 * reason), 409 {@code unknown_version} or {@code version_not_loadable}
	 */
	public Hold hold(String model, long version, String holder, String reason, String actor) {
		requireValidHolder(holder);
		if (reason != null && reason.length() > MAX_REASON_LENGTH) {
			throw ApiException.badRequest("invalid_hold",
					"\"reason\" is longer than " + MAX_REASON_LENGTH + " characters");
		}
		Hold hold = this.transactions.execute((status) -> {
			UUID modelId = this.servability.modelId(model, true);
			this.servability.requireServable(model, modelId, version);
			Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
			this.jdbc.sql("INSERT INTO model_version_holds (model_id, version, holder, reason, created_at, created_by) "
					+ "VALUES (:model, :version, :holder, :reason, :at, :actor) ON CONFLICT (model_id, version, holder) "
					+ "DO UPDATE SET reason = EXCLUDED.reason, created_at = EXCLUDED.created_at, "
					+ "created_by = EXCLUDED.created_by")
				.param("model", modelId)
				.param("version", version)
				.param("holder", holder)
				.param("reason", reason)
				.param("at", Timestamp.from(now))
				.param("actor", actor)
				.update();
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", model);
			details.put("version", version);
			details.put("holder", holder);
			details.put("reason", reason);
			this.audit.append(actor, "model_version.hold_placed", "model_version", model + "/" + version, details);
			return new Hold(model, version, holder, reason, actor, now);
		});
		this.aspired.refresh();
		return hold;
	}

	/**
	 * Releases a hold. @throws ApiException 404 unknown model or no such hold
	 */
	public void release(String model, long version, String holder, String actor) {
		this.transactions.executeWithoutResult((status) -> {
			UUID modelId = this.servability.modelId(model, true);
			int removed = this.jdbc
				.sql("DELETE FROM model_version_holds WHERE model_id = :model AND version = :version "
						+ "AND holder = :holder")
				.param("model", modelId)
				.param("version", version)
				.param("holder", holder)
				.update();
			if (removed == 0) {
				throw ApiException.notFound("hold of " + holder + " on version " + version + " of model " + model);
			}
			Map<String, Object> details = new LinkedHashMap<>();
			details.put("model", model);
			details.put("version", version);
			details.put("holder", holder);
			this.audit.append(actor, "model_version.hold_released", "model_version", model + "/" + version, details);
		});
		this.aspired.refresh();
	}

	/** The holds on {@code model}, by version then holder. @throws ApiException 404 */
	public List<Hold> holds(String model) {
		UUID modelId = this.servability.modelId(model, false);
		return this.jdbc
			.sql("SELECT version, holder, reason, created_by, created_at FROM model_version_holds "
					+ "WHERE model_id = :model ORDER BY version, holder")
			.param("model", modelId)
			.query((rs, row) -> new Hold(model, rs.getLong("version"), rs.getString("holder"), rs.getString("reason"),
					rs.getString("created_by"), rs.getTimestamp("created_at").toInstant()))
			.list();
	}

	/**
	 * The holds, on every model, of the holders whose name starts with
	 * {@code holderPrefix} (e.g. every hold a kind of job placed), by model, version and
	 * holder.
	 */
	public List<Hold> heldBy(String holderPrefix) {
		String pattern = holderPrefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
		return this.jdbc
			.sql("SELECT m.name, h.version, h.holder, h.reason, h.created_by, h.created_at FROM model_version_holds h "
					+ "JOIN models m ON m.id = h.model_id WHERE h.holder LIKE :pattern ORDER BY m.name, h.version, "
					+ "h.holder")
			.param("pattern", pattern)
			.query((rs, row) -> new Hold(rs.getString("name"), rs.getLong("version"), rs.getString("holder"),
					rs.getString("reason"), rs.getString("created_by"), rs.getTimestamp("created_at").toInstant()))
			.list();
	}

	static void requireValidHolder(String holder) {
		if (holder == null || !HOLDER.matcher(holder).matches()) {
			throw ApiException.badRequest("invalid_hold",
					"\"holder\" must be 1 to 64 letters, digits, '.', '_', ':' or '-' (e.g. evaluation-42)");
		}
	}

	/**
	 * A hold.
	 *
	 * @param model the model
	 * @param version the held version
	 * @param holder who holds it (a name of the holding feature or job)
	 * @param reason free text, or {@code null}
	 * @param createdBy who placed it
	 * @param createdAt when
	 */
	public record Hold(String model, long version, String holder, String reason, String createdBy, Instant createdAt) {
	}

}
