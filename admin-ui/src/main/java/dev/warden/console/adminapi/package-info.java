/**
 * Client of platform-api's admin REST API ({@code /api/admin/**}), called with the signed-in user's access token.
 * The console keeps no data of its own: everything it shows comes from here.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Admin API client")
package dev.warden.console.adminapi;
