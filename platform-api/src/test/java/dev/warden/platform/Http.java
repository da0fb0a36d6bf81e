package dev.warden.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/** Minimal HTTP calls for integration tests. */
public final class Http {

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	private Http() {
	}

	public static HttpResponse<String> send(String method, String url, String body, String... headers) {
		return sendBytes(method, url, (body != null) ? body.getBytes(StandardCharsets.UTF_8) : null, headers);
	}

	/** Sends the body as given, byte for byte (e.g. malformed UTF-8). */
	public static HttpResponse<String> sendBytes(String method, String url, byte[] body, String... headers) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofByteArray(body)
					: HttpRequest.BodyPublishers.noBody());
		if (headers.length > 0) {
			builder.headers(headers);
		}
		try {
			return CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
		}
		catch (Exception ex) {
			throw new IllegalStateException(ex);
		}
	}

	/** The value of an {@code Authorization} header carrying the token. */
	public static String bearer(String token) {
		return "Bearer " + token;
	}

	public static HttpResponse<String> get(String url, String... headers) {
		return send("GET", url, null, headers);
	}

	public static HttpResponse<String> postJson(String url, String body, String... headers) {
		String[] all = new String[headers.length + 2];
		all[0] = "Content-Type";
		all[1] = "application/json";
		System.arraycopy(headers, 0, all, 2, headers.length);
		return send("POST", url, body, all);
	}

}
