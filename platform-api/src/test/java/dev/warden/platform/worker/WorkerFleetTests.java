package dev.warden.platform.worker;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.support.StaticListableBeanFactory;

import dev.warden.platform.worker.WorkerInventory.ServedModel;
import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerFleetTests {

	private final AtomicLong generation = new AtomicLong(7);

	private final WorkerPool pool = new WorkerPool(
			new WorkerProperties("http://w1:8081", null, 1, Duration.ofSeconds(1), Duration.ofSeconds(60), null,
					Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2), null));

	private final DesiredStateProvider desired = () -> Optional
		.of(new DesiredState(this.generation.get(), new TreeMap<>()));

	private final WorkerFleet fleet = new WorkerFleet(this.pool,
			new StaticListableBeanFactory(Map.of("desired", this.desired)).getBeanProvider(DesiredStateProvider.class));

	private Worker worker() {
		Worker worker = this.pool.workers().get(0);
		worker.polled(true);
		return worker;
	}

	private static WorkerInventory serving(long version, long appliedGeneration) {
		TreeSet<Long> versions = new TreeSet<>();
		versions.add(version);
		return new WorkerInventory(Map.of("m", new ServedModel(versions, Map.of())), appliedGeneration, true);
	}

	@Test
	void aReportFromTheCurrentGenerationIsTrustedByBoth() {
		worker().inventory(serving(2, 7));
		assertThat(this.fleet.availability("m", 2)).isEqualTo(WorkerFleet.Availability.AVAILABLE);
		assertThat(this.fleet.availabilityAfterChange("m", 2)).isEqualTo(WorkerFleet.Availability.AVAILABLE);
	}

	@Test
	void aReportFromBeforeTheLatestChangeIsNotTrustedAfterTheChange() {
		// the worker last reported version 2 under generation 6; a hold released and
		// placed again since made the desired state generation 7, and the worker may have
		// unloaded version 2 in between
		worker().inventory(serving(2, 6));
		assertThat(this.fleet.availability("m", 2)).isEqualTo(WorkerFleet.Availability.AVAILABLE);
		assertThat(this.fleet.availabilityAfterChange("m", 2)).isEqualTo(WorkerFleet.Availability.CONVERGING);
		// once it reports the current generation, its report counts again
		worker().inventory(serving(2, 7));
		assertThat(this.fleet.availabilityAfterChange("m", 2)).isEqualTo(WorkerFleet.Availability.AVAILABLE);
	}

}
