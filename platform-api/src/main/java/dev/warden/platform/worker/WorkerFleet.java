package dev.warden.platform.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;

/**
 * What the workers this replica routes to report, for the modules that decide on it: is a
 * version AVAILABLE somewhere, still being loaded, or unavailable everywhere (routing's
 * fallback and the refusal of a route to a version that cannot be loaded); which versions
 * each worker has loaded, is loading or failed (the admin API); which versions are in the
 * model store (the catalogue). Answers from memory (the inventories of the health polls
 * and registrations). Thread-safe.
 */
@Component
public class WorkerFleet {

	private final WorkerPool pool;

	private final ObjectProvider<DesiredStateProvider> desired;

	WorkerFleet(WorkerPool pool, ObjectProvider<DesiredStateProvider> desired) {
		this.pool = pool;
		this.desired = desired;
	}

	/**
	 * Whether {@code version} of {@code model} can be served now:
	 * <ul>
	 * <li>{@link Availability#AVAILABLE}: a healthy worker has it AVAILABLE;</li>
	 * <li>{@link Availability#UNKNOWN}: no healthy worker has it, but a healthy worker
	 * does not say what it serves, or there is no healthy worker at all (nothing to
	 * decide on);</li>
	 * <li>{@link Availability#CONVERGING}: a healthy worker is loading it, or has not
	 * applied the current desired state yet;</li>
	 * <li>{@link Availability#UNAVAILABLE}: every healthy worker has applied the current
	 * desired state and none has it (it failed to load, or is not in the store).</li>
	 * </ul>
	 */
	public Availability availability(String model, long version) {
		return availability(model, version, false);
	}

	/**
	 * {@link #availability}, for a caller that has just changed the desired state (a hold
	 * placed, say) and must not act on what the workers reported before that change: a
	 * worker that follows the desired state counts as serving {@code version} only once
	 * it has reported applying the current generation. Until then its last report may
	 * still list a version it has unloaded since (the gateway learns what a worker serves
	 * once per poll or heartbeat), and the worker is {@link Availability#CONVERGING}.
	 * Workers that do not follow the desired state are judged by their last report, as by
	 * {@link #availability}.
	 */
	public Availability availabilityAfterChange(String model, long version) {
		return availability(model, version, true);
	}

	private Availability availability(String model, long version, boolean currentOnly) {
		Long generation = currentGeneration();
		boolean anyHealthy = false;
		boolean unknown = false;
		boolean converging = false;
		for (Worker worker : this.pool.workers()) {
			if (!worker.healthy()) {
				continue;
			}
			anyHealthy = true;
			WorkerInventory inventory = worker.inventory();
			if (inventory == null) {
				unknown = true;
				continue;
			}
			boolean behind = inventory.followsDesiredState() && generation != null
					&& (inventory.desiredGeneration() == null || inventory.desiredGeneration() < generation);
			if (inventory.serves(model, version) && !(currentOnly && behind)) {
				return Availability.AVAILABLE;
			}
			WorkerInventory.ServedModel served = inventory.models().get(model);
			if (behind || (served != null && served.loading().contains(version))) {
				converging = true;
			}
		}
		if (!anyHealthy || unknown) {
			return Availability.UNKNOWN;
		}
		return converging ? Availability.CONVERGING : Availability.UNAVAILABLE;
	}

	private Long currentGeneration() {
		DesiredStateProvider provider = this.desired.getIfAvailable();
		return (provider != null) ? provider.desiredState().map(DesiredState::generation).orElse(null) : null;
	}

	/**
	 * Why {@code version} of {@code model} cannot be loaded, if a healthy worker reports
	 * it failed and none has it AVAILABLE: {@code "worker <id>: <reason>"}.
	 */
	public Optional<String> failure(String model, long version) {
		String reason = null;
		for (Worker worker : this.pool.workers()) {
			WorkerInventory inventory = worker.inventory();
			if (!worker.healthy() || inventory == null) {
				continue;
			}
			if (inventory.serves(model, version)) {
				return Optional.empty();
			}
			WorkerInventory.ServedModel served = inventory.models().get(model);
			if (reason == null && served != null && served.failed().containsKey(version)) {
				reason = "worker " + worker.id() + ": " + served.failed().get(version);
			}
		}
		return Optional.ofNullable(reason);
	}

	/**
	 * The versions in the model store as the healthy workers report them, by model (their
	 * union: workers share the store).
	 */
	public SortedMap<String, SortedSet<Long>> inStore() {
		SortedMap<String, SortedSet<Long>> store = new TreeMap<>();
		for (Worker worker : this.pool.workers()) {
			WorkerInventory inventory = worker.inventory();
			if (!worker.healthy() || inventory == null) {
				continue;
			}
			inventory.models().forEach((name, served) -> {
				if (!served.inStore().isEmpty()) {
					store.computeIfAbsent(name, (n) -> new TreeSet<>()).addAll(served.inStore());
				}
			});
		}
		return store;
	}

	/** Every worker this replica knows, configured first, with what it reports. */
	public List<WorkerReport> reports() {
		List<WorkerReport> reports = new ArrayList<>();
		for (Worker worker : this.pool.workers()) {
			reports.add(new WorkerReport(worker.id(), worker.healthy(), worker.inventory()));
		}
		return reports;
	}

	/** See {@link #availability}. */
	public enum Availability {

		AVAILABLE, CONVERGING, UNAVAILABLE, UNKNOWN

	}

	/**
	 * One worker as this replica sees it.
	 *
	 * @param id configured-N or the id it registered with
	 * @param healthy in the rotation now
	 * @param inventory what it reports, {@code null} while not known
	 */
	public record WorkerReport(String id, boolean healthy, WorkerInventory inventory) {

		/** This worker's report on one model, if it has one. */
		public Optional<WorkerInventory.ServedModel> model(String model) {
			return Optional.ofNullable((this.inventory != null) ? this.inventory.models().get(model) : null);
		}

	}

}
