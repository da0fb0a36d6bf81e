package dev.warden.systemtest;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A small JSON-over-HTTP client for the system tests. */
final class Http {

	private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

	private Http() {
	}

	record Response(int status, java.net.http.HttpHeaders headers, String body) {

		JsonNode json() {
			return JsonMapper.shared().readTree(body);
		}

		String header(String name) {
			return headers.firstValue(name).orElse(null);
		}
	}

	static Response get(String url, Map<String, String> headers) throws IOException, InterruptedException {
		return send(builder(url, headers).GET());
	}

	static Response postJson(String url, Map<String, String> headers, String json) throws IOException, InterruptedException {
		return send(builder(url, headers).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	static Map<String, String> bearer(String token) {
		return Map.of("Authorization", "Bearer " + token);
	}

	private static HttpRequest.Builder builder(String url, Map<String, String> headers) {
		var builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
		headers.forEach(builder::header);
		return builder;
	}

	private static Response send(HttpRequest.Builder builder) throws IOException, InterruptedException {
		var response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofString());
		return new Response(response.statusCode(), response.headers(), response.body());
	}
}
