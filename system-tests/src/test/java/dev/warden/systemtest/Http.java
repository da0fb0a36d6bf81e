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

	/**
	 * The client, built with the JVM's default TLS context of the time; built again when
	 * that changes (the TLS tests make their CA trusted once their cluster runs).
	 */
	private static HttpClient client;

	private static javax.net.ssl.SSLContext clientContext;

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

	static Response postJson(String url, Map<String, String> headers, String json)
			throws IOException, InterruptedException {
		return send(builder(url, headers).header("Content-Type", "application/json")
			.POST(HttpRequest.BodyPublishers.ofString(json)));
	}

	/**
	 * A multipart/form-data POST with one file field, as a browser or curl -F sends it.
	 */
	static Response postFile(String url, Map<String, String> headers, String field, String filename, byte[] content)
			throws IOException, InterruptedException {
		var boundary = "warden-" + java.util.UUID.randomUUID();
		var body = new java.io.ByteArrayOutputStream();
		body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\""
				+ filename + "\"\r\nContent-Type: application/octet-stream\r\n\r\n")
			.getBytes(java.nio.charset.StandardCharsets.UTF_8));
		body.write(content);
		body.write(("\r\n--" + boundary + "--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
		return send(builder(url, headers).timeout(Duration.ofSeconds(120))
			.header("Content-Type", "multipart/form-data; boundary=" + boundary)
			.POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
	}

	/**
	 * The files under {@code directory} as a zip archive, paths relative to it (a
	 * SavedModel upload).
	 */
	static byte[] zip(java.nio.file.Path directory) throws IOException {
		var bytes = new java.io.ByteArrayOutputStream();
		try (var zip = new java.util.zip.ZipOutputStream(bytes); var files = java.nio.file.Files.walk(directory)) {
			for (var file : files.filter(java.nio.file.Files::isRegularFile).sorted().toList()) {
				zip.putNextEntry(new java.util.zip.ZipEntry(directory.relativize(file).toString().replace('\\', '/')));
				zip.write(java.nio.file.Files.readAllBytes(file));
				zip.closeEntry();
			}
		}
		return bytes.toByteArray();
	}

	static Map<String, String> bearer(String token) {
		return Map.of("Authorization", "Bearer " + token);
	}

	/** Any method with an optional JSON body ({@code null}: none). */
	static Response send(String method, String url, Map<String, String> headers, String json)
			throws IOException, InterruptedException {
		var builder = builder(url, headers);
		if (json != null) {
			builder.header("Content-Type", "application/json");
		}
		return send(builder.method(method,
				(json != null) ? HttpRequest.BodyPublishers.ofString(json) : HttpRequest.BodyPublishers.noBody()));
	}

	private static HttpRequest.Builder builder(String url, Map<String, String> headers) {
		var builder = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
		headers.forEach(builder::header);
		return builder;
	}

	private static Response send(HttpRequest.Builder builder) throws IOException, InterruptedException {
		var response = client().send(builder.build(), HttpResponse.BodyHandlers.ofString());
		return new Response(response.statusCode(), response.headers(), response.body());
	}

	private static synchronized HttpClient client() throws IOException {
		javax.net.ssl.SSLContext current;
		try {
			current = javax.net.ssl.SSLContext.getDefault();
		}
		catch (java.security.NoSuchAlgorithmException ex) {
			throw new IOException("no TLS context", ex);
		}
		if (client == null || current != clientContext) {
			client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).sslContext(current).build();
			clientContext = current;
		}
		return client;
	}

}
