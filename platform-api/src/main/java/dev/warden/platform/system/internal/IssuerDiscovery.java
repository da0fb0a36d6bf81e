package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads an OpenID Connect provider's discovery document
 * ({@code <issuer>/.well-known/openid-configuration}) and takes from it what the admin
 * API needs: the {@code jwks_uri}. The document must name exactly the configured issuer
 * (OpenID Connect Discovery 1.0, section 4.3): a provider reached under another host name
 * than the one in its tokens' {@code iss} is refused with a message saying so, rather
 * than every token failing later. Thread-safe.
 */
public final class IssuerDiscovery {

	static final String PATH = "/.well-known/openid-configuration";

	private static final int MAX_DOCUMENT_BYTES = 1024 * 1024;

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private final HttpClient http;

	private final Duration timeout;

	public IssuerDiscovery(Duration timeout) {
		this.timeout = timeout;
		this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
	}

	/** Where the discovery document of {@code issuer} is. */
	public static URI documentUri(String issuer) {
		String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
		return URI.create(base + PATH);
	}

	/**
	 * Fetches and checks the discovery document of {@code issuer}.
	 * @return the provider's {@code jwks_uri}
	 * @throws DiscoveryException when the provider cannot be reached or its answer is not
	 * a discovery document for this issuer; the message says which
	 */
	public URI jwkSetUri(String issuer) {
		URI document = documentUri(issuer);
		JsonNode metadata = fetch(document);
		JsonNode named = metadata.get("issuer");
		if (named == null || !named.isString()) {
			throw new DiscoveryException(document + " has no \"issuer\": not an OpenID Connect discovery document");
		}
		if (!issuer.equals(named.asString())) {
			throw new DiscoveryException(document + " names the issuer '" + named.asString() + "', not '" + issuer
					+ "': warden.security.issuer-uri (WARDEN_OIDC_ISSUER_URI) must be the issuer exactly as the "
					+ "provider writes it into its tokens (scheme, host name, port and path), and the console must "
					+ "use the same");
		}
		JsonNode jwks = metadata.get("jwks_uri");
		if (jwks == null || !jwks.isString()) {
			throw new DiscoveryException(document + " has no \"jwks_uri\"");
		}
		try {
			URI uri = URI.create(jwks.asString());
			String scheme = (uri.getScheme() != null) ? uri.getScheme().toLowerCase(Locale.ROOT) : "";
			if (!uri.isAbsolute() || uri.getHost() == null || !(scheme.equals("http") || scheme.equals("https"))) {
				throw new IllegalArgumentException("not an absolute http(s) URL");
			}
			return uri;
		}
		catch (IllegalArgumentException ex) {
			throw new DiscoveryException(document + " has an unusable \"jwks_uri\" '" + jwks.asString() + "'");
		}
	}

	private JsonNode fetch(URI document) {
		HttpRequest request = HttpRequest.newBuilder(document)
			.timeout(this.timeout)
			.header("Accept", "application/json")
			.GET()
			.build();
		try {
			HttpResponse<InputStream> response = this.http.send(request, HttpResponse.BodyHandlers.ofInputStream());
			try (InputStream body = response.body()) {
				if (response.statusCode() != 200) {
					throw new DiscoveryException(document + " answered HTTP " + response.statusCode());
				}
				byte[] bytes = body.readNBytes(MAX_DOCUMENT_BYTES + 1);
				if (bytes.length > MAX_DOCUMENT_BYTES) {
					throw new DiscoveryException(document + " is larger than " + MAX_DOCUMENT_BYTES + " bytes");
				}
				JsonNode metadata = JSON.readTree(bytes);
				if (metadata == null || !metadata.isObject()) {
					throw new DiscoveryException(document + " is not a JSON object");
				}
				return metadata;
			}
		}
		catch (JacksonException ex) {
			throw new DiscoveryException(document + " is not JSON: " + ex.getOriginalMessage());
		}
		catch (IOException ex) {
			throw new DiscoveryException("could not read " + document + ": " + describe(ex));
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new DiscoveryException("interrupted while reading " + document);
		}
	}

	private static String describe(IOException ex) {
		String message = ex.getMessage();
		return ex.getClass().getSimpleName() + ((message != null) ? " " + message : "");
	}

	/** The provider's discovery document could not be read or is not usable. */
	public static final class DiscoveryException extends RuntimeException {

		DiscoveryException(String message) {
			super(message);
		}

	}

}
