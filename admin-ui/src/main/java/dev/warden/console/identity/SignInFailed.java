package dev.warden.console.identity;

/**
 * A sign-in at the embedded authorization server failed: a wrong password or a name that
 * is no user. Published synchronously on the sign-in request, after the failure was
 * counted and before the answer is sent.
 *
 * @param username the name as entered (trimmed)
 * @param knownUser whether the name is a configured user; for the audit trail only, the
 * person signing in gets the same answer either way
 * @param clientAddress the client's address ({@code getRemoteAddr()})
 * @param userAgent the client's {@code User-Agent}, or null
 */
public record SignInFailed(String username, boolean knownUser, String clientAddress, String userAgent) {
}
