package dev.warden.console.adminapi;

import dev.warden.console.system.ConsoleLogin;
import tools.jackson.databind.JsonNode;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.MediaType;
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
 * Reads platform-api's admin API as the signed-in user: every call carries that user's
 * access token, obtained (and refreshed) through the OAuth2 client. Must be called on a
 * request thread of a signed-in console user. Failures are reported as
 * {@link AdminApiException} with a message fit for the page; a missing or expired sign-in
 * is left to the OAuth2 client, which sends the user through the sign-in flow again.
 */
@Component
public class AdminApiClient {

	private static final ParameterizedTypeReference<Page<Tenant>> TENANTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<ApiKey>> KEYS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<Model>> MODELS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<Page<AuditEvent>> AUDIT_EVENTS = new ParameterizedTypeReference<>() {
	};

	private static final ParameterizedTypeReference<AuditVerification> AUDIT_VERIFICATION = new ParameterizedTypeReference<>() {
	};

	private final RestClient rest;

	private final String baseUrl;

	AdminApiClient(AdminApiProperties properties, OAuth2AuthorizedClientManager authorizedClientManager,
			OAuth2AuthorizedClientRepository authorizedClients) {
		OAuth2ClientHttpRequestInterceptor bearer = new OAuth2ClientHttpRequestInterceptor(authorizedClientManager);
		// a 401 from platform-api drops the stored token, so the next page load obtains a
		// new one
		bearer.setAuthorizationFailureHandler(
				OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(authorizedClients));
		this.baseUrl = properties.url();
		this.rest = properties.restClient()
			.requestInterceptor(bearer)
			.defaultHeader("Accept", MediaType.APPLICATION_JSON_VALUE)
			.build();
	}

	/**
	 * The first page of the tenants, oldest first. Every list is paged by the admin API;
	 * the console asks for the first page at the API's default size (so it works whatever
	 * {@code warden.admin-api.page.max-size} is) and says when there is more.
	 */
	public Page<Tenant> tenants() {
		return page("/api/admin/tenants", TENANTS);
	}

	/** The first page of a tenant's keys, oldest first. */
	public Page<ApiKey> keys(String tenantId) {
		return page("/api/admin/tenants/{id}/keys", KEYS, tenantId);
	}

	/** The first page of the models, by name. */
	public Page<Model> models() {
		return page("/api/admin/models", MODELS);
	}

	/** The first page of the audit events, newest first. */
	public Page<AuditEvent> auditEvents() {
		return page("/api/admin/audit-events", AUDIT_EVENTS);
	}

	/**
	 * Verifies the audit trail's hash chain and digests (platform-api walks the whole
	 * chain).
	 */
	public AuditVerification verifyAudit() {
		AuditVerification result = fetch("/api/admin/audit/verify", AUDIT_VERIFICATION);
		if (result == null) {
			throw new AdminApiException("platform-api sent an empty verification result.", null);
		}
		return result;
	}

	private <T> Page<T> page(String path, ParameterizedTypeReference<Page<T>> type, Object... variables) {
		Page<T> body = fetch(path, type, variables);
		if (body == null) {
			throw new AdminApiException("platform-api sent an empty list page.", null);
		}
		return body;
	}

	private <T> T fetch(String path, ParameterizedTypeReference<T> type, Object... variables) {
		try {
			return this.rest.get()
				.uri(path, variables)
				.attributes(
						RequestAttributeClientRegistrationIdResolver.clientRegistrationId(ConsoleLogin.REGISTRATION_ID))
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
