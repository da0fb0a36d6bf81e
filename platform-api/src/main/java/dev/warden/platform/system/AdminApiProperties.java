package dev.warden.platform.system;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits of the admin API ({@code warden.admin-api.*}); see docs/configuration.md.
 *
 * @param maxBodySize largest request body of an admin call
 * (WARDEN_ADMIN_API_MAX_BODY_SIZE); larger bodies are answered 413 before they are
 * parsed. The model upload ({@code POST /api/admin/models/{m}/versions}) has its own
 * limit, {@code warden.models.upload.max-bytes}
 * @param rateLimit how many admin calls one user (token subject) may make
 * @param page how lists are paged
 */
@ConfigurationProperties("warden.admin-api")
record AdminApiProperties(@DefaultValue("64KB") DataSize maxBodySize, @DefaultValue RateLimit rateLimit,
		@DefaultValue Paging page) {

	AdminApiProperties {
		if (maxBodySize.toBytes() < 1) {
			throw new IllegalArgumentException("warden.admin-api.max-body-size must be at least 1 byte");
		}
	}

	/**
	 * A token bucket per user and gateway replica: {@code burst} calls at once, refilled
	 * evenly at {@code requestsPerMinute}.
	 *
	 * @param burst calls a user may make in a row (WARDEN_ADMIN_API_RATE_LIMIT_BURST)
	 * @param requestsPerMinute sustained calls per minute
	 * (WARDEN_ADMIN_API_RATE_LIMIT_REQUESTS_PER_MINUTE)
	 */
	record RateLimit(@DefaultValue("200") long burst, @DefaultValue("1200") long requestsPerMinute) {

		RateLimit {
			if (burst < 1 || requestsPerMinute < 1) {
				throw new IllegalArgumentException(
						"warden.admin-api.rate-limit.burst and requests-per-minute must be at least 1");
			}
		}

	}

	/**
	 * Paging of every admin list.
	 *
	 * @param defaultSize items per page when the request names no {@code size}
	 * (WARDEN_ADMIN_API_PAGE_DEFAULT_SIZE)
	 * @param maxSize the largest {@code size} a request may ask for
	 * (WARDEN_ADMIN_API_PAGE_MAX_SIZE)
	 */
	record Paging(@DefaultValue("50") int defaultSize, @DefaultValue("500") int maxSize) {

		Paging {
			if (defaultSize < 1 || maxSize < defaultSize) {
				throw new IllegalArgumentException("warden.admin-api.page needs 1 <= default-size <= max-size, got "
						+ defaultSize + " and " + maxSize);
			}
		}

	}

}
