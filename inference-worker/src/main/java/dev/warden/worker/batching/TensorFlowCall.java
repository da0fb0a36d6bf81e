package dev.warden.worker.batching;

import java.util.Map;

import dev.warden.worker.loader.InputColumn;
import dev.warden.worker.loader.LoadedServable;
import dev.warden.worker.loader.OutputColumn;

/**
 * One call of a loaded version: {@link LoadedServable#run} in production. A seam so that
 * tests can hold a running batch at a known point (and so make queueing deterministic)
 * while still calling the real model.
 */
@FunctionalInterface
interface TensorFlowCall {

	TensorFlowCall DIRECT = LoadedServable::run;

	Map<String, OutputColumn> run(LoadedServable servable, String signature, Map<String, InputColumn> inputs);

}
