/**
 * The console's shared state: the embedded authorization server's signing keys, its
 * OAuth2 authorizations and the console's HTTP sessions, kept in PostgreSQL for every
 * console replica behind the internal API {@code /internal/platform/console/**} (bearer
 * token {@code warden.console-state.token}). API: the settings
 * ({@link ConsoleStateProperties}); the stores, their encryption, the token check and the
 * purge are in {@code consolestate.internal}.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Console state")
package dev.warden.platform.consolestate;
