/**
 * The data plane: the path parsed once into a DataPlaneRoute, then request log, API key,
 * model grant and quota filters in order, and the forward to a worker.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Gateway")
package dev.warden.platform.gateway;
