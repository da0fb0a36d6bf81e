package dev.warden.platform.worker;

import java.security.cert.X509Certificate;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.core.env.Environment;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

import dev.warden.platform.system.ApiException;

import dev.warden.platform.worker.internal.WorkerRegistrations;

/**
 * The check of every endpoint the platform offers to workers (heartbeats, the model
 * store): {@code Authorization: Bearer <registration token>}, compared in constant time,
 * and, when this gateway serves HTTPS and asks for client certificates of Warden's CA
 * ({@code warden.tls.*}), a certificate of that CA. Thread-safe.
 */
@Component
public class WorkerCallers {

	private final WorkerRegistrations registrations;

	/**
	 * Whether this gateway serves HTTPS and asks for client certificates of Warden's CA
	 * ({@code warden.tls.*}): then a worker must present one, besides the token.
	 */
	private final boolean clientCertificateRequired;

	WorkerCallers(WorkerRegistrations registrations, Environment environment) {
		this.registrations = registrations;
		this.clientCertificateRequired = environment.getProperty("warden.tls.enabled", Boolean.class, false)
				&& !"none".equals(environment.getProperty("server.ssl.client-auth", "none"));
	}

	/**
	 * Lets a worker's request through, or throws.
	 * @throws ApiException 403 {@code registration_disabled} when no token is configured,
	 * 401 {@code invalid_registration_token} without the token or with another one, 403
	 * {@code client_certificate_required} without a client certificate where one is
	 * required
	 */
	public void authenticate(HttpServletRequest request) {
		String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
		String token = (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7))
				? authorization.substring(7).strip() : null;
		this.registrations.authenticate(token);
		if (this.clientCertificateRequired && !hasClientCertificate(request)) {
			throw new ApiException(HttpStatus.FORBIDDEN, "client_certificate_required",
					"calls from workers must come over mutual TLS: present a certificate issued by the CA in warden.tls.ca");
		}
	}

	private static boolean hasClientCertificate(HttpServletRequest request) {
		// set by the web server only for a certificate that chains to the configured CA
		Object chain = request.getAttribute("jakarta.servlet.request.X509Certificate");
		return chain instanceof X509Certificate[] && ((X509Certificate[]) chain).length > 0;
	}

}
