package dev.warden.platform.export;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.UUID;

import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.export.ExportManagement.Export;
import dev.warden.platform.export.ExportManagement.ExportSummary;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.system.InputRules;
import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;
import dev.warden.platform.system.RequestIds;

/**
 * Signed compliance exports of the audit trail and of request-log metadata, for the ADMIN
 * and COMPLIANCE roles. The file is streamed as it is read; its id is sent in
 * {@code X-Export-Id} before the body, and its signed manifest is served by {@code GET
 * /api/admin/exports/{id}/manifest} once the last byte has been written.
 */
@RestController
@RequestMapping("/api/admin/exports")
class ExportController {

	static final String EXPORT_ID_HEADER = "X-Export-Id";

	private final ExportManagement exports;

	ExportController(ExportManagement exports) {
		this.exports = exports;
	}

	@GetMapping("/{type}")
	void export(@PathVariable String type, @RequestParam(defaultValue = "csv") String format,
			@RequestParam(required = false) String tenant, @RequestParam(required = false) String from,
			@RequestParam(required = false) String to, Authentication user, HttpServletResponse response)
			throws IOException {
		ExportRequest request = request(type, format, tenant, from, to, user.getName());
		Export export = this.exports.start(request);
		try {
			response.setStatus(HttpServletResponse.SC_OK);
			response.setContentType(request.format().contentType());
			response.setHeader(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + export.fileName() + "\"");
			response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
			response.setHeader(EXPORT_ID_HEADER, export.id().toString());
			response.setHeader(HttpHeaders.LINK,
					"</api/admin/exports/" + export.id() + "/manifest>; rel=\"describedby\"");
		}
		catch (RuntimeException ex) {
			this.exports.abandon(export, ex.toString());
			throw ex;
		}
		try {
			this.exports.write(export, response.getOutputStream());
		}
		catch (IOException | RuntimeException ex) {
			// the export is already recorded as failed; what remains is to make the
			// failure visible to the client
			if (response.isCommitted()) {
				throw new ExportInterruptedException(export.id(), ex);
			}
			String requestId = response.getHeader(RequestIds.HEADER);
			response.reset();
			if (requestId != null) {
				response.setHeader(RequestIds.HEADER, requestId);
			}
			throw ex;
		}
	}

	/**
	 * Part of the file has been sent: an error body cannot be sent any more, and must not
	 * be appended to the file. Rethrown unhandled, so that the servlet container cuts the
	 * connection and the client sees an incomplete download rather than a file that looks
	 * complete (the export has no manifest either).
	 */
	@ExceptionHandler(ExportInterruptedException.class)
	void interrupted(ExportInterruptedException ex) {
		throw ex;
	}

	@GetMapping("/{id}/manifest")
	ResponseEntity<byte[]> manifest(@PathVariable UUID id) {
		return ResponseEntity.ok()
			.contentType(MediaType.APPLICATION_JSON)
			.header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"warden-export-" + id + ".manifest.json\"")
			.body(this.exports.manifest(id).getBytes(StandardCharsets.UTF_8));
	}

	/**
	 * The most recent exports (what was asked, by whom, status, row count, SHA-256),
	 * newest first.
	 */
	@GetMapping
	Page<ExportSummary> list(PageRequest page) {
		return Page.of(this.exports.recent(page.offset(), page.fetchSize()), page);
	}

	/** An export that failed after part of its file was sent. */
	static final class ExportInterruptedException extends RuntimeException {

		ExportInterruptedException(UUID id, Throwable cause) {
			super("export " + id + " interrupted after part of the file was sent", cause);
		}

	}

	private static ExportRequest request(String typeLabel, String formatLabel, String tenant, String from, String to,
			String actor) {
		ExportType type = ExportType.fromLabel(typeLabel);
		if (type == null) {
			throw ApiException.notFound("export type '" + typeLabel + "' (use audit or request-log)");
		}
		ExportFormat format = ExportFormat.fromLabel(formatLabel);
		if (format == null) {
			throw ApiException.badRequest("invalid_format",
					"format: '" + formatLabel + "' is not supported; use csv, ndjson or pdf");
		}
		UUID tenantId = null;
		if (tenant != null && !tenant.isBlank() && !tenant.equals("all")) {
			try {
				tenantId = UUID.fromString(tenant);
			}
			catch (IllegalArgumentException ex) {
				throw ApiException.badRequest("invalid_tenant",
						"tenant: '" + tenant + "' is not a tenant id (UUID); omit it or use 'all' for every tenant");
			}
		}
		Instant start = instant("from", from);
		Instant end = instant("to", to);
		if (!start.isBefore(end)) {
			throw ApiException.badRequest("invalid_range",
					"from (" + start + ") must be before to (" + end + "); the range is [from, to)");
		}
		return new ExportRequest(type, format, tenantId, start, end, actor);
	}

	/**
	 * An ISO-8601 instant or offset date-time, or a date (midnight UTC), within
	 * {@link InputRules}' range.
	 */
	static Instant instant(String name, String value) {
		if (value == null || value.isBlank()) {
			throw ApiException.badRequest("missing_parameter",
					name + " is required: an ISO-8601 instant (2026-11-01T00:00:00Z) or date (2026-11-01, UTC)");
		}
		Instant instant;
		try {
			instant = (value.length() == 10) ? LocalDate.parse(value).atStartOfDay(ZoneOffset.UTC).toInstant()
					: OffsetDateTime.parse(value).toInstant();
		}
		catch (DateTimeParseException ex) {
			throw ApiException.badRequest("invalid_date", name + ": '" + value
					+ "' is not an ISO-8601 instant (2026-11-01T00:00:00Z) or date (2026-11-01, UTC)");
		}
		String problem = InputRules.timestampProblem(instant);
		if (problem != null) {
			throw ApiException.badRequest("invalid_date", name + ": " + problem);
		}
		return instant;
	}

}
