package dev.warden.platform.audit;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;

/**
 * The filters of {@code GET /api/admin/audit-events}, checked: every one is optional and
 * they combine with AND.
 *
 * @param action an action ({@code tenant.created}), or the start of one when
 * {@code actionPrefix} ({@code model.*} asked for every {@code model.…} action)
 * @param actionPrefix whether {@code action} is a prefix
 * @param actor the token subject or the user name of the actor
 * @param targetType the target's type ({@code tenant}, {@code model}, …)
 * @param targetId the target's id
 * @param from the first instant (inclusive)
 * @param to the end of the range (exclusive)
 */
record AuditEventSearch(String action, boolean actionPrefix, String actor, String targetType, String targetId,
		Instant from, Instant to) {

	/** Actions are lower-case words joined by dots and underscores. */
	private static final Pattern ACTION = Pattern.compile("[a-z0-9_]+(\\.[a-z0-9_]+)*(\\.?\\*)?");

	private static final int MAX_LENGTH = 256;

	/**
	 * The filters from the query parameters as given (null or empty = not filtered).
	 * @throws ApiException 400 {@code invalid_parameter} naming the parameter
	 */
	static AuditEventSearch of(String action, String actor, String targetType, String targetId, String from,
			String to) {
		String actionText = text("action", action);
		boolean prefix = false;
		if (actionText != null) {
			if (!ACTION.matcher(actionText).matches()) {
				throw ApiException.badRequest("invalid_parameter",
						"action: must be an action such as tenant.created, or its start followed by * (model.*)");
			}
			if (actionText.endsWith("*")) {
				prefix = true;
				actionText = actionText.substring(0, actionText.length() - 1);
			}
		}
		Instant start = instant("from", from);
		Instant end = instant("to", to);
		if (start != null && end != null && !start.isBefore(end)) {
			throw ApiException.badRequest("invalid_parameter",
					"from: " + start + " is not before to: " + end + "; the range is [from, to)");
		}
		return new AuditEventSearch(actionText, prefix, text("actor", actor), text("target_type", targetType),
				text("target_id", targetId), start, end);
	}

	/** The WHERE clause over {@code audit_events}, with named parameters only. */
	String where() {
		return "WHERE (CAST(:action AS text) IS NULL OR "
				+ (this.actionPrefix ? "starts_with(action, :action)" : "action = :action") + ") "
				+ "AND (CAST(:actor AS text) IS NULL OR actor = :actor OR actor_name = :actor) "
				+ "AND (CAST(:targetType AS text) IS NULL OR target_type = :targetType) "
				+ "AND (CAST(:targetId AS text) IS NULL OR target_id = :targetId) "
				+ "AND (CAST(:from AS timestamptz) IS NULL OR occurred_at >= :from) "
				+ "AND (CAST(:to AS timestamptz) IS NULL OR occurred_at < :to)";
	}

	/** The values of the named parameters of {@link #where()}. */
	Map<String, Object> parameters() {
		var parameters = new HashMap<String, Object>();
		parameters.put("action", this.action);
		parameters.put("actor", this.actor);
		parameters.put("targetType", this.targetType);
		parameters.put("targetId", this.targetId);
		parameters.put("from", (this.from != null) ? Timestamp.from(this.from) : null);
		parameters.put("to", (this.to != null) ? Timestamp.from(this.to) : null);
		return parameters;
	}

	private static String text(String name, String value) {
		if (value == null || value.isEmpty()) {
			return null;
		}
		if (value.length() > MAX_LENGTH) {
			throw ApiException.badRequest("invalid_parameter", name + ": at most " + MAX_LENGTH + " characters");
		}
		if (value.chars().anyMatch(Character::isISOControl)) {
			throw ApiException.badRequest("invalid_parameter", name + ": must not contain control characters");
		}
		return value;
	}

	private static Instant instant(String name, String value) {
		return (value == null || value.isEmpty()) ? null : InputRules.instantParameter(name, value);
	}

}
