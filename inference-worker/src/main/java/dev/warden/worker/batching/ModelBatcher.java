package dev.warden.worker.batching;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.OutputColumn;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batching queue of one model.
 *
 * <p>
 * Requests (or the chunks of a request larger than the maximum batch size) are queued by
 * batch key: the loaded version (by identity), the signature and the inner shape of the
 * inputs, so that different versions or signatures are never mixed. There are no
 * dedicated batch threads: a waiting request thread becomes the <em>leader</em> when
 * fewer than {@code batchThreads} batches are running, takes the oldest key's queued rows
 * (up to the maximum batch size), makes one TensorFlow call and hands every request of
 * the batch its rows of the answer. So a lone request on an idle model runs at once on
 * its own thread (no hand-off); requests arriving while a batch runs accumulate and go
 * together in the next one. The leader waits up to the queue delay (from the oldest
 * request's arrival) for a fuller batch only while the model has concurrent traffic (most
 * recent arrivals found other requests in flight); a single sequential client never
 * waits.
 *
 * <p>
 * Every request thread stays in {@link #run} until all its chunks are answered, so the
 * handle its caller holds keeps the version loaded while it is queued or running.
 * Thread-safe; the queues are guarded by one lock, but a waiting request thread does not
 * hold it or queue for it: it parks, and the leader that answers its last chunk marks it
 * done and unparks it after releasing the lock, so the threads of a batch leave at once
 * instead of taking the lock one after another (and the lock is free for the next
 * arrivals and the next leader meanwhile).
 */
final class ModelBatcher {

	private static final Logger log = LoggerFactory.getLogger(ModelBatcher.class);

	/**
	 * Share of recent arrivals that found company above which a leader waits for a fuller
	 * batch.
	 */
	private static final double CONCURRENT_TRAFFIC = 0.5;

	private static final long SAFETY_WAKEUP_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

	private final String model;

	private final BatchSettings settings;

	private final long delayNanos;

	private final ReentrantLock lock = new ReentrantLock();

	private final Condition batchFull = lock.newCondition();

	private final Map<BatchKey, KeyQueue> queues = new LinkedHashMap<>();

	/** Requests with at least one chunk still queued (the bounded quantity). */
	private volatile int queuedRequests;

	/** Requests between arrival and answer. */
	private int inSystem;

	private int leaders;

	/** Exponentially weighted share of arrivals that found another request in flight. */
	private double company;

	private final TensorFlowCall call;

	ModelBatcher(String model, BatchSettings settings, TensorFlowCall call) {
		this.model = model;
		this.call = call;
		this.settings = settings;
		this.delayNanos = settings.maxQueueDelay().toNanos();
	}

	int queuedRequests() {
		return queuedRequests;
	}

	/**
	 * Queues the request, waits until every row is answered and returns the outputs in
	 * row order.
	 * @throws QueueFullException at once if {@code maxQueueSize} requests are already
	 * waiting
	 */
	Map<String, OutputColumn> run(LoadedServable servable, String signature, Map<String, InputColumn> inputs, int rows,
			InferenceMetrics.VersionMeters meters) {
		BatchKey key = new BatchKey(servable, signature, innerShapes(inputs));
		List<Part> parts = split(inputs, rows);
		Request request = new Request(Thread.currentThread(), meters, parts.size());
		lock.lock();
		try {
			if (queuedRequests >= settings.maxQueueSize()) {
				throw new QueueFullException(model, settings.maxQueueSize(), 1);
			}
			company = company * 0.9 + (inSystem > 0 ? 0.1 : 0.0);
			inSystem++;
			queuedRequests++;
			KeyQueue queue = queues.computeIfAbsent(key, k -> new KeyQueue(k));
			long now = System.nanoTime();
			for (Part part : parts) {
				part.owner = request;
				part.key = key;
				part.enqueued = now;
				queue.parts.add(part);
				queue.rows += part.rows;
			}
			if (queue.rows >= settings.maxBatchSize()) {
				batchFull.signalAll();
			}
		}
		finally {
			lock.unlock();
		}
		try {
			while (!request.done) {
				List<Thread> wake = null;
				lock.lock();
				try {
					if (request.done) {
						break;
					}
					if (leaders < settings.batchThreads() && !queues.isEmpty()) {
						wake = lead(request);
					}
				}
				finally {
					lock.unlock();
				}
				if (wake != null) {
					wake.forEach(LockSupport::unpark);
				}
				else {
					// woken by the leader that answers this request's last chunk or
					// picks it to lead the next batch
					LockSupport.parkNanos(this, SAFETY_WAKEUP_NANOS);
					if (Thread.interrupted()) {
						// the version must stay loaded until the batch holding this
						// request is done: keep waiting
						request.interrupted = true;
					}
				}
			}
		}
		finally {
			if (request.interrupted) {
				Thread.currentThread().interrupt();
			}
		}
		return answer(parts);
	}

	/**
	 * Forms and runs one batch; called with the lock held, returns with it held.
	 * @return the threads to unpark once the lock is released: the requests this batch
	 * finished and the next leader, if any
	 */
	private List<Thread> lead(Request self) {
		leaders++;
		List<Part> batch;
		try {
			batch = form(self);
		}
		catch (RuntimeException | Error ex) {
			leaders--;
			throw ex;
		}
		List<Thread> wake = new ArrayList<>(batch.size() + 1);
		if (batch.isEmpty()) {
			leaders--;
			nextLeader(wake);
			return wake;
		}
		lock.unlock();
		try {
			execute(batch);
		}
		finally {
			lock.lock();
			leaders--;
			for (Part part : batch) {
				Request owner = part.owner;
				if (--owner.unanswered == 0) {
					inSystem--;
					// published after the outputs the batch wrote: a request that
					// reads done sees them
					owner.done = true;
					if (owner != self) {
						wake.add(owner.thread);
					}
				}
			}
			nextLeader(wake);
		}
		return wake;
	}

	/**
	 * Takes the rows of the oldest key, first waiting for a fuller batch if traffic is
	 * concurrent.
	 */
	private List<Part> form(Request self) {
		KeyQueue queue;
		while (true) {
			queue = oldest();
			if (queue == null) {
				return List.of();
			}
			long remaining = queue.parts.peek().enqueued + delayNanos - System.nanoTime();
			if (queue.rows >= settings.maxBatchSize() || remaining <= 0 || company < CONCURRENT_TRAFFIC) {
				break;
			}
			try {
				batchFull.awaitNanos(remaining);
			}
			catch (InterruptedException ex) {
				self.interrupted = true;
				break;
			}
		}
		List<Part> batch = new ArrayList<>();
		int rows = 0;
		long now = System.nanoTime();
		while (!queue.parts.isEmpty() && rows + queue.parts.peek().rows <= settings.maxBatchSize()) {
			Part part = queue.parts.poll();
			rows += part.rows;
			queue.rows -= part.rows;
			batch.add(part);
			part.owner.meters.queueWait(now - part.enqueued);
			if (--part.owner.unqueued == 0) {
				queuedRequests--;
			}
		}
		if (queue.parts.isEmpty()) {
			queues.remove(queue.key);
		}
		return batch;
	}

	private KeyQueue oldest() {
		KeyQueue oldest = null;
		for (KeyQueue queue : queues.values()) {
			if (oldest == null || queue.parts.peek().enqueued - oldest.parts.peek().enqueued < 0) {
				oldest = queue;
			}
		}
		return oldest;
	}

	/** Adds the thread that should lead the next batch, if a leader is wanted. */
	private void nextLeader(List<Thread> wake) {
		if (leaders < settings.batchThreads()) {
			KeyQueue queue = oldest();
			if (queue != null) {
				wake.add(queue.parts.peek().owner.thread);
			}
		}
	}

	/**
	 * One TensorFlow call for the whole batch; never throws, failures are handed to every
	 * request of the batch.
	 */
	private void execute(List<Part> batch) {
		Part first = batch.get(0);
		BatchKey key = first.key;
		InferenceMetrics.VersionMeters meters = first.owner.meters;
		try {
			if (batch.size() == 1) {
				first.outputs = call.run(key.servable, key.signature, first.inputs);
				meters.tensorflowCall(first.rows, 1);
				return;
			}
			int rows = 0;
			for (Part part : batch) {
				rows += part.rows;
			}
			Map<String, InputColumn> inputs = new LinkedHashMap<>();
			for (String name : first.inputs.keySet()) {
				List<InputColumn> columns = new ArrayList<>(batch.size());
				batch.forEach(part -> columns.add(part.inputs.get(name)));
				inputs.put(name, Columns.concat(columns));
			}
			Map<String, OutputColumn> outputs = call.run(key.servable, key.signature, inputs);
			meters.tensorflowCall(rows, batch.size());
			if (!rowAligned(outputs, rows)) {
				log.warn("Outputs of {} signature {} do not have one entry per input row: running the {} requests of "
						+ "the batch one by one", key.servable.id(), key.signature, batch.size());
				for (Part part : batch) {
					part.outputs = call.run(key.servable, key.signature, part.inputs);
					meters.tensorflowCall(part.rows, 1);
				}
				return;
			}
			int offset = 0;
			for (Part part : batch) {
				Map<String, OutputColumn> own = new LinkedHashMap<>();
				for (OutputColumn column : outputs.values()) {
					own.put(column.name(), Columns.slice(column, offset, offset + part.rows));
				}
				part.outputs = own;
				offset += part.rows;
			}
		}
		catch (RuntimeException | Error ex) {
			batch.forEach(part -> part.failure = ex);
		}
	}

	private static boolean rowAligned(Map<String, OutputColumn> outputs, int rows) {
		for (OutputColumn column : outputs.values()) {
			if (column.shape().length == 0 || column.rowCount() != rows) {
				return false;
			}
		}
		return true;
	}

	private List<Part> split(Map<String, InputColumn> inputs, int rows) {
		int max = settings.maxBatchSize();
		if (rows <= max) {
			return List.of(new Part(inputs, rows));
		}
		List<Part> parts = new ArrayList<>();
		for (int from = 0; from < rows; from += max) {
			int to = Math.min(rows, from + max);
			Map<String, InputColumn> chunk = new LinkedHashMap<>();
			for (var entry : inputs.entrySet()) {
				chunk.put(entry.getKey(), Columns.slice(entry.getValue(), from, to));
			}
			parts.add(new Part(chunk, to - from));
		}
		return parts;
	}

	private static Map<String, OutputColumn> answer(List<Part> parts) {
		for (Part part : parts) {
			if (part.failure instanceof RuntimeException ex) {
				throw ex;
			}
			if (part.failure instanceof Error error) {
				throw error;
			}
		}
		if (parts.size() == 1) {
			return parts.get(0).outputs;
		}
		Map<String, OutputColumn> joined = new LinkedHashMap<>();
		for (String name : parts.get(0).outputs.keySet()) {
			List<OutputColumn> columns = new ArrayList<>(parts.size());
			parts.forEach(part -> columns.add(part.outputs.get(name)));
			joined.put(name, Columns.concatOutputs(columns));
		}
		return joined;
	}

	private static String innerShapes(Map<String, InputColumn> inputs) {
		StringBuilder text = new StringBuilder();
		for (var entry : inputs.entrySet()) {
			String inner = Columns.innerShape(entry.getValue().shape());
			if (!inner.isEmpty()) {
				text.append(entry.getKey()).append('=').append(inner).append(';');
			}
		}
		return text.toString();
	}

	/**
	 * What may share a TensorFlow call: the same loaded version (identity), signature and
	 * inner input shapes.
	 */
	private record BatchKey(LoadedServable servable, String signature, String innerShapes) {

		@Override
		public boolean equals(Object other) {
			return other instanceof BatchKey key && servable == key.servable && signature.equals(key.signature)
					&& innerShapes.equals(key.innerShapes);
		}

		@Override
		public int hashCode() {
			return System.identityHashCode(servable) * 31 + signature.hashCode() * 17 + innerShapes.hashCode();
		}

	}

	private static final class KeyQueue {

		final BatchKey key;

		final ArrayDeque<Part> parts = new ArrayDeque<>();

		int rows;

		KeyQueue(BatchKey key) {
			this.key = key;
		}

	}

	private static final class Request {

		final Thread thread;

		/** Every chunk is answered (set under the lock, read without it). */
		volatile boolean done;

		final InferenceMetrics.VersionMeters meters;

		/** Chunks not answered yet. */
		int unanswered;

		/** Chunks still in the queue. */
		int unqueued;

		/** The thread was interrupted while waiting; restored when it leaves. */
		boolean interrupted;

		Request(Thread thread, InferenceMetrics.VersionMeters meters, int parts) {
			this.thread = thread;
			this.meters = meters;
			this.unanswered = parts;
			this.unqueued = parts;
		}

	}

	private static final class Part {

		final Map<String, InputColumn> inputs;

		final int rows;

		BatchKey key;

		Request owner;

		long enqueued;

		Map<String, OutputColumn> outputs;

		Throwable failure;

		Part(Map<String, InputColumn> inputs, int rows) {
			this.inputs = inputs;
			this.rows = rows;
		}

	}

}
