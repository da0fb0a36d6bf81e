/**
 * The embedded OAuth2 / OpenID Connect authorization server: configured users, the
 * {@code warden-console} and {@code warden-cli} clients, the {@code roles} token claim
 * and the sign-in page with its failure budgets per user name and client address, which
 * publish {@link dev.warden.console.identity.SignInFailed} and
 * {@link dev.warden.console.identity.SignInLockedOut}. Active unless an external issuer
 * is configured. Failure budgets are kept in memory, per replica; authorizations and the
 * signing key too, unless the console state is kept in platform-api (module
 * {@code state}).
 */
@org.springframework.modulith.ApplicationModule(displayName = "Embedded identity provider")
package dev.warden.console.identity;
