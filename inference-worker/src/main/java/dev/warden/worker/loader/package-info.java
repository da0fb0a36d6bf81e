/**
 * TF Serving's loader: loads one version from a SavedModel (signatures read, warm-up run)
 * into a servable that runs a signature, and closes it again.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Loader")
package dev.warden.worker.loader;
