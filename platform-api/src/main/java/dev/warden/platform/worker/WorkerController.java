package dev.warden.platform.worker;

import java.util.Map;
import java.util.TreeMap;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import dev.warden.platform.system.Page;
import dev.warden.platform.system.PageRequest;

import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;

/**
 * {@code GET /api/admin/workers}: the workers this gateway replica routes to, as it sees
 * them now.
 */
@RestController
class WorkerController {

	private final WorkerPool pool;

	WorkerController(WorkerPool pool) {
		this.pool = pool;
	}

	/**
	 * The workers in the order this replica knows them (configured first), one page at a
	 * time.
	 */
	@GetMapping(path = "/api/admin/workers", produces = MediaType.APPLICATION_JSON_VALUE)
	Page<WorkerView> workers(PageRequest page) {
		return Page.slice(this.pool.workers().stream().map(WorkerView::of).toList(), page);
	}

	/**
	 * One worker.
	 *
	 * @param id configured-N or the id it registered with
	 * @param url base URL
	 * @param source configured or registered
	 * @param healthy in the rotation now
	 * @param circuitBreaker CLOSED, OPEN, HALF_OPEN
	 * @param inFlight requests this replica has in flight to it
	 * @param forwarded requests this replica has sent to it since start
	 * @param desiredGeneration the generation of the platform's desired state it follows
	 * (null: none reported, or its own version policy)
	 * @param models what it serves, loads, failed and has in its store (null = not known)
	 */
	record WorkerView(String id, String url, String source, boolean healthy, String circuitBreaker, int inFlight,
			long forwarded, Long desiredGeneration, Map<String, WorkerInventory.ServedModel> models) {

		static WorkerView of(Worker worker) {
			WorkerInventory inventory = worker.inventory();
			return new WorkerView(worker.id(), worker.url(), worker.source().name().toLowerCase(), worker.healthy(),
					worker.breaker().getState().name(), worker.inFlight(), worker.forwarded(),
					(inventory != null) ? inventory.desiredGeneration() : null,
					(inventory != null) ? new TreeMap<>(inventory.models()) : null);
		}

	}

}
