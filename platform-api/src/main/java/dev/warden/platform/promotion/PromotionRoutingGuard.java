package dev.warden.platform.promotion;

import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.warden.platform.promotion.PromotionPolicy.ModelPolicy;
import dev.warden.platform.routing.ModelRouting.Routing;
import dev.warden.platform.routing.RoutingChange;
import dev.warden.platform.routing.RoutingGuard;
import dev.warden.platform.system.ApiException;

/**
 * What routing refuses when the model's policy has {@code require_approval}: a direct
 * change of the stable version ({@code :promote}, a canary whose stable version differs
 * from the one stored, {@code DELETE …/routing}, which would let the newest version
 * serve), and a canary above {@code max_canary_weight_without_approval} that is new or
 * larger than before; 409 {@code approval_required} naming the promotion-request
 * endpoint. Rollback (the canary stops, the approved stable version serves), pins and
 * canaries up to the weight stay direct.
 */
@Component
class PromotionRoutingGuard implements RoutingGuard {

	static final String CODE = "approval_required";

	private final PromotionPolicies policies;

	PromotionRoutingGuard(PromotionPolicies policies) {
		this.policies = policies;
	}

	@Override
	public void check(RoutingChange change) {
		ModelPolicy policy = this.policies.current().forModel(change.model());
		if (!policy.requireApproval()) {
			return;
		}
		String model = change.model();
		Routing before = change.before();
		Routing after = change.after();
		if (change.stableChanged()) {
			if (after.stableVersion() == null) {
				throw refused("resetting the routing of model " + model + " would let its newest version serve instead "
						+ "of stable version " + before.stableVersion() + ", which needs an approved promotion request "
						+ "(policies/promotion.yaml: require_approval): promote the version that should serve with "
						+ endpoint(model, "{version}") + " {\"target\": \"stable\"}; a canary is stopped with POST "
						+ "/api/admin/models/" + model + ":rollback");
			}
			throw refused("making version " + after.stableVersion() + " the stable version of model " + model + " (now "
					+ ((before.stableVersion() != null) ? "version " + before.stableVersion() : "none")
					+ ") needs an approved promotion request (policies/promotion.yaml: require_approval): "
					+ endpoint(model, Long.toString(after.stableVersion())) + " {\"target\": \"stable\"}");
		}
		if (change.canaryIncreased() && after.canary().weight() > policy.maxCanaryWeightWithoutApproval()) {
			long version = after.canary().version();
			throw refused("a canary of version " + version + " at " + after.canary().weight() + " % of model " + model
					+ " is above the " + policy.maxCanaryWeightWithoutApproval() + " % an administrator may set "
					+ "directly (policies/promotion.yaml: max_canary_weight_without_approval); request it with "
					+ endpoint(model, Long.toString(version)) + " {\"target\": \"canary\", \"canary_weight\": "
					+ after.canary().weight() + "}");
		}
	}

	private static String endpoint(String model, String version) {
		return "POST /api/admin/models/" + model + "/versions/" + version + "/promotion-requests";
	}

	private static ApiException refused(String message) {
		return new ApiException(HttpStatus.CONFLICT, CODE, message);
	}

}
