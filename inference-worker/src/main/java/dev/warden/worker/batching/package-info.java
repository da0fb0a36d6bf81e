/**
 * Dynamic batching per model: concurrent requests for one version and signature become
 * one TensorFlow call; the inference metrics.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Batching")
package dev.warden.worker.batching;
