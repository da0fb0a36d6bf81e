package dev.warden.platform;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Minimal HTTP calls for integration tests. */
public final class Http {

	private static final HttpClient CLIENT = HttpClient.newHttpClient();

	private Http() {
	}

	public static HttpResponse<String> send(String method, String url, String body, String... headers) {
		HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(url))
			.method(method, (body != null) ? HttpRequest.BodyPublishers.ofString(body)
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
