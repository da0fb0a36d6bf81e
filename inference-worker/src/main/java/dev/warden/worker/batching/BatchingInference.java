package dev.warden.worker.batching;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.OutputColumn;
import dev.warden.worker.loader.SignatureSpec;
import dev.warden.worker.loader.TensorSpec;
import dev.warden.worker.manager.ServableHandle;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import org.tensorflow.exceptions.TFInvalidArgumentException;

/**
 * The one way request paths run a model: through the model's dynamic batching queue when
 * batching is enabled for it, otherwise as a direct call on the caller's thread. Records
 * the inference metrics either way.
 *
 * <p>
 * Contract: the caller holds {@code handle} open for the whole call (this method returns
 * only when the request's rows are answered, so a queued request keeps its version
 * loaded) and closes it afterwards. Inputs must be validated against the signature.
 * Thread-safe; called concurrently by request threads.
 */
@Component
public class BatchingInference {

	private final BatchingProperties properties;

	private final InferenceMetrics metrics;

	private final Map<String, ModelBatcher> batchers = new ConcurrentHashMap<>();

	private volatile TensorFlowCall call = TensorFlowCall.DIRECT;

	public BatchingInference(BatchingProperties properties, MeterRegistry registry) {
		this.properties = properties;
		this.metrics = new InferenceMetrics(registry);
	}

	/**
	 * Runs {@code signature} of the handle's version on {@code inputs} (batched with
	 * other requests of the same version and signature when batching is enabled) and
	 * returns this request's rows of every output.
	 * @throws QueueFullException if the model's queue is full (rejected at once)
	 * @throws IllegalArgumentException if the signature is unknown
	 * @throws org.tensorflow.exceptions.TensorFlowException if TensorFlow fails the call
	 * (every request of the batch gets the same exception)
	 */
	public Map<String, OutputColumn> run(ServableHandle<LoadedServable> handle, String signature,
			Map<String, InputColumn> inputs) {
		long started = System.nanoTime();
		InferenceMetrics.VersionMeters meters = metrics.of(handle.model(), handle.version());
		String outcome = InferenceMetrics.ERROR;
		try {
			LoadedServable servable = handle.servable();
			BatchSettings settings = properties.forModel(handle.model());
			int rows = batchRows(servable.signatures().get(signature), inputs);
			Map<String, OutputColumn> outputs;
			if (!settings.enabled() || rows < 0) {
				outputs = call.run(servable, signature, inputs);
				meters.tensorflowCall(Math.max(rows, 1), 1);
			}
			else {
				outputs = batcher(handle.model(), settings).run(servable, signature, inputs, rows, meters);
			}
			outcome = InferenceMetrics.OK;
			return outputs;
		}
		catch (QueueFullException ex) {
			outcome = InferenceMetrics.OVERLOADED;
			throw ex;
		}
		catch (TFInvalidArgumentException ex) {
			outcome = InferenceMetrics.INVALID_ARGUMENT;
			throw ex;
		}
		finally {
			meters.request(outcome, System.nanoTime() - started);
		}
	}

	/** Settings in effect for {@code model}. */
	public BatchSettings settings(String model) {
		return properties.forModel(model);
	}

	/**
	 * Replaces how TensorFlow is called; for tests that need to hold a batch (see
	 * {@link TensorFlowCall}).
	 */
	void callThrough(TensorFlowCall replacement) {
		this.call = replacement;
	}

	private ModelBatcher batcher(String model, BatchSettings settings) {
		return batchers.computeIfAbsent(model, name -> {
			ModelBatcher batcher = new ModelBatcher(name, settings,
					(servable, signature, inputs) -> call.run(servable, signature, inputs));
			metrics.queueDepth(name, batcher::queuedRequests);
			return batcher;
		});
	}

	/**
	 * The request's rows if it can be batched: every input of the signature is given, has
	 * a variable batch dimension and the same number of rows; otherwise -1 (run
	 * directly).
	 */
	static int batchRows(SignatureSpec signature, Map<String, InputColumn> inputs) {
		if (signature == null || inputs.isEmpty() || inputs.size() != signature.inputs().size()) {
			return -1;
		}
		int rows = -1;
		for (var entry : inputs.entrySet()) {
			TensorSpec spec = signature.inputs().get(entry.getKey());
			long[] shape = entry.getValue().shape();
			if (spec == null || spec.unknownRank() || spec.dims().length == 0 || spec.dims()[0] != -1
					|| shape.length == 0 || shape[0] < 1) {
				return -1;
			}
			if (rows == -1) {
				rows = (int) shape[0];
			}
			else if (rows != shape[0]) {
				return -1;
			}
		}
		return rows;
	}

}
