/**
 * TF Serving's source: scans the model store ({@code <store>/<model>/<version>/}) and
 * applies each model's version policy, which yields the aspired versions; store, policy
 * and label settings.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Source")
package dev.warden.worker.source;
