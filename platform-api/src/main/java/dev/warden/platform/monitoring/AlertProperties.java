package dev.warden.platform.monitoring;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Alert settings ({@code warden.monitoring.alerts.*}), see {@code docs/configuration.md};
 * the rules are in {@code policies/monitoring.yaml}.
 *
 * @param enabled whether this replica evaluates the rules (one replica at a time does)
 * (WARDEN_MONITORING_ALERTS_ENABLED)
 * @param tick how often a replica looks whether an evaluation is due (the policy's
 * {@code evaluate_every} decides when one is) (WARDEN_MONITORING_ALERTS_TICK)
 * @param webhooks the endpoints every {@code alert.opened} and {@code alert.closed} event
 * is posted to, each with its signing secret
 * @param maxAttempts attempts of one delivery before it is given up (failed)
 * (WARDEN_MONITORING_ALERTS_MAX_ATTEMPTS)
 * @param initialBackoff the wait after the first failed attempt; doubled after each
 * further one (WARDEN_MONITORING_ALERTS_INITIAL_BACKOFF)
 * @param maxBackoff the longest wait between attempts
 * (WARDEN_MONITORING_ALERTS_MAX_BACKOFF)
 * @param connectTimeout connect timeout of a delivery
 * (WARDEN_MONITORING_ALERTS_CONNECT_TIMEOUT)
 * @param requestTimeout time for the endpoint's answer
 * (WARDEN_MONITORING_ALERTS_REQUEST_TIMEOUT)
 * @param deliveryPollInterval how often a replica looks for due deliveries
 * (WARDEN_MONITORING_ALERTS_DELIVERY_POLL_INTERVAL)
 */
@ConfigurationProperties("warden.monitoring.alerts")
record AlertProperties(@DefaultValue("true") boolean enabled, @DefaultValue("5s") Duration tick,
		@DefaultValue List<Webhook> webhooks, @DefaultValue("8") int maxAttempts,
		@DefaultValue("1s") Duration initialBackoff, @DefaultValue("5m") Duration maxBackoff,
		@DefaultValue("5s") Duration connectTimeout, @DefaultValue("10s") Duration requestTimeout,
		@DefaultValue("1s") Duration deliveryPollInterval) {

	AlertProperties {
		webhooks = (webhooks != null) ? List.copyOf(webhooks) : List.of();
		if (!positive(tick) || !positive(initialBackoff) || !positive(maxBackoff) || !positive(connectTimeout)
				|| !positive(requestTimeout) || !positive(deliveryPollInterval)) {
			throw new IllegalArgumentException("warden.monitoring.alerts: tick, initial-backoff, max-backoff, "
					+ "connect-timeout, request-timeout and delivery-poll-interval must be positive");
		}
		if (maxAttempts < 1 || maxAttempts > 100) {
			throw new IllegalArgumentException("warden.monitoring.alerts.max-attempts must be 1 to 100");
		}
		for (int i = 0; i < webhooks.size(); i++) {
			Webhook webhook = webhooks.get(i);
			URI uri;
			try {
				uri = URI.create(webhook.url());
			}
			catch (RuntimeException ex) {
				uri = null;
			}
			if (uri == null || uri.getHost() == null
					|| !("https".equals(uri.getScheme()) || "http".equals(uri.getScheme()))) {
				throw new IllegalArgumentException(
						"warden.monitoring.alerts.webhooks[" + i + "].url must be an http or https URL");
			}
			if (webhook.secret() == null || webhook.secret().length() < 16) {
				throw new IllegalArgumentException("warden.monitoring.alerts.webhooks[" + i
						+ "].secret must be set, at least 16 characters (from the environment, never in a file "
						+ "under version control)");
			}
		}
	}

	private static boolean positive(Duration duration) {
		return duration != null && !duration.isNegative() && !duration.isZero();
	}

	/**
	 * One webhook endpoint.
	 *
	 * @param url where events are posted
	 * @param secret the HMAC-SHA256 key of the {@code Warden-Signature} header; never
	 * stored, logged or shown
	 */
	record Webhook(String url, String secret) {

		@Override
		public String toString() {
			return "Webhook[url=" + this.url + ", secret=(hidden)]";
		}

	}

}
