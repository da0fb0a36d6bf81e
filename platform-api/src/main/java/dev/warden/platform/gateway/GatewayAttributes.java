package dev.warden.platform.gateway;

/** Request attributes shared by the data-plane filters and the gateway controller. */
final class GatewayAttributes {

	/**
	 * The {@link DataPlaneRoute} parsed from the request path, read by every later step.
	 */
	static final String ROUTE = GatewayAttributes.class.getName() + ".route";

	/**
	 * How many body bytes the gateway read ({@code Long}), also when it refused the body
	 * as too large.
	 */
	static final String REQUEST_BYTES_READ = GatewayAttributes.class.getName() + ".requestBytesRead";

	/** The request body bytes as read (and forwarded) by the controller. */
	static final String REQUEST_BODY = GatewayAttributes.class.getName() + ".requestBody";

	/** Largest request body the caller's plan allows ({@code Long}). */
	static final String MAX_REQUEST_BYTES = GatewayAttributes.class.getName() + ".maxRequestBytes";

	/**
	 * Rows of a predict/infer request as counted by the quota step ({@code Long}), for
	 * usage metering.
	 */
	static final String REQUEST_ROWS = GatewayAttributes.class.getName() + ".requestRows";

	/**
	 * Requests of quota this request costs ({@code Long}): 1, or the plan's
	 * {@code explain_cost} for an explanation.
	 */
	static final String QUOTA_COST = GatewayAttributes.class.getName() + ".quotaCost";

	/**
	 * The quota limit that refused the call ({@code String}: {@code rate},
	 * {@code key_monthly}, {@code monthly}, {@code rows}, {@code bytes}), for the
	 * metrics.
	 */
	static final String QUOTA_LIMIT = GatewayAttributes.class.getName() + ".quotaLimit";

	/**
	 * Set ({@code Boolean.TRUE}) when another version than the routed one answered, for
	 * the metrics.
	 */
	static final String ROUTE_FALLBACK = GatewayAttributes.class.getName() + ".routeFallback";

	/** Error code of an error answered by the gateway itself. */
	static final String ERROR_CODE = GatewayAttributes.class.getName() + ".errorCode";

	private GatewayAttributes() {
	}

}
