/**
 * Measurement aids for {@code bench/run.sh}: the HTTP floor
 * {@code POST /internal/v1/noop} (off unless enabled) and in-process TensorFlow calls;
 * not part of the serving API.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Benchmark")
package dev.warden.worker.benchmark;
