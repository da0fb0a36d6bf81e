/**
 * Cross-cutting set-up every module uses: security chains, the JSON error format, request
 * ids, paging and input rules of the admin API, the (embedded) database and
 * installation-wide settings.
 */
@org.springframework.modulith.ApplicationModule(displayName = "System")
package dev.warden.platform.system;
