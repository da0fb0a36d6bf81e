package dev.warden.platform.export;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * What can be exported. Each type fixes its columns (the same in every format) and its
 * query: rows with {@code from <= occurred_at < to}, optionally for one tenant, in
 * {@code (occurred_at, id)} order.
 */
enum ExportType {

	/**
	 * The audit trail. An event belongs to a tenant when it targets the tenant itself or
	 * names it in {@code details.tenant_id} (API keys, grants).
	 */
	AUDIT("audit", "Audit trail",
			List.of(Column.text("id"), Column.timestamp("occurred_at"), Column.text("actor"), Column.text("actor_name"),
					Column.text("action"), Column.text("target_type"), Column.text("target_id"),
					Column.json("details")),
			"SELECT id::text AS id, occurred_at, actor, actor_name, action, target_type, target_id, "
					+ "details::text AS details "
					+ "FROM audit_events WHERE occurred_at >= :from AND occurred_at < :to "
					+ "AND (CAST(:tenant AS text) IS NULL OR (target_type = 'tenant' AND target_id = :tenant) "
					+ "OR details ->> 'tenant_id' = :tenant) ORDER BY occurred_at, id"),

	/** Request-log metadata; the encrypted payloads are never selected. */
	REQUEST_LOG("request-log", "Request log (metadata)",
			List.of(Column.text("id"), Column.text("request_id"), Column.timestamp("occurred_at"),
					Column.text("tenant_id"), Column.text("api_key_id"), Column.text("model"),
					Column.text("model_version"), Column.text("method"), Column.text("path"), Column.number("status"),
					Column.number("latency_micros"), Column.number("request_bytes"), Column.number("response_bytes"),
					Column.text("error_code")),
			"SELECT id::text AS id, request_id, occurred_at, tenant_id::text AS tenant_id, "
					+ "api_key_id::text AS api_key_id, model, model_version, method, path, status, latency_micros, "
					+ "request_bytes, response_bytes, error_code FROM request_log "
					+ "WHERE occurred_at >= :from AND occurred_at < :to "
					+ "AND (CAST(:tenant AS uuid) IS NULL OR tenant_id = CAST(:tenant AS uuid)) ORDER BY occurred_at, id");

	private final String label;

	private final String title;

	private final List<Column> columns;

	private final String sql;

	ExportType(String label, String title, List<Column> columns, String sql) {
		this.label = label;
		this.title = title;
		this.columns = columns;
		this.sql = sql;
	}

	/** The name used in URLs, manifests and file names. */
	String label() {
		return this.label;
	}

	String title() {
		return this.title;
	}

	List<Column> columns() {
		return this.columns;
	}

	/**
	 * The query; its named parameters are {@code from}, {@code to} and {@code tenant}
	 * (text, null = all).
	 */
	String sql() {
		return this.sql;
	}

	/** The count of what {@link #sql()} returns, with the same parameters. */
	String countSql() {
		return "SELECT count(*) FROM (" + this.sql.substring(0, this.sql.indexOf(" ORDER BY ")) + ") AS rows";
	}

	/**
	 * The current row as values: {@code String} (text, JSON, ISO-8601 timestamps),
	 * {@code Long} or null.
	 */
	Object[] read(ResultSet rs) throws SQLException {
		Object[] values = new Object[this.columns.size()];
		for (int i = 0; i < values.length; i++) {
			Column column = this.columns.get(i);
			values[i] = switch (column.kind()) {
				case TIMESTAMP -> {
					OffsetDateTime time = rs.getObject(i + 1, OffsetDateTime.class);
					yield (time != null) ? time.toInstant().toString() : null;
				}
				case NUMBER -> {
					long number = rs.getLong(i + 1);
					yield rs.wasNull() ? null : number;
				}
				case TEXT, JSON -> rs.getString(i + 1);
			};
		}
		return values;
	}

	static ExportType fromLabel(String label) {
		for (ExportType type : values()) {
			if (type.label.equals(label)) {
				return type;
			}
		}
		return null;
	}

	/** One exported column. */
	record Column(String name, Kind kind) {

		static Column text(String name) {
			return new Column(name, Kind.TEXT);
		}

		static Column timestamp(String name) {
			return new Column(name, Kind.TIMESTAMP);
		}

		static Column number(String name) {
			return new Column(name, Kind.NUMBER);
		}

		static Column json(String name) {
			return new Column(name, Kind.JSON);
		}

		enum Kind {

			TEXT, TIMESTAMP, NUMBER, JSON

		}

	}

}
