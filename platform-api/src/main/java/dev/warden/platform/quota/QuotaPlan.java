package dev.warden.platform.quota;

/**
 * One quota plan from {@code policies/quotas.yaml}.
 *
 * @param requestsPerMonth requests per tenant per calendar month (UTC); 0 = no monthly
 * quota
 * @param maxRowsPerRequest most rows (instances) in one predict request; 0 = no row limit
 * @param explainCost how many requests of quota one explanation request
 * ({@code :explain}) costs, in the rate bucket and in the monthly quotas; at least 1 and
 * at most the burst
 * @param maxRowsPerExplanation most rows (instances) in one explanation request; 0 = the
 * same limit as {@code maxRowsPerRequest}
 */
public record QuotaPlan(String name, long requestsPerSecond, long burst, long maxRequestBytes, long requestsPerMonth,
		long maxRowsPerRequest, long explainCost, long maxRowsPerExplanation) {

	/**
	 * What an explanation costs when a plan does not say: an explanation evaluates the
	 * model tens to thousands of times.
	 */
	public static final long DEFAULT_EXPLAIN_COST = 10;

	/**
	 * The row limit of an explanation request when a plan does not say (capped by
	 * {@code max_rows_per_request}).
	 */
	public static final long DEFAULT_MAX_ROWS_PER_EXPLANATION = 10;

	public QuotaPlan {
		if (requestsPerSecond <= 0 || burst < requestsPerSecond || maxRequestBytes <= 0 || requestsPerMonth < 0
				|| maxRowsPerRequest < 0) {
			throw new IllegalArgumentException("quota plan '" + name
					+ "' needs requests_per_second > 0, burst >= requests_per_second, max_request_bytes > 0, "
					+ "requests_per_month >= 0 and max_rows_per_request >= 0");
		}
		if (explainCost < 1 || explainCost > burst) {
			throw new IllegalArgumentException(
					"quota plan '" + name + "' needs 1 <= explain_cost <= burst (" + burst + "), not " + explainCost);
		}
		if (maxRowsPerExplanation < 0) {
			throw new IllegalArgumentException(
					"quota plan '" + name + "' needs max_rows_per_explanation >= 0, not " + maxRowsPerExplanation);
		}
	}

	/**
	 * A plan whose explanations cost {@link #DEFAULT_EXPLAIN_COST} (or the whole burst
	 * when that is smaller) and carry at most {@link #DEFAULT_MAX_ROWS_PER_EXPLANATION}
	 * rows.
	 */
	public QuotaPlan(String name, long requestsPerSecond, long burst, long maxRequestBytes, long requestsPerMonth,
			long maxRowsPerRequest) {
		this(name, requestsPerSecond, burst, maxRequestBytes, requestsPerMonth, maxRowsPerRequest,
				defaultExplainCost(burst), defaultMaxRowsPerExplanation(maxRowsPerRequest));
	}

	/** A plan without monthly or row limits. */
	public QuotaPlan(String name, long requestsPerSecond, long burst, long maxRequestBytes) {
		this(name, requestsPerSecond, burst, maxRequestBytes, 0, 0);
	}

	/**
	 * {@link #DEFAULT_EXPLAIN_COST}, capped by the burst (an explanation must fit in a
	 * full bucket).
	 */
	public static long defaultExplainCost(long burst) {
		return Math.max(1, Math.min(DEFAULT_EXPLAIN_COST, burst));
	}

	/**
	 * {@link #DEFAULT_MAX_ROWS_PER_EXPLANATION}, capped by {@code max_rows_per_request}
	 * when that is set.
	 */
	public static long defaultMaxRowsPerExplanation(long maxRowsPerRequest) {
		return (maxRowsPerRequest == 0) ? DEFAULT_MAX_ROWS_PER_EXPLANATION
				: Math.min(DEFAULT_MAX_ROWS_PER_EXPLANATION, maxRowsPerRequest);
	}

	/** The row limit of one explanation request; 0 = no limit. */
	public long explanationRowLimit() {
		if (this.maxRowsPerExplanation == 0) {
			return this.maxRowsPerRequest;
		}
		return (this.maxRowsPerRequest == 0) ? this.maxRowsPerExplanation
				: Math.min(this.maxRowsPerExplanation, this.maxRowsPerRequest);
	}

	/** Whether the plan has a monthly quota. */
	public boolean hasMonthlyQuota() {
		return this.requestsPerMonth > 0;
	}

}
