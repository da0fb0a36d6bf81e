/**
 * Cross-cutting setup: the console's sign-in as an OAuth2/OIDC client (registration
 * {@code warden}), its security filter chain, token handling for calls to platform-api,
 * the response headers every chain writes
 * ({@link dev.warden.console.system.ConsoleHeaders}), the console's public origin
 * (redirects never take the request's {@code Host}), the error pages, the signed-out
 * page, and what every page shares: the signed-in user ({@code ConsoleUser}) and the
 * outcome of an action ({@code Message}).
 */
@org.springframework.modulith.ApplicationModule(displayName = "System")
package dev.warden.console.system;
