/**
 * Cross-cutting setup: the console's sign-in as an OAuth2/OIDC client (registration {@code warden}), its security
 * filter chain, token handling for calls to platform-api, and the signed-out page.
 */
@org.springframework.modulith.ApplicationModule(displayName = "System")
package dev.warden.console.system;
