/**
 * Which version of a model serves a request: canary shares, tenant and key pins, promote
 * and rollback.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Routing")
package dev.warden.platform.routing;
