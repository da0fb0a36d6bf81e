package dev.warden.platform.worker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

import dev.warden.platform.worker.WorkerClient.WorkerResponse;

import dev.warden.platform.worker.internal.Worker;
import dev.warden.platform.worker.internal.WorkerPool;
import dev.warden.platform.worker.internal.WorkerRegistrations;

/**
 * Keeps {@link WorkerPool} current. Every {@code warden.worker.health-interval} each
 * configured worker is asked {@code GET /internal/v1/status} (what it serves, with
 * labels); a worker without that endpoint is asked TF Serving's {@code GET /v1/models}
 * instead, and one that answers neither is kept in the rotation with an unknown
 * inventory. A worker that cannot be reached is out of the rotation until a poll reaches
 * it again. A worker that reports an older desired-state generation than the platform's
 * is sent the current desired state ({@code PUT /internal/v1/desired-state}). Every
 * {@code warden.registration.refresh-interval} the live registrations are re-read from
 * the database, so every gateway replica sees a worker that registered with any of them.
 */
@Component
class WorkerMonitor implements SchedulingConfigurer, SmartInitializingSingleton {

	private static final Logger log = LoggerFactory.getLogger(WorkerMonitor.class);

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final WorkerPool pool;

	private final WorkerClient client;

	private final WorkerRegistrations registrations;

	private final Duration healthInterval;

	private final Duration pollTimeout;

	private final Duration registrationRefresh;

	private final ObjectProvider<DesiredStateProvider> desired;

	WorkerMonitor(WorkerPool pool, WorkerClient client, WorkerRegistrations registrations, WorkerProperties properties,
			RegistrationProperties registration, ObjectProvider<DesiredStateProvider> desired) {
		this.pool = pool;
		this.desired = desired;
		this.client = client;
		this.registrations = registrations;
		this.healthInterval = properties.healthInterval();
		this.pollTimeout = properties.connectTimeout().plus(properties.healthInterval());
		this.registrationRefresh = registration.refreshInterval();
	}

	/**
	 * Polls the configured workers every {@code warden.worker.health-interval} and
	 * re-reads the registrations every {@code warden.registration.refresh-interval}, both
	 * from their properties records (the one place their defaults are written).
	 */
	@Override
	public void configureTasks(ScheduledTaskRegistrar tasks) {
		tasks.addFixedDelayTask(this::pollConfigured, this.healthInterval);
		tasks.addFixedDelayTask(this::refreshRegistrations, this.registrationRefresh);
	}

	/**
	 * Reads the registrations and polls the configured workers once before the web server
	 * takes requests, so that the first calls are routed by what the workers actually
	 * serve.
	 */
	@Override
	public void afterSingletonsInstantiated() {
		refreshRegistrations();
		pollConfigured();
	}

	void pollConfigured() {
		for (Worker worker : this.pool.configured()) {
			poll(worker);
		}
	}

	void poll(Worker worker) {
		boolean wasReachable = worker.reachable();
		try {
			WorkerResponse status = this.client.get(worker, "/internal/v1/status", this.pollTimeout);
			if (status.status() == 200) {
				WorkerInventory inventory = WorkerInventory.fromStatus(JSON.readTree(status.body()));
				worker.inventory(inventory);
				pushDesiredState(worker, inventory);
			}
			else {
				WorkerResponse listing = this.client.get(worker, "/v1/models", this.pollTimeout);
				JsonNode body = (listing.status() == 200) ? parse(listing.body()) : null;
				worker.inventory(
						(body != null && body.path("models").isArray()) ? WorkerInventory.fromListing(body) : null);
			}
			worker.polled(true);
			if (!wasReachable) {
				log.info("Worker {} is reachable again", worker);
			}
		}
		catch (IOException ex) {
			worker.polled(false);
			if (wasReachable) {
				log.warn("Worker {} is not reachable ({}); requests go to the other workers", worker, ex.getMessage());
			}
		}
		catch (RuntimeException ex) {
			// reachable, but its answer could not be read: keep routing to it without
			// knowing what it serves
			worker.inventory(null);
			worker.polled(true);
			log.debug("Status of worker {} could not be read: {}", worker, ex.getMessage());
		}
	}

	/**
	 * Sends the desired state to a configured worker that follows one and reports an
	 * older generation (or none yet). A worker that cannot take it is asked again at the
	 * next poll.
	 */
	private void pushDesiredState(Worker worker, WorkerInventory inventory) {
		DesiredStateProvider provider = this.desired.getIfAvailable();
		DesiredState state = (provider != null) ? provider.desiredState().orElse(null) : null;
		if (state == null || !inventory.followsDesiredState()
				|| (inventory.desiredGeneration() != null && inventory.desiredGeneration() >= state.generation())) {
			return;
		}
		try {
			WorkerResponse answer = this.client.put(worker, "/internal/v1/desired-state",
					JSON.writeValueAsBytes(state.toJson()), this.pollTimeout);
			if (answer.status() == 200) {
				log.debug("Worker {} was sent desired state generation {}", worker, state.generation());
			}
			else {
				log.warn("Worker {} answered {} to the desired state (generation {}): {}", worker, answer.status(),
						state.generation(), new String(answer.body(), StandardCharsets.UTF_8));
			}
		}
		catch (IOException ex) {
			log.debug("Desired state not sent to {}: {}", worker, ex.getMessage());
		}
	}

	private static JsonNode parse(byte[] body) {
		try {
			return JSON.readTree(body);
		}
		catch (RuntimeException ex) {
			return null;
		}
	}

	void refreshRegistrations() {
		try {
			this.pool.registrations(this.registrations.live());
		}
		catch (RuntimeException ex) {
			log.warn("Worker registrations could not be reloaded (keeping the previous ones): {}", ex.getMessage());
		}
	}

}
