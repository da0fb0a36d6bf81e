package dev.warden.worker.batching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.warden.worker.TrainedModels;
import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.LoaderProperties;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.loader.SavedModelLoader;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.source.ServableId;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/**
 * The batching queue with two real income versions (small, trained with different seeds).
 * Where a test needs requests to queue up, the first TensorFlow call is held at a gate
 * until they are queued, so that nothing depends on timing.
 */
class ModelBatcherIntegrationTests {

	private static LoadedServable v1;

	private static LoadedServable v2;

	private static SignatureSpec signature;

	private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

	private final InferenceMetrics metrics = new InferenceMetrics(registry);

	private final ExecutorService clients = Executors.newFixedThreadPool(40);

	/** Every TensorFlow call made through the batcher: servable and rows. */
	private final List<Call> calls = Collections.synchronizedList(new ArrayList<>());

	private final CountDownLatch gateEntered = new CountDownLatch(1);

	private final CountDownLatch gateOpen = new CountDownLatch(1);

	@BeforeAll
	static void load() {
		SavedModelLoader loader = new SavedModelLoader(new LoaderProperties(-1, 1, 1_048_576));
		v1 = loader.load(new ServableId("income", 1), TrainedModels.income());
		v2 = loader.load(new ServableId("income", 2), TrainedModels.otherIncome());
		signature = v1.signatures().get("serving_default");
	}

	@AfterAll
	static void close() {
		v1.close();
		v2.close();
	}

	@AfterEach
	void stopClients() throws InterruptedException {
		gateOpen.countDown();
		clients.shutdownNow();
		clients.awaitTermination(30, TimeUnit.SECONDS);
	}

	@Test
	void concurrentRequestsOfVariousRowCountsGetExactlyTheirOwnRows() throws Exception {
		ModelBatcher batcher = batcher(new BatchSettings(true, 8, Duration.ofNanos(200_000), 1000, 1), recording());
		List<Future<?>> results = new ArrayList<>();
		for (int client = 0; client < 32; client++) {
			int seed = client;
			results.add(clients.submit(() -> {
				Random random = new Random(seed);
				for (int i = 0; i < 25; i++) {
					LoadedServable servable = random.nextBoolean() ? v1 : v2;
					Map<String, InputColumn> inputs = IncomeFixture.randomInputs(signature, 1 + random.nextInt(12),
							random);
					IncomeFixture.assertSameOutputs(run(batcher, servable, inputs),
							servable.run("serving_default", inputs));
				}
				return null;
			}));
		}
		for (Future<?> result : results) {
			result.get(120, TimeUnit.SECONDS);
		}
		assertThat(calls).allSatisfy(call -> assertThat(call.rows()).isBetween(1, 8));
		assertThat(batcher.queuedRequests()).isZero();
	}

	@Test
	void requestsQueuedWhileABatchRunsGoTogetherInOneCall() throws Exception {
		ModelBatcher batcher = batcher(new BatchSettings(true, 64, Duration.ZERO, 100, 1), gated());
		Random random = new Random(1);
		Map<String, InputColumn> first = IncomeFixture.randomInputs(signature, 1, random);
		CompletableFuture<Map<String, OutputColumn>> held = submit(batcher, v1, first);
		assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
		List<Map<String, InputColumn>> inputs = new ArrayList<>();
		List<CompletableFuture<Map<String, OutputColumn>>> queued = new ArrayList<>();
		for (int i = 0; i < 10; i++) {
			inputs.add(IncomeFixture.randomInputs(signature, 1 + i % 3, random));
			queued.add(submit(batcher, v1, inputs.get(i)));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> batcher.queuedRequests() == 10);

		gateOpen.countDown();

		IncomeFixture.assertSameOutputs(held.get(30, TimeUnit.SECONDS), v1.run("serving_default", first));
		for (int i = 0; i < 10; i++) {
			IncomeFixture.assertSameOutputs(queued.get(i).get(30, TimeUnit.SECONDS),
					v1.run("serving_default", inputs.get(i)));
		}
		assertThat(calls).hasSize(2);
		assertThat(calls.get(1).rows()).isEqualTo(inputs.stream().mapToInt(in -> in.get("age").rows()).sum());
		assertThat(registry.get("warden.worker.tensorflow.calls").counter().count()).isEqualTo(2);
	}

	@Test
	void differentVersionsAndSignaturesAreNeverMixedInABatch() throws Exception {
		ModelBatcher batcher = batcher(new BatchSettings(true, 64, Duration.ZERO, 100, 1), gated());
		Random random = new Random(2);
		CompletableFuture<Map<String, OutputColumn>> held = submit(batcher, v1,
				IncomeFixture.randomInputs(signature, 1, random));
		assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
		List<LoadedServable> servables = List.of(v2, v1, v2, v1, v2, v1);
		List<Map<String, InputColumn>> inputs = new ArrayList<>();
		List<CompletableFuture<Map<String, OutputColumn>>> queued = new ArrayList<>();
		for (LoadedServable servable : servables) {
			inputs.add(IncomeFixture.randomInputs(signature, 2, random));
			queued.add(submit(batcher, servable, inputs.get(inputs.size() - 1)));
		}
		await().atMost(Duration.ofSeconds(30)).until(() -> batcher.queuedRequests() == servables.size());

		gateOpen.countDown();

		held.get(30, TimeUnit.SECONDS);
		for (int i = 0; i < servables.size(); i++) {
			IncomeFixture.assertSameOutputs(queued.get(i).get(30, TimeUnit.SECONDS),
					servables.get(i).run("serving_default", inputs.get(i)));
		}
		// the held call, then one batch per version, each holding only its own version's
		// requests
		assertThat(calls).hasSize(3);
		assertThat(calls.get(0)).isEqualTo(new Call(v1, 1));
		assertThat(calls.subList(1, 3)).containsExactlyInAnyOrder(new Call(v1, 6), new Call(v2, 6));
	}

	@Test
	void fullQueueRejectsAtOnceWithoutWaiting() throws Exception {
		ModelBatcher batcher = batcher(new BatchSettings(true, 64, Duration.ZERO, 2, 1), gated());
		Random random = new Random(3);
		CompletableFuture<Map<String, OutputColumn>> held = submit(batcher, v1,
				IncomeFixture.randomInputs(signature, 1, random));
		assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
		var second = submit(batcher, v1, IncomeFixture.randomInputs(signature, 1, random));
		var third = submit(batcher, v1, IncomeFixture.randomInputs(signature, 1, random));
		await().atMost(Duration.ofSeconds(30)).until(() -> batcher.queuedRequests() == 2);

		assertThatThrownBy(() -> run(batcher, v1, IncomeFixture.randomInputs(signature, 1, random)))
			.isInstanceOf(QueueFullException.class)
			.hasMessageContaining("overloaded")
			.satisfies(ex -> assertThat(((QueueFullException) ex).retryAfterSeconds()).isPositive());

		gateOpen.countDown();
		assertThat(held.get(30, TimeUnit.SECONDS)).containsKey("probability");
		assertThat(second.get(30, TimeUnit.SECONDS)).containsKey("probability");
		assertThat(third.get(30, TimeUnit.SECONDS)).containsKey("probability");
	}

	@Test
	void requestLargerThanTheMaximumBatchIsSplitAndAnsweredInOrder() {
		ModelBatcher batcher = batcher(new BatchSettings(true, 4, Duration.ZERO, 10, 1), recording());
		Map<String, InputColumn> inputs = IncomeFixture.randomInputs(signature, 10, new Random(4));

		Map<String, OutputColumn> outputs = run(batcher, v1, inputs);

		IncomeFixture.assertSameOutputs(outputs, v1.run("serving_default", inputs));
		assertThat(calls).extracting(Call::rows).containsExactly(4, 4, 2);
	}

	@Test
	void failureOfABatchCallReachesEveryRequestOfTheBatch() throws Exception {
		// the batch after the held call gets a matrix where the model takes a vector:
		// TensorFlow itself fails it
		java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
		TensorFlowCall breaking = (servable, key, inputs) -> {
			if (count.incrementAndGet() == 2) {
				InputColumn age = inputs.get("age");
				Map<String, InputColumn> broken = new java.util.LinkedHashMap<>(inputs);
				broken.put("age", new InputColumn(age.spec(), new long[] { age.rows(), 2 }, new float[age.rows() * 2]));
				return servable.run(key, broken);
			}
			return gated().run(servable, key, inputs);
		};
		ModelBatcher batcher = batcher(new BatchSettings(true, 64, Duration.ZERO, 10, 1), breaking);
		Random random = new Random(5);
		var held = submit(batcher, v1, IncomeFixture.randomInputs(signature, 1, random));
		assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
		var second = submit(batcher, v1, IncomeFixture.randomInputs(signature, 1, random));
		var third = submit(batcher, v1, IncomeFixture.randomInputs(signature, 2, random));
		await().atMost(Duration.ofSeconds(30)).until(() -> batcher.queuedRequests() == 2);

		gateOpen.countDown();

		assertThat(held.get(30, TimeUnit.SECONDS)).containsKey("probability");
		Throwable secondFailure = failure(second);
		Throwable thirdFailure = failure(third);
		assertThat(secondFailure).isInstanceOf(TFInvalidArgumentException.class);
		assertThat(thirdFailure).isSameAs(secondFailure);
		// the batcher still works afterwards
		assertThat(run(batcher, v1, IncomeFixture.randomInputs(signature, 1, random))).isNotNull();
	}

	@Test
	void anInterruptedWaitingRequestStillGetsItsRowsAndKeepsItsInterrupt() throws Exception {
		ModelBatcher batcher = batcher(new BatchSettings(true, 64, Duration.ZERO, 10, 1), gated());
		Random random = new Random(9);
		Map<String, InputColumn> first = IncomeFixture.randomInputs(signature, 1, random);
		var held = submit(batcher, v1, first);
		assertThat(gateEntered.await(30, TimeUnit.SECONDS)).isTrue();
		Map<String, InputColumn> waiting = IncomeFixture.randomInputs(signature, 3, random);
		var answer = new CompletableFuture<Map<String, OutputColumn>>();
		var interruptKept = new CompletableFuture<Boolean>();
		Thread waiter = new Thread(() -> {
			try {
				answer.complete(run(batcher, v1, waiting));
			}
			catch (Throwable ex) {
				answer.completeExceptionally(ex);
			}
			interruptKept.complete(Thread.currentThread().isInterrupted());
		}, "interrupted-waiter");
		waiter.start();
		await().atMost(Duration.ofSeconds(30)).until(() -> batcher.queuedRequests() == 1);
		// interrupted while its rows are queued behind the held batch: it keeps waiting
		// (the version must stay loaded until its batch is done) and is answered with the
		// next batch
		waiter.interrupt();
		Thread.sleep(200);
		assertThat(answer).isNotDone();

		gateOpen.countDown();

		IncomeFixture.assertSameOutputs(held.get(30, TimeUnit.SECONDS), v1.run("serving_default", first));
		IncomeFixture.assertSameOutputs(answer.get(30, TimeUnit.SECONDS), v1.run("serving_default", waiting));
		assertThat(interruptKept.get(30, TimeUnit.SECONDS)).isTrue();
		assertThat(batcher.queuedRequests()).isZero();
	}

	private static Throwable failure(CompletableFuture<?> future) {
		assertThatThrownBy(() -> future.get(30, TimeUnit.SECONDS))
			.isInstanceOf(java.util.concurrent.ExecutionException.class);
		return future
			.handle((value, ex) -> ex instanceof java.util.concurrent.CompletionException c ? c.getCause() : ex)
			.join();
	}

	private ModelBatcher batcher(BatchSettings settings, TensorFlowCall call) {
		return new ModelBatcher("income", settings, call);
	}

	private Map<String, OutputColumn> run(ModelBatcher batcher, LoadedServable servable,
			Map<String, InputColumn> inputs) {
		return batcher.run(servable, "serving_default", inputs, inputs.get("age").rows(),
				metrics.of("income", servable.id().version()));
	}

	private CompletableFuture<Map<String, OutputColumn>> submit(ModelBatcher batcher, LoadedServable servable,
			Map<String, InputColumn> inputs) {
		return CompletableFuture.supplyAsync(() -> run(batcher, servable, inputs), clients);
	}

	private TensorFlowCall recording() {
		return (servable, key, inputs) -> {
			calls.add(new Call(servable, inputs.get("age").rows()));
			return servable.run(key, inputs);
		};
	}

	/** Records the call; the first call waits at the gate until the test opens it. */
	private TensorFlowCall gated() {
		return (servable, key, inputs) -> {
			calls.add(new Call(servable, inputs.get("age").rows()));
			if (gateEntered.getCount() > 0) {
				gateEntered.countDown();
				try {
					gateOpen.await(60, TimeUnit.SECONDS);
				}
				catch (InterruptedException ex) {
					Thread.currentThread().interrupt();
				}
			}
			return servable.run(key, inputs);
		};
	}

	record Call(LoadedServable servable, int rows) {
	}

}
