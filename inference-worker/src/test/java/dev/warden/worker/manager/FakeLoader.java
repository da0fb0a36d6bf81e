package dev.warden.worker.manager;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.warden.worker.loader.Loader;
import dev.warden.worker.loader.ServableLoadException;
import dev.warden.worker.source.ServableId;

/**
 * A {@link Loader} of fake servables for the manager's unit tests, without TensorFlow: it
 * records what it loads and unloads, fails the versions it is told to fail, and can hold
 * a load at a gate until the test opens it, so that a version can be watched while it is
 * LOADING without depending on timing.
 */
final class FakeLoader implements Loader<FakeLoader.FakeServable> {

	/** What a request would run against: the version it is, until it is unloaded. */
	static final class FakeServable {

		private final ServableId id;

		private volatile boolean unloaded;

		FakeServable(ServableId id) {
			this.id = id;
		}

		ServableId id() {
			return id;
		}

		boolean unloaded() {
			return unloaded;
		}

	}

	/**
	 * A load held until {@link #open()}; {@link #awaitEntered()} waits for it to start.
	 */
	static final class Gate {

		private final CountDownLatch entered = new CountDownLatch(1);

		private final CountDownLatch open = new CountDownLatch(1);

		void awaitEntered() throws InterruptedException {
			if (!entered.await(60, TimeUnit.SECONDS)) {
				throw new AssertionError("the held load never started");
			}
		}

		void open() {
			open.countDown();
		}

	}

	private final Set<ServableId> failing = ConcurrentHashMap.newKeySet();

	private final Map<ServableId, Gate> gates = new ConcurrentHashMap<>();

	private final Map<ServableId, List<String>> warnings = new ConcurrentHashMap<>();

	private final List<ServableId> loads = Collections.synchronizedList(new ArrayList<>());

	private final List<ServableId> unloads = Collections.synchronizedList(new ArrayList<>());

	/** Loads of {@code id} fail (naming its directory) until {@link #heal}. */
	void fail(ServableId id) {
		failing.add(id);
	}

	void heal(ServableId id) {
		failing.remove(id);
	}

	/** The next load of {@code id} waits at the returned gate. */
	Gate hold(ServableId id) {
		Gate gate = new Gate();
		gates.put(id, gate);
		return gate;
	}

	/** Loaded servables of {@code id} come with these caveats. */
	void warn(ServableId id, String... caveats) {
		warnings.put(id, List.of(caveats));
	}

	/** The versions loaded successfully, in order. */
	List<ServableId> loads() {
		return List.copyOf(loads);
	}

	/** The versions unloaded, in order. */
	List<ServableId> unloads() {
		return List.copyOf(unloads);
	}

	@Override
	public FakeServable load(ServableId id, Path directory) {
		Gate gate = gates.remove(id);
		if (gate != null) {
			gate.entered.countDown();
			try {
				if (!gate.open.await(60, TimeUnit.SECONDS)) {
					throw new ServableLoadException("the test never opened the gate of " + id, null);
				}
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new ServableLoadException("interrupted while loading " + id, ex);
			}
		}
		if (failing.contains(id)) {
			throw new ServableLoadException("cannot load " + id + ": " + directory + " is broken", null);
		}
		loads.add(id);
		return new FakeServable(id);
	}

	@Override
	public List<String> warnings(FakeServable servable) {
		return warnings.getOrDefault(servable.id(), List.of());
	}

	@Override
	public void unload(FakeServable servable) {
		if (servable.unloaded) {
			throw new IllegalStateException(servable.id() + " unloaded twice");
		}
		servable.unloaded = true;
		unloads.add(servable.id());
	}

}
