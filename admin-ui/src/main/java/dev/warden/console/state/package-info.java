/**
 * What console replicas share, kept by platform-api (its internal console state API,
 * authenticated with {@code warden.console.state.token}): the embedded authorization
 * server's signing keys, its OAuth2 authorizations, and the HTTP sessions (Spring
 * Session). Without the token nothing here is active and the console keeps all three in
 * memory, per process.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Shared console state")
package dev.warden.console.state;
