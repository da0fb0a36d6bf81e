/**
 * Per-request explanations computed next to the loaded model: integrated gradients
 * ({@link dev.warden.worker.explain.IntegratedGradients}) for versions that export
 * Warden's explain signatures, KernelSHAP ({@link dev.warden.worker.explain.KernelShap})
 * and occlusion ({@link dev.warden.worker.explain.Occlusion}) for any tabular version
 * through its serving signature, and token attributions for text models. The explainers
 * are pure Java against batched model functions
 * ({@link dev.warden.worker.explain.BatchModel},
 * {@link dev.warden.worker.explain.GradientModel}); the adapters evaluate those functions
 * in a few large TensorFlow calls directly on the loaded servable, never through the
 * dynamic batching queue. docs/explainability.md describes the methods and the model-side
 * contract.
 */
package dev.warden.worker.explain;
