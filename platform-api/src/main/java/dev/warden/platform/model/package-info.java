/**
 * Models and versions: the catalogue synced from the workers, uploads into the model
 * store, and grants of models to tenants.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Model catalogue")
package dev.warden.platform.model;
