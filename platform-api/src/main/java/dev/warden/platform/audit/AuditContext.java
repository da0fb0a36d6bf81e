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
 */
record AuditContext(List<String> roles, String clientAddress, String userAgent, String requestId) {

	static final int MAX_USER_AGENT = 512;

	static final AuditContext SYSTEM = new AuditContext(List.of(), null, null, null);

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
		return new AuditContext(currentRoles(), request.getRemoteAddr(), userAgent, RequestIds.of(request));
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
