/**
 * The serving APIs: TF Serving's REST API ({@code /v1/models/**}: predict, classify,
 * regress, status, metadata) and the Open Inference Protocol v2 ({@code /v2/**}), over
 * one validation path from JSON to checked input columns.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Serving API")
package dev.warden.worker.serving;
