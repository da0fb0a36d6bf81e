package dev.warden.platform.routing;

import java.util.Objects;

import dev.warden.platform.routing.ModelRouting.Canary;
import dev.warden.platform.routing.ModelRouting.Routing;

/**
 * A direct change of a model's routing as a {@link RoutingGuard} sees it: what it would
 * store, before it is committed.
 *
 * @param action the audit action of the change ({@code model.canary_set},
 * {@code model.canary_promoted}, {@code model.canary_rolled_back},
 * {@code model.routing_reset}, {@code model.pin_set}, {@code model.pin_removed})
 * @param model the model
 * @param before the routing before the change
 * @param after the routing the change would store
 * @param actor who asks for it
 */
public record RoutingChange(String action, String model, Routing before, Routing after, String actor) {

	/** Whether the version that answers calls naming no version would change. */
	public boolean stableChanged() {
		return !Objects.equals(this.before.stableVersion(), this.after.stableVersion());
	}

	/**
	 * Whether the change would send a larger share of calls to a canary than before: a
	 * new canary version, or the same one with a higher weight.
	 */
	public boolean canaryIncreased() {
		Canary next = this.after.canary();
		if (next == null) {
			return false;
		}
		Canary previous = this.before.canary();
		return previous == null || previous.version() != next.version() || next.weight() > previous.weight();
	}

}
