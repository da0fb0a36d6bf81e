package dev.warden.platform.usage;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import org.springframework.stereotype.Service;

import dev.warden.platform.apikey.ApiKey;
import dev.warden.platform.apikey.ApiKeyManagement;
import dev.warden.platform.system.ApiException;
import dev.warden.platform.tenant.Tenant;
import dev.warden.platform.tenant.TenantManagement;
import dev.warden.platform.usage.internal.UsageKey;
import dev.warden.platform.usage.internal.UsageRow;

/**
 * Builds the usage answer of one tenant (the same shape for the data plane and the admin
 * API): per UTC day, model and API key, the flushed counts of every replica plus this
 * replica's counts not yet flushed, and what is left of the tenant's quotas.
 */
@Service
class UsageReports {

	/** Longest range one answer covers, in days (inclusive of both ends). */
	static final int MAX_DAYS = 366;

	private final UsageMeter meter;

	private final TenantManagement tenants;

	private final ApiKeyManagement keys;

	private final QuotaStatus quotas;

	private final Clock clock = Clock.systemUTC();

	UsageReports(UsageMeter meter, TenantManagement tenants, ApiKeyManagement keys, QuotaStatus quotas) {
		this.meter = meter;
		this.tenants = tenants;
		this.keys = keys;
		this.quotas = quotas;
	}

	/**
	 * @throws ApiException 404 when the tenant does not exist (or was deleted), 400 for a
	 * bad date range
	 */
	UsageReport report(UUID tenantId, String fromParameter, String toParameter) {
		Instant now = this.clock.instant();
		LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);
		LocalDate from = date("from", fromParameter, today.withDayOfMonth(1));
		LocalDate to = date("to", toParameter, today);
		if (to.isBefore(from)) {
			throw ApiException.badRequest("invalid_parameter", "to: " + to + " is before from: " + from);
		}
		if (ChronoUnit.DAYS.between(from, to) + 1 > MAX_DAYS) {
			throw ApiException.badRequest("invalid_parameter",
					"from/to: the range covers more than " + MAX_DAYS + " days; ask for a shorter range");
		}
		Tenant tenant = this.tenants.get(tenantId);
		Map<UUID, String> prefixes = new HashMap<>();
		for (ApiKey key : this.keys.list(tenantId)) {
			prefixes.put(key.id(), key.prefix());
		}
		Map<EntryKey, Sums> entries = new TreeMap<>(Comparator.comparing(EntryKey::day)
			.thenComparing(EntryKey::model)
			.thenComparing((EntryKey k) -> prefixes.getOrDefault(k.apiKeyId(), ""))
			.thenComparing(EntryKey::apiKeyId));
		Sums totals = new Sums();
		for (UsageRow row : this.meter.read(tenantId, from, to)) {
			UsageKey key = row.key();
			entries.computeIfAbsent(new EntryKey(key.day(), key.model(), key.apiKeyId()), (k) -> new Sums()).add(row);
			totals.add(row);
		}
		List<UsageEntry> usage = new ArrayList<>(entries.size());
		entries.forEach((key, sums) -> usage.add(new UsageEntry(key.day(), key.model().isEmpty() ? null : key.model(),
				key.apiKeyId(), prefixes.get(key.apiKeyId()), sums.counts())));
		return new UsageReport(new TenantSummary(tenant.id(), tenant.name(), tenant.plan(), tenant.status()), from, to,
				now.truncatedTo(ChronoUnit.SECONDS), totals.counts(), usage,
				this.quotas.of(tenant.id(), tenant.plan(), now));
	}

	private static LocalDate date(String name, String value, LocalDate fallback) {
		if (value == null) {
			return fallback;
		}
		try {
			LocalDate date = LocalDate.parse(value);
			if (date.getYear() < 2000 || date.getYear() > 9999) {
				throw ApiException.badRequest("invalid_parameter",
						name + ": '" + value + "' is out of range (years 2000 to 9999)");
			}
			return date;
		}
		catch (DateTimeParseException ex) {
			throw ApiException.badRequest("invalid_parameter",
					name + ": '" + value + "' is not a date like 2026-11-01 (ISO-8601, UTC day)");
		}
	}

	private record EntryKey(LocalDate day, String model, UUID apiKeyId) {
	}

	private static final class Sums {

		long requests;

		long errors;

		long rows;

		long requestBytes;

		long responseBytes;

		long latencySum;

		long latencyMax;

		final Map<String, Long> rejected = new TreeMap<>();

		final Map<String, Long> errorCodes = new TreeMap<>();

		void add(UsageRow row) {
			this.requests += row.requests();
			this.errors += row.errors();
			this.rows += row.rows();
			this.requestBytes += row.requestBytes();
			this.responseBytes += row.responseBytes();
			this.latencySum += row.latencyMicrosSum();
			this.latencyMax = Math.max(this.latencyMax, row.latencyMicrosMax());
			String outcome = row.key().outcome();
			if (!outcome.isEmpty()) {
				// an outcome is an error code: a 5xx counts as an error, anything else
				// (4xx) as a rejection
				long refused = row.requests() - row.errors();
				if (row.errors() > 0) {
					this.errorCodes.merge(outcome, row.errors(), Long::sum);
				}
				if (refused > 0) {
					this.rejected.merge(outcome, refused, Long::sum);
				}
			}
		}

		UsageCounts counts() {
			long refused = this.rejected.values().stream().mapToLong(Long::longValue).sum();
			return new UsageCounts(this.requests, Math.max(0, this.requests - this.errors - refused), this.errors,
					refused, new LinkedHashMap<>(this.rejected), new LinkedHashMap<>(this.errorCodes), this.rows,
					this.requestBytes, this.responseBytes, this.latencySum, this.latencyMax);
		}

	}

	/**
	 * The answer of {@code GET /v1/usage} and {@code GET /api/admin/tenants/{id}/usage}.
	 */
	record UsageReport(TenantSummary tenant, LocalDate from, LocalDate to, Instant asOf, UsageCounts totals,
			List<UsageEntry> usage, QuotaStatus.Quota quota) {
	}

	record TenantSummary(UUID id, String name, String plan, String status) {
	}

	/** One UTC day, model ({@code null}: calls naming no model) and API key. */
	record UsageEntry(LocalDate day, String model, UUID apiKeyId, String apiKeyPrefix, UsageCounts counts) {
	}

	/**
	 * @param succeeded answers below 400
	 * @param errors answers 500 and above (gateway, worker or log errors)
	 * @param rejected answers 400 to 499 (refused by the gateway or the worker)
	 * @param rejectedByCode {@code rejected} by error code
	 * @param errorsByCode {@code errors} by error code
	 * @param rows rows (instances) of predict/infer requests answered 2xx
	 */
	record UsageCounts(long requests, long succeeded, long errors, long rejected, Map<String, Long> rejectedByCode,
			Map<String, Long> errorsByCode, long rows, long requestBytes, long responseBytes, long latencyMicrosSum,
			long latencyMicrosMax) {
	}

}
