package dev.warden.platform.quota;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.platform.system.ApiException;

/**
 * A key's own quota, stricter than its tenant's plan; {@code null} fields take the plan's
 * value. Set through the key API (checked with {@link #requireStricterThan} against the
 * plan in force at that moment); enforced as {@code min(plan, override)} per field on
 * every request ({@link #applyTo}), so a plan lowered later still wins.
 *
 * @param requestsPerSecond the key's sustained rate; set together with {@code burst}
 * @param burst the key's rate-bucket capacity ({@code >= requestsPerSecond})
 * @param requestsPerMonth requests of this key per calendar month (UTC), counted in a
 * bucket of its own in addition to the tenant's monthly quota
 * @param maxRequestBytes largest request body of this key
 * @param maxRowsPerRequest most rows in one predict request of this key
 */
public record QuotaOverride(Long requestsPerSecond, Long burst, Long requestsPerMonth, Long maxRequestBytes,
		Long maxRowsPerRequest) {

	/** No override: the plan applies as it is. */
	public static final QuotaOverride NONE = new QuotaOverride(null, null, null, null, null);

	/** Whether no field is set. */
	public boolean isEmpty() {
		return equals(NONE);
	}

	/**
	 * Checks the override on its own and against the plan in force now.
	 * @throws ApiException 400 {@code validation_failed} naming the first field that is
	 * not positive, a rate without its burst (or the reverse), a burst below the rate, or
	 * a value looser than the plan's
	 */
	public void requireStricterThan(QuotaPlan plan) {
		positive("requests_per_second", this.requestsPerSecond);
		positive("burst", this.burst);
		positive("requests_per_month", this.requestsPerMonth);
		positive("max_request_bytes", this.maxRequestBytes);
		positive("max_rows_per_request", this.maxRowsPerRequest);
		if ((this.requestsPerSecond == null) != (this.burst == null)) {
			throw invalid((this.burst == null) ? "burst" : "requests_per_second",
					"requests_per_second and burst are set together");
		}
		if (this.burst != null && this.burst < this.requestsPerSecond) {
			throw invalid("burst", "must be >= requests_per_second (" + this.requestsPerSecond + ")");
		}
		notLooser("requests_per_second", this.requestsPerSecond, plan.requestsPerSecond(), plan);
		notLooser("burst", this.burst, plan.burst(), plan);
		notLooser("requests_per_month", this.requestsPerMonth, plan.requestsPerMonth(), plan);
		notLooser("max_request_bytes", this.maxRequestBytes, plan.maxRequestBytes(), plan);
		notLooser("max_rows_per_request", this.maxRowsPerRequest, plan.maxRowsPerRequest(), plan);
	}

	/**
	 * The limits that apply to the key: each field the smaller of plan and override. The
	 * tenant's {@code requests_per_month} stays the plan's (it is the tenant's, not the
	 * key's; see {@link #keyMonthly}).
	 */
	public QuotaPlan applyTo(QuotaPlan plan) {
		if (isEmpty()) {
			return plan;
		}
		long burst = min(plan.burst(), this.burst);
		// an explanation must fit in the key's (possibly smaller) bucket to be admitted
		// at all
		return new QuotaPlan(plan.name(), min(plan.requestsPerSecond(), this.requestsPerSecond), burst,
				min(plan.maxRequestBytes(), this.maxRequestBytes), plan.requestsPerMonth(),
				min(plan.maxRowsPerRequest(), this.maxRowsPerRequest), Math.min(plan.explainCost(), burst),
				plan.maxRowsPerExplanation());
	}

	/**
	 * The key's own monthly quota under the plan, or 0 for none: the override, capped by
	 * the plan's.
	 */
	public long keyMonthly(QuotaPlan plan) {
		return (this.requestsPerMonth == null) ? 0 : min(plan.requestsPerMonth(), this.requestsPerMonth);
	}

	/**
	 * The fields that are set, by their documented names (for audit details and
	 * listings).
	 */
	public Map<String, Long> fields() {
		Map<String, Long> fields = new LinkedHashMap<>();
		put(fields, "requests_per_second", this.requestsPerSecond);
		put(fields, "burst", this.burst);
		put(fields, "requests_per_month", this.requestsPerMonth);
		put(fields, "max_request_bytes", this.maxRequestBytes);
		put(fields, "max_rows_per_request", this.maxRowsPerRequest);
		return fields;
	}

	private static void put(Map<String, Long> fields, String name, Long value) {
		if (value != null) {
			fields.put(name, value);
		}
	}

	/** {@code planValue} 0 means "no limit" for monthly and rows. */
	private static long min(long planValue, Long override) {
		if (override == null) {
			return planValue;
		}
		return (planValue == 0) ? override : Math.min(planValue, override);
	}

	private static void positive(String field, Long value) {
		if (value != null && value <= 0) {
			throw invalid(field, "must be > 0 (omit it to keep the plan's value)");
		}
	}

	private static void notLooser(String field, Long value, long planValue, QuotaPlan plan) {
		// a plan value of 0 (monthly, rows) is "no limit": any override is stricter
		if (value != null && planValue != 0 && value > planValue) {
			throw invalid(field, value + " is looser than plan '" + plan.name() + "' (" + planValue
					+ "); an override may only be stricter");
		}
	}

	private static ApiException invalid(String field, String message) {
		return ApiException.badRequest("validation_failed", "quota." + field + ": " + message);
	}

}
