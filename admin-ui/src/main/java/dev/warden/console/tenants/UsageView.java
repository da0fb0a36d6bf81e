package dev.warden.console.tenants;

import dev.warden.console.adminapi.JsonValues;
import tools.jackson.databind.JsonNode;

/**
 * What the tenant page shows of platform-api's usage answer: this month's calls and what
 * is left of the plan's quotas.
 *
 * @param from first day counted
 * @param to last day counted
 * @param asOf when platform-api computed it
 * @param requests calls of the tenant's keys
 * @param succeeded answers below 400
 * @param rejected answers 400 to 499
 * @param errors answers 500 and above
 * @param rows rows predicted
 * @param plan the plan the quotas come from
 * @param requestsPerSecond the plan's rate per key
 * @param burst the plan's burst per key
 * @param monthlyLimit the monthly quota, or null when the plan has none
 * @param monthlyUsed requests of the monthly quota used
 * @param monthlyRemaining requests of the monthly quota left
 * @param monthlyResetsAt when the monthly quota starts again
 * @param maxRequestBytes the largest request body
 * @param maxRowsPerRequest the most rows per request
 */
record UsageView(String from, String to, String asOf, String requests, String succeeded, String rejected, String errors,
		String rows, String plan, String requestsPerSecond, String burst, String monthlyLimit, String monthlyUsed,
		String monthlyRemaining, String monthlyResetsAt, String maxRequestBytes, String maxRowsPerRequest) {

	static UsageView of(JsonNode usage) {
		JsonNode totals = usage.path("totals");
		JsonNode quota = usage.path("quota");
		JsonNode monthly = quota.path("monthly");
		return new UsageView(text(usage, "from"), text(usage, "to"), text(usage, "as_of"), text(totals, "requests"),
				text(totals, "succeeded"), text(totals, "rejected"), text(totals, "errors"), text(totals, "rows"),
				text(quota, "plan"), text(quota.path("rate"), "requests_per_second"), text(quota.path("rate"), "burst"),
				text(monthly, "limit"), text(monthly, "used"), text(monthly, "remaining"), text(monthly, "resets_at"),
				text(quota, "max_request_bytes"), text(quota, "max_rows_per_request"));
	}

	/** The share of the monthly quota used, 0 to 100, or -1 when there is no quota. */
	public int monthlyPercent() {
		try {
			double limit = Double.parseDouble(this.monthlyLimit);
			double used = Double.parseDouble(this.monthlyUsed);
			return (limit > 0) ? (int) Math.min(100, Math.round(used * 100 / limit)) : -1;
		}
		catch (NullPointerException | NumberFormatException ex) {
			return -1;
		}
	}

	private static String text(JsonNode node, String field) {
		return JsonValues.text(node.path(field));
	}

}
