/**
 * Which version of a model serves a request, and which versions every worker must load:
 * canary shares, tenant and key pins, promote and rollback, holds, the fallback when a
 * routed version can be served by no worker ({@link ModelRouting}, {@link VersionHolds}),
 * and the desired state derived from them ({@link AspiredVersions}), the one source of
 * truth the workers converge to. The transition records of fallbacks are in
 * {@code routing.internal}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Routing")
package dev.warden.platform.routing;
