package dev.warden.console.adminapi;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.warden.console.identity.SignInFailed;
import dev.warden.console.identity.SignInLockedOut;
import dev.warden.console.system.ConsoleLogin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.context.event.EventListener;
import org.springframework.http.MediaType;
import org.springframework.security.oauth2.client.AuthorizedClientServiceOAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.InMemoryOAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientService;
import org.springframework.security.oauth2.client.registration.ClientRegistrationRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver;
import org.springframework.security.oauth2.client.web.client.RequestAttributePrincipalResolver;
import org.springframework.security.oauth2.core.OAuth2AuthorizationException;
import org.springframework.stereotype.Component;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;

/**
 * Reports failed sign-ins at the embedded authorization server, and the lock-outs they
 * cause, to platform-api's audit trail
 * ({@code POST /api/admin/audit/events/login-failures}). Nobody is signed in when a
 * sign-in fails, so the console calls with its own access token: the client credentials
 * of its client at the embedded issuer (registration
 * {@link ConsoleLogin#SIGN_IN_AUDIT_REGISTRATION_ID}, scope
 * {@link ConsoleLogin#SIGN_IN_AUDIT_SCOPE}), obtained once and renewed when it expires or
 * platform-api refuses it.
 *
 * <p>
 * Listens synchronously on the sign-in request, so the report is made before the answer
 * is sent. The failure budgets bound how many reports one user name or one address can
 * cause. A failure to report is logged and never changes the answer to the sign-in.
 */
@Component
class SignInFailureReporter {

	static final String PATH = "/api/admin/audit/events/login-failures";

	/** The principal the console's own token is kept under. */
	private static final String CONSOLE = "warden-console";

	private static final int MAX_USERNAME = 256;

	private static final int MAX_CLIENT_ADDRESS = 100;

	private static final Logger log = LoggerFactory.getLogger(SignInFailureReporter.class);

	private final RestClient rest;

	SignInFailureReporter(PlatformApiConnections platformApi, ClientRegistrationRepository registrations) {
		OAuth2AuthorizedClientService tokens = new InMemoryOAuth2AuthorizedClientService(registrations);
		// client credentials is this manager's default grant
		OAuth2ClientHttpRequestInterceptor bearer = new OAuth2ClientHttpRequestInterceptor(
				new AuthorizedClientServiceOAuth2AuthorizedClientManager(registrations, tokens));
		bearer.setPrincipalResolver(new RequestAttributePrincipalResolver());
		bearer.setAuthorizationFailureHandler(OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(tokens));
		this.rest = platformApi.restClient().requestInterceptor(bearer).build();
	}

	@EventListener
	void on(SignInFailed event) {
		Map<String, Object> body = report("failed", event.username(), event.clientAddress(), event.userAgent());
		body.put("known_user", event.knownUser());
		post(body);
	}

	@EventListener
	void on(SignInLockedOut event) {
		String outcome = switch (event.lock()) {
			case USER -> "user_locked_out";
			case CLIENT_ADDRESS -> "client_address_locked_out";
		};
		Map<String, Object> body = report(outcome, event.username(), event.clientAddress(), event.userAgent());
		body.put("retry_after_seconds", event.retryAfter().toSeconds());
		post(body);
	}

	private static Map<String, Object> report(String outcome, String username, String clientAddress, String userAgent) {
		Map<String, Object> body = new LinkedHashMap<>();
		body.put("outcome", outcome);
		body.put("username", truncate(username, MAX_USERNAME));
		body.put("client_address", truncate(clientAddress, MAX_CLIENT_ADDRESS));
		body.put("user_agent", userAgent);
		return body;
	}

	private void post(Map<String, Object> body) {
		try {
			this.rest.post()
				.uri(PATH)
				.attributes(RequestAttributeClientRegistrationIdResolver
					.clientRegistrationId(ConsoleLogin.SIGN_IN_AUDIT_REGISTRATION_ID))
				.attributes(RequestAttributePrincipalResolver.principal(CONSOLE))
				.contentType(MediaType.APPLICATION_JSON)
				.accept(MediaType.APPLICATION_JSON)
				.body(body)
				.retrieve()
				.toBodilessEntity();
		}
		catch (RestClientException | OAuth2AuthorizationException ex) {
			log.warn("A failed sign-in ({}) from {} could not be recorded in platform-api's audit trail: {}",
					body.get("outcome"), body.get("client_address"), ex.getMessage());
		}
	}

	private static String truncate(String value, int max) {
		return (value != null && value.length() > max) ? value.substring(0, max) : value;
	}

}
