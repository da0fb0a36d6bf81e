package dev.warden.platform.gateway;

/** Request attributes shared by the data-plane filters and the gateway controller. */
final class GatewayAttributes {

	/** The request body bytes as read (and forwarded) by the controller. */
	static final String REQUEST_BODY = GatewayAttributes.class.getName() + ".requestBody";

	/** Largest request body the caller's plan allows ({@code Long}). */
	static final String MAX_REQUEST_BYTES = GatewayAttributes.class.getName() + ".maxRequestBytes";

	/** Rows of a predict/infer request as counted by the quota step ({@code Long}), for usage metering. */
	static final String REQUEST_ROWS = GatewayAttributes.class.getName() + ".requestRows";

	/** Error code of an error answered by the gateway itself. */
	static final String ERROR_CODE = GatewayAttributes.class.getName() + ".errorCode";

	private GatewayAttributes() {
	}

}
