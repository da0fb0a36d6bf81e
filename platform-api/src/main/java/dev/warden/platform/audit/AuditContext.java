package dev.warden.platform.audit;

import java.util.List;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.context.request.RequestAttributes;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

import dev.warden.platform.system.AdminTokenAuthentication;
import dev.warden.platform.system.RequestIds;

/**
 * Who and where an audit event comes from, taken from the current thread: the HTTP
 * request bound by Spring MVC ({@link RequestContextHolder}) and the authentication of
 * Spring Security ({@link SecurityContextHolder}). Outside a request (scheduled jobs,
 * start-up) everything is empty: a system event.
 *
 * @param roles the caller's roles ({@code ROLE_} authorities without the prefix), sorted
 * @param clientAddress the address the request came from
 * ({@link HttpServletRequest#getRemoteAddr()})
 * @param userAgent the {@code User-Agent} header, at most {@value #MAX_USER_AGENT}
 * characters
 * @param requestId the request's {@code X-Request-Id}
 * @param subject the caller's token subject ({@code sub}), or {@code null}
 * @param userName the user name the caller's token carries
 * ({@code warden.security.username-claim}), or {@code null}
 * @param issuer the caller's token issuer, or {@code null}
 */
record AuditContext(List<String> roles, String clientAddress, String userAgent, String requestId, String subject,
		String userName, String issuer) {

	static final int MAX_USER_AGENT = 512;

	/** Longest user name or issuer recorded; a longer one is cut. */
	static final int MAX_NAME = 256;

	static final AuditContext SYSTEM = new AuditContext(List.of(), null, null, null, null, null, null);

	AuditContext(List<String> roles, String clientAddress, String userAgent, String requestId) {
		this(roles, clientAddress, userAgent, requestId, null, null, null);
	}

	/**
	 * The user name to record next to {@code actor}: the caller's, when the actor is the
	 * caller (not for events a caller causes on behalf of someone else).
	 */
	String userNameOf(String actor) {
		return (this.subject != null && this.subject.equals(actor)) ? this.userName : null;
	}

	/** The issuer to record next to {@code actor}, under the same rule. */
	String issuerOf(String actor) {
		return (this.subject != null && this.subject.equals(actor)) ? this.issuer : null;
	}

	boolean inRequest() {
		return this.requestId != null;
	}

	static AuditContext current() {
		RequestAttributes attributes = RequestContextHolder.getRequestAttributes();
		if (!(attributes instanceof ServletRequestAttributes servlet)) {
			return SYSTEM;
		}
		HttpServletRequest request = servlet.getRequest();
		String userAgent = request.getHeader(HttpHeaders.USER_AGENT);
		if (userAgent != null && userAgent.length() > MAX_USER_AGENT) {
			userAgent = userAgent.substring(0, MAX_USER_AGENT);
		}
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication instanceof AdminTokenAuthentication caller) {
			return new AuditContext(currentRoles(), request.getRemoteAddr(), userAgent, RequestIds.of(request),
					caller.subject(), cut(caller.userName()), cut(caller.issuer()));
		}
		return new AuditContext(currentRoles(), request.getRemoteAddr(), userAgent, RequestIds.of(request));
	}

	private static String cut(String text) {
		return (text != null && text.length() > MAX_NAME) ? text.substring(0, MAX_NAME) : text;
	}

	private static List<String> currentRoles() {
		Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
		if (authentication == null) {
			return List.of();
		}
		return authentication.getAuthorities()
			.stream()
			.map(GrantedAuthority::getAuthority)
			.filter((authority) -> authority != null && authority.startsWith("ROLE_"))
			.map((authority) -> authority.substring("ROLE_".length()))
			.distinct()
			.sorted()
			.toList();
	}

}
