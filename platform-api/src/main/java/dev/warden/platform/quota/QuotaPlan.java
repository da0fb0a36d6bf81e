package dev.warden.platform.quota;

/** One quota plan from {@code policies/quotas.yaml}. */
public record QuotaPlan(String name, long requestsPerSecond, long burst, long maxRequestBytes) {

	public QuotaPlan {
		if (requestsPerSecond <= 0 || burst < requestsPerSecond || maxRequestBytes <= 0) {
			throw new IllegalArgumentException("quota plan '" + name
					+ "' needs requests_per_second > 0, burst >= requests_per_second and max_request_bytes > 0");
		}
	}

}
