/**
 * The embedded OAuth2 / OpenID Connect authorization server: configured users, the {@code warden-console} and
 * {@code warden-cli} clients, the {@code roles} token claim and the sign-in page. Active unless an external
 * issuer is configured. Authorizations are kept in memory.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Embedded identity provider")
package dev.warden.console.identity;
