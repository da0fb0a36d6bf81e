package dev.warden.console.adminapi;

import java.util.List;

import dev.warden.console.system.ConsoleLogin;
import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
import org.springframework.http.client.SimpleClientHttpRequestFactory;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;

/**
 * Reads platform-api's admin API as the signed-in user: every call carries that user's access token, obtained
 * (and refreshed) through the OAuth2 client. Must be called on a request thread of a signed-in console user.
 * Failures are reported as {@link AdminApiException} with a message fit for the page; a missing or expired
 * sign-in is left to the OAuth2 client, which sends the user through the sign-in flow again.
 */
@Component
public class AdminApiClient {

	private static final ParameterizedTypeReference<List<Tenant>> TENANTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<List<ApiKey>> KEYS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<List<Model>> MODELS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<List<AuditEvent>> AUDIT_EVENTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<AuditVerification> AUDIT_VERIFICATION = new ParameterizedTypeReference<>() {
	};

	private final RestClient rest;

	private final String baseUrl;

	AdminApiClient(AdminApiProperties properties, OAuth2AuthorizedClientManager authorizedClientManager,
			OAuth2AuthorizedClientRepository authorizedClients) {
		OAuth2ClientHttpRequestInterceptor bearer = new OAuth2ClientHttpRequestInterceptor(authorizedClientManager);
		// a 401 from platform-api drops the stored token, so the next page load obtains a new one
		bearer.setAuthorizationFailureHandler(
				OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(authorizedClients));
		SimpleClientHttpRequestFactory requestFactory = new SimpleClientHttpRequestFactory();
		requestFactory.setConnectTimeout(properties.connectTimeout());
		requestFactory.setReadTimeout(properties.readTimeout());
		this.baseUrl = properties.url();
		this.rest = RestClient.builder()
			.baseUrl(properties.url())
			.requestFactory(requestFactory)
			.requestInterceptor(bearer)
			.defaultHeader("Accept", MediaType.APPLICATION_JSON_VALUE)
			.build();
	}

	public List<Tenant> tenants() {
		return get("/api/admin/tenants", TENANTS);
	}

	public List<ApiKey> keys(String tenantId) {
		return get("/api/admin/tenants/{id}/keys", KEYS, tenantId);
	}

	public List<Model> models() {
		return get("/api/admin/models", MODELS);
	}

	/** The most recent audit events, newest first. */
	public List<AuditEvent> auditEvents(int limit) {
		return get("/api/admin/audit-events?limit={limit}", AUDIT_EVENTS, limit);
	}

	/** Verifies the audit trail's hash chain and digests (platform-api walks the whole chain). */
	public AuditVerification verifyAudit() {
		AuditVerification result = fetch("/api/admin/audit/verify", AUDIT_VERIFICATION);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty verification result.", null);
		}
		return result;
	}

	private <T> List<T> get(String path, ParameterizedTypeReference<List<T>> type, Object... variables) {
		List<T> body = fetch(path, type, variables);
		return (body != null) ? body : List.of();
	}

	private <T> T fetch(String path, ParameterizedTypeReference<T> type, Object... variables) {
		try {
			return this.rest.get()
				.uri(path, variables)
				.attributes(RequestAttributeClientRegistrationIdResolver.clientRegistrationId(ConsoleLogin.REGISTRATION_ID))
				.retrieve()
				.body(type);
		}
		catch (ResourceAccessException ex) {
			throw new AdminApiException("platform-api is unreachable at " + this.baseUrl + ".", ex);
		}
		catch (RestClientResponseException ex) {
			throw new AdminApiException(describe(ex), ex);
		}
		catch (RestClientException ex) {
			throw new AdminApiException("platform-api sent an answer the console could not read.", ex);
		}
		catch (ClientAuthorizationRequiredException ex) {
			throw ex;
		}
		catch (ClientAuthorizationException ex) {
			throw new AdminApiException("No access token could be obtained for platform-api: sign out and in again.",
					ex);
		}
	}

	private static String describe(RestClientResponseException ex) {
		String message = "platform-api answered " + ex.getStatusCode().value();
		try {
			JsonNode error = ex.getResponseBodyAs(JsonNode.class);
			if (error != null && error.path("error").has("message")) {
				return message + ": " + error.path("error").path("message").asString() + ".";
			}
		}
		catch (RuntimeException unreadable) {
			// not the documented error shape; the status alone is still worth showing
		}
		return switch (ex.getStatusCode().value()) {
			case 401 -> message + ": your access token was not accepted.";
			case 403 -> message + ": your role does not allow this.";
			default -> message + ".";
		};
	}

}
