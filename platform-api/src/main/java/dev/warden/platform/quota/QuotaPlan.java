package dev.warden.platform.quota;

/**
 * One quota plan from {@code policies/quotas.yaml}.
 *
 * @param requestsPerMonth requests per tenant per calendar month (UTC); 0 = no monthly
 * quota
 * @param maxRowsPerRequest most rows (instances) in one predict request; 0 = no row limit
 */
public record QuotaPlan(String name, long requestsPerSecond, long burst, long maxRequestBytes, long requestsPerMonth,
		long maxRowsPerRequest) {

	public QuotaPlan {
		if (requestsPerSecond <= 0 || burst < requestsPerSecond || maxRequestBytes <= 0 || requestsPerMonth < 0
				|| maxRowsPerRequest < 0) {
			throw new IllegalArgumentException("quota plan '" + name
					+ "' needs requests_per_second > 0, burst >= requests_per_second, max_request_bytes > 0, "
					+ "requests_per_month >= 0 and max_rows_per_request >= 0");
		}
	}

	/** A plan without monthly or row limits. */
	public QuotaPlan(String name, long requestsPerSecond, long burst, long maxRequestBytes) {
		this(name, requestsPerSecond, burst, maxRequestBytes, 0, 0);
	}

	/** Whether the plan has a monthly quota. */
	public boolean hasMonthlyQuota() {
		return this.requestsPerMonth > 0;
	}

}
