/**
 * Encryption in transit, shared by the gateway, the inference worker and the console.
 *
 * <ul>
 * <li>{@link dev.warden.tls.TlsSettings}: the {@code warden.tls.*} settings (a
 * certificate and key, or a PKCS#12 key store; the CA of Warden's own processes; client
 * authentication; an optional plain port that only redirects).</li>
 * <li>{@link dev.warden.tls.TlsEnvironmentPostProcessor}: turns them into Spring Boot's
 * server SSL settings and installs the process's default {@code SSLContext} for outgoing
 * connections ({@link dev.warden.tls.ReloadingClientContext}).</li>
 * <li>{@link dev.warden.tls.TlsAutoConfiguration}: registers the server's SSL bundle,
 * reloads it when its files change, and adds the redirecting plain connector.</li>
 * <li>{@link dev.warden.tls.LocalCertificateAuthority}: the CA and certificates of a
 * one-machine install ({@code tls init}).</li>
 * </ul>
 */
package dev.warden.tls;
