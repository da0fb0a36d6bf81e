package dev.warden.console.identity;

import java.util.Objects;

import jakarta.servlet.http.HttpServletRequest;

import org.springframework.http.HttpHeaders;
import org.springframework.security.web.authentication.WebAuthenticationDetails;

/**
 * What the sign-in form's request says about the client, captured once when the form is
 * posted: the address ({@code getRemoteAddr()}, as {@link WebAuthenticationDetails}) and
 * the {@code User-Agent} (at most {@value #MAX_USER_AGENT} characters), for the failure
 * budgets and the audit trail.
 */
final class SignInDetails extends WebAuthenticationDetails {

	static final int MAX_USER_AGENT = 512;

	private final String userAgent;

	SignInDetails(HttpServletRequest request) {
		super(request);
		String header = request.getHeader(HttpHeaders.USER_AGENT);
		this.userAgent = (header != null && header.length() > MAX_USER_AGENT) ? header.substring(0, MAX_USER_AGENT)
				: header;
	}

	String getUserAgent() {
		return this.userAgent;
	}

	@Override
	public boolean equals(Object other) {
		return super.equals(other) && other instanceof SignInDetails that
				&& Objects.equals(this.userAgent, that.userAgent);
	}

	@Override
	public int hashCode() {
		return 31 * super.hashCode() + Objects.hashCode(this.userAgent);
	}

}
