/**
 * The internal control API platform-api calls ({@code /internal/v1/**}): validation of an
 * uploaded SavedModel before platform-api stores it ({@code /internal/v1/validate}),
 * reload of a model after an upload ({@code /internal/v1/models/{m}:reload}) and its
 * labels, the SHA-256 of a version's files, and the datasets shipped with the worker as
 * reference data for explainability reports ({@code /internal/v1/datasets/{name}}).
 * {@code /internal/v1/status} stays with the registration it shares its facts with, and
 * the benchmark-only {@code /internal/v1/noop} with the benchmarks. Like the rest of the
 * worker these endpoints have no authentication: the worker listens on loopback (or a
 * private network) and only platform-api may reach it.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Control API")
package dev.warden.worker.control;
