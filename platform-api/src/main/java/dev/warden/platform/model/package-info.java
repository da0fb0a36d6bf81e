/**
 * Models and versions: the catalogue synced from the workers, uploads into the model
 * store, and grants of models to tenants. API: {@link ModelCatalogue},
 * {@link ModelManagement}, {@link ModelGrants}; archive unpacking is in
 * {@code model.internal}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Model catalogue")
package dev.warden.platform.model;
