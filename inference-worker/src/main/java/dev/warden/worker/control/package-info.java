/**
 * Control endpoints called by platform-api only ({@code /internal/**}): validation of an
 * uploaded SavedModel before platform-api stores it, and the datasets shipped with the
 * worker as reference data for explainability reports. Like the rest of the worker they
 * have no authentication: the worker listens on loopback (or a private network) and only
 * platform-api may reach it.
 */
package dev.warden.worker.control;
