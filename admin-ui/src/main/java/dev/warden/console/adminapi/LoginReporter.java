package dev.warden.console.adminapi;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.event.AuthenticationSuccessEvent;
import org.springframework.security.oauth2.client.authentication.OAuth2LoginAuthenticationToken;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * Reports every sign-in to the console to platform-api's audit trail
 * ({@code POST /api/admin/audit/events/login}) with the user's fresh access token, the
 * browser's address and its User-Agent: platform-api never sees the sign-in itself, which
 * happens at the identity provider. Listens to Spring Security's
 * {@link AuthenticationSuccessEvent} of the OpenID Connect login (published synchronously
 * on the callback request, so the request's address is the browser's). A failure is
 * logged and never blocks the sign-in.
 */
@Component
class LoginReporter {

	static final String PATH = "/api/admin/audit/events/login";

	private static final Logger log = LoggerFactory.getLogger(LoginReporter.class);

	private static final int MAX_USER_AGENT = 512;

	private final RestClient rest;

	LoginReporter(PlatformApiConnections platformApi) {
		this.rest = platformApi.restClient().build();
	}

	@EventListener
	void on(AuthenticationSuccessEvent event) {
		if (!(event.getAuthentication() instanceof OAuth2LoginAuthenticationToken login)
				|| login.getAccessToken() == null) {
			return;
		}
		Map<String, Object> body = new LinkedHashMap<>();
		if (RequestContextHolder.getRequestAttributes() instanceof ServletRequestAttributes attributes) {
			HttpServletRequest request = attributes.getRequest();
			body.put("client_address", request.getRemoteAddr());
			String userAgent = request.getHeader(HttpHeaders.USER_AGENT);
			body.put("user_agent", (userAgent != null && userAgent.length() > MAX_USER_AGENT)
					? userAgent.substring(0, MAX_USER_AGENT) : userAgent);
		}
		try {
			this.rest.post()
				.uri(PATH)
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON)
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + login.getAccessToken().getTokenValue())
				.body(body)
				.retrieve()
				.toBodilessEntity();
		}
		catch (RestClientException ex) {
			log.warn("The sign-in of '{}' could not be recorded in platform-api's audit trail: {}", login.getName(),
					ex.getMessage());
		}
	}

}
