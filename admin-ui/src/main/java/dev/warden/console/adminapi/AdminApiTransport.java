package dev.warden.console.adminapi;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

import dev.warden.console.system.ConsoleLogin;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.client.ClientAuthorizationException;
import org.springframework.security.oauth2.client.ClientAuthorizationRequiredException;
import org.springframework.security.oauth2.client.OAuth2AuthorizeRequest;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClient;
import org.springframework.security.oauth2.client.OAuth2AuthorizedClientManager;
import org.springframework.security.oauth2.client.web.OAuth2AuthorizedClientRepository;
import org.springframework.security.oauth2.client.web.client.OAuth2ClientHttpRequestInterceptor;
import org.springframework.security.oauth2.client.web.client.RequestAttributeClientRegistrationIdResolver;
import org.springframework.security.oauth2.core.OAuth2Error;
import org.springframework.stereotype.Component;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.client.RestClientResponseException;
import org.springframework.web.context.request.RequestContextHolder;
import org.springframework.web.context.request.ServletRequestAttributes;

/**
 * The HTTP side of the admin API clients: one {@link RestClient} that carries the
 * signed-in user's access token (obtained and refreshed through the OAuth2 client), and
 * the translation of every failure into an {@link AdminApiException} with a message fit
 * for the page. Must be called on a request thread of a signed-in console user; a missing
 * or expired sign-in is left to the OAuth2 client, which sends the user through the
 * sign-in flow again.
 */
@Component
class AdminApiTransport {

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final RestClient rest;

	/**
	 * Without interceptors, for request bodies that must stream: Spring's intercepting
	 * request buffers the whole body in memory.
	 */
	private final RestClient streaming;

	private final String baseUrl;

	private final OAuth2AuthorizedClientManager authorizedClientManager;

	private final OAuth2AuthorizedClientRepository authorizedClients;

	AdminApiTransport(PlatformApiConnections platformApi, OAuth2AuthorizedClientManager authorizedClientManager,
			OAuth2AuthorizedClientRepository authorizedClients) {
		this.authorizedClientManager = authorizedClientManager;
		this.authorizedClients = authorizedClients;
		OAuth2ClientHttpRequestInterceptor bearer = new OAuth2ClientHttpRequestInterceptor(authorizedClientManager);
		// a 401 from platform-api drops the stored token, so the next page load obtains a
		// new one
		bearer.setAuthorizationFailureHandler(
				OAuth2ClientHttpRequestInterceptor.authorizationFailureHandler(authorizedClients));
		this.baseUrl = platformApi.url();
		this.rest = platformApi.restClient()
			.requestInterceptor(bearer)
			.defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
			.build();
		// uploads: the token is set per call, so that the body streams (an intercepted
		// request is buffered)
		this.streaming = platformApi.restClient()
			.defaultHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON_VALUE)
			.build();
	}

	/** GET as the signed-in user; the body read as the given type. */
	<T> T get(String path, ParameterizedTypeReference<T> type, Object... variables) {
		return call(() -> this.rest.get()
			.uri(path, variables)
			.attributes(RequestAttributeClientRegistrationIdResolver.clientRegistrationId(ConsoleLogin.REGISTRATION_ID))
			.retrieve()
			.body(type));
	}

	/**
	 * Sends a JSON body (or none when {@code body} is null) as the signed-in user; the
	 * answer read as the given type, null when it has no body.
	 */
	<T> T send(HttpMethod method, String path, Object body, ParameterizedTypeReference<T> type, Object... variables) {
		return call(() -> {
			RestClient.RequestBodySpec request = this.rest.method(method)
				.uri(path, variables)
				.attributes(RequestAttributeClientRegistrationIdResolver
					.clientRegistrationId(ConsoleLogin.REGISTRATION_ID));
			if (body != null) {
				request.contentType(MediaType.APPLICATION_JSON).body(body);
			}
			return request.retrieve().body(type);
		});
	}

	/**
	 * GETs a binary answer as the signed-in user and hands its body to the reader while
	 * it streams; an error answer is thrown as an {@link AdminApiException} before the
	 * reader is called.
	 */
	void download(String path, Download reader, Object... variables) {
		call(() -> this.rest.get()
			.uri(path, variables)
			.header(HttpHeaders.ACCEPT, MediaType.ALL_VALUE)
			.attributes(RequestAttributeClientRegistrationIdResolver.clientRegistrationId(ConsoleLogin.REGISTRATION_ID))
			.exchange((request, response) -> {
				if (response.getStatusCode().isError()) {
					throw errorOf(response);
				}
				reader.read(response.getHeaders().getContentType(), response.getBody());
				return null;
			}));
	}

	/**
	 * POSTs a body that streams from {@code body} as the signed-in user, never holding it
	 * in memory; the answer read as the given type.
	 * @param length the body's length in bytes, or -1 when unknown (sent chunked)
	 */
	<T> T upload(String path, MediaType contentType, InputStream body, long length, ParameterizedTypeReference<T> type,
			Object... variables) {
		ServletRequestAttributes current = (ServletRequestAttributes) RequestContextHolder.currentRequestAttributes();
		HttpServletRequest servletRequest = current.getRequest();
		HttpServletResponse servletResponse = current.getResponse();
		Authentication user = SecurityContextHolder.getContext().getAuthentication();
		return call(() -> {
			OAuth2AuthorizedClient client = this.authorizedClientManager
				.authorize(OAuth2AuthorizeRequest.withClientRegistrationId(ConsoleLogin.REGISTRATION_ID)
					.principal(user)
					.attribute(HttpServletRequest.class.getName(), servletRequest)
					.attribute(HttpServletResponse.class.getName(), servletResponse)
					.build());
			if (client == null) {
				throw new ClientAuthorizationException(new OAuth2Error("no_access_token"),
						ConsoleLogin.REGISTRATION_ID);
			}
			RestClient.RequestBodySpec request = this.streaming.post()
				.uri(path, variables)
				.header(HttpHeaders.AUTHORIZATION, "Bearer " + client.getAccessToken().getTokenValue())
				.contentType(contentType);
			if (length >= 0) {
				request.contentLength(length);
			}
			return request.body((output) -> body.transferTo(output)).exchange((req, response) -> {
				if (response.getStatusCode().value() == 401) {
					this.authorizedClients.removeAuthorizedClient(ConsoleLogin.REGISTRATION_ID, user, servletRequest,
							servletResponse);
				}
				if (response.getStatusCode().isError()) {
					throw errorOf(response);
				}
				return readBody(response, type);
			});
		});
	}

	private static <T> T readBody(ClientHttpResponse response, ParameterizedTypeReference<T> type) throws IOException {
		byte[] bytes = response.getBody().readAllBytes();
		if (bytes.length == 0) {
			return null;
		}
		return JSON.readValue(bytes, JSON.getTypeFactory().constructType(type.getType()));
	}

	private <T> T call(Call<T> call) {
		try {
			return call.run();
		}
		catch (AdminApiException ex) {
			throw ex;
		}
		catch (ResourceAccessException ex) {
			throw unreachable(ex);
		}
		catch (RestClientResponseException ex) {
			throw describe(ex.getStatusCode(), ex.getResponseBodyAsByteArray(), ex);
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
		catch (UncheckedIOException ex) {
			throw unreachable(ex);
		}
		catch (IOException ex) {
			throw unreachable(ex);
		}
	}

	private AdminApiException unreachable(Exception ex) {
		return new AdminApiException("platform-api is unreachable at " + this.baseUrl + ".", ex);
	}

	private static AdminApiException errorOf(ClientHttpResponse response) throws IOException {
		byte[] body;
		try (InputStream in = response.getBody()) {
			// an error body is small; never read more than this of it
			body = in.readNBytes(64 * 1024);
		}
		return describe(response.getStatusCode(), body, null);
	}

	/**
	 * The answer's status, with platform-api's error message when the body has the
	 * documented shape {@code {"error":{"code","message"}}}.
	 */
	private static AdminApiException describe(HttpStatusCode status, byte[] body, Throwable cause) {
		int value = status.value();
		String message = "platform-api answered " + value;
		String code = null;
		String platformMessage = null;
		JsonNode tree = null;
		try {
			tree = (body != null && body.length > 0) ? JSON.readTree(body) : null;
			JsonNode error = (tree != null) ? tree.path("error") : null;
			if (error != null && error.isObject()) {
				code = error.path("code").isString() ? error.path("code").asString() : null;
				platformMessage = error.path("message").isString() ? error.path("message").asString() : null;
			}
		}
		catch (RuntimeException unreadable) {
			// not the documented error shape; the status alone is still worth showing
		}
		if (platformMessage != null) {
			return new AdminApiException(message + ": " + platformMessage + ".", cause, value, code, platformMessage,
					tree);
		}
		String text = switch (value) {
			case 401 -> message + ": your access token was not accepted.";
			case 403 -> message + ": your role does not allow this.";
			default -> message + ".";
		};
		return new AdminApiException(text, cause, value, code, null, tree);
	}

	@FunctionalInterface
	private interface Call<T> {

		T run() throws IOException;

	}

}
