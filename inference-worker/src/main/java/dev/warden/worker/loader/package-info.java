/**
 * TF Serving's loader: the {@link dev.warden.worker.loader.Loader} contract (load one
 * version into a servable, estimate its resources, unload it) and its TensorFlow
 * implementation, which opens a SavedModel, reads its signatures and warms it up; the
 * loaded servable runs a signature.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Loader")
package dev.warden.worker.loader;
