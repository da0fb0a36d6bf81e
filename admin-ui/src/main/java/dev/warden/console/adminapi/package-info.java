/**
 * Client of platform-api's admin REST API ({@code /api/admin/**}), called with the
 * signed-in user's access token. The console keeps no data of its own: everything it
 * shows comes from here. Also reports sign-ins (with the user's token) and failed
 * sign-ins and lock-outs at the embedded authorization server (with the console's own
 * token) to the audit trail.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Admin API client")
package dev.warden.console.adminapi;
