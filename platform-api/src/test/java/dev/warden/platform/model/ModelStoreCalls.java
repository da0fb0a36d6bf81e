package dev.warden.platform.model;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

import tools.jackson.databind.JsonNode;

import dev.warden.platform.Http;
import dev.warden.platform.Json;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The model store's internal endpoints as a worker calls them, and the archives they
 * serve, for the model store tests of both archive stores (PostgreSQL and S3).
 */
final class ModelStoreCalls {

	private ModelStoreCalls() {
	}

	/** The listing's entry of {@code model/version}, or null. */
	static JsonNode listed(WardenTestApp on, String token, String model, long version) {
		HttpResponse<byte[]> response = get(on, "/internal/v1/model-store", token);
		assertThat(response.statusCode()).isEqualTo(200);
		for (JsonNode entry : Json.read(new String(response.body(), StandardCharsets.UTF_8)).path("versions")) {
			if (entry.path("model").asString().equals(model) && entry.path("version").asLong() == version) {
				return entry;
			}
		}
		return null;
	}

	/** A GET with the registration token as a bearer token ({@code null}: none). */
	static HttpResponse<byte[]> get(WardenTestApp on, String path, String token) {
		HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(on.url(path))).timeout(Duration.ofSeconds(30));
		if (token != null) {
			request.header("Authorization", "Bearer " + token);
		}
		try {
			return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
		}
		catch (IOException ex) {
			throw new IllegalStateException(ex);
		}
		catch (InterruptedException ex) {
			Thread.currentThread().interrupt();
			throw new IllegalStateException(ex);
		}
	}

	/** The entries of a zip archive, by name, in their order. */
	static Map<String, byte[]> unzip(byte[] archive) throws IOException {
		Map<String, byte[]> entries = new LinkedHashMap<>();
		try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(archive))) {
			for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
				entries.put(entry.getName(), zip.readAllBytes());
			}
		}
		return entries;
	}

	/**
	 * Writes {@code files} (a name ending in {@code /} is a directory) under {@code dir}.
	 */
	static Path writeFiles(Path dir, Map<String, byte[]> files) throws IOException {
		for (Map.Entry<String, byte[]> file : files.entrySet()) {
			Path path = dir.resolve(file.getKey());
			if (file.getKey().endsWith("/")) {
				Files.createDirectories(path);
			}
			else {
				Files.createDirectories(path.getParent());
				Files.write(path, file.getValue());
			}
		}
		return dir;
	}

	/** The hex SHA-256 of {@code bytes}. */
	static String sha256(byte[] bytes) throws Exception {
		return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
	}

	/** Uploads {@code archive} as a new version of {@code model} with an admin token. */
	static HttpResponse<String> upload(WardenTestApp on, String adminToken, String model, byte[] archive) {
		String boundary = "warden-test-boundary-" + Long.toHexString(System.nanoTime());
		ByteArrayOutputStream body = new ByteArrayOutputStream();
		body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.zip\"\r\n"
				+ "Content-Type: application/octet-stream\r\n\r\n")
			.getBytes(StandardCharsets.UTF_8));
		body.writeBytes(archive);
		body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
		return Http.sendBytes("POST", on.url("/api/admin/models/" + model + "/versions"), body.toByteArray(),
				"Content-Type", "multipart/form-data; boundary=" + boundary, "Authorization", adminToken);
	}

	/**
	 * The version's files plus 2.5 MiB of random bytes that do not compress
	 * ({@code assets.extra/padding.bin}): an archive of more than one chunk and more than
	 * one read buffer.
	 */
	static Map<String, byte[]> padded(Map<String, byte[]> files, long seed) {
		Map<String, byte[]> padded = new LinkedHashMap<>(files);
		byte[] padding = new byte[5 * 512 * 1024];
		new Random(seed).nextBytes(padding);
		padded.put("assets.extra/", new byte[0]);
		padded.put("assets.extra/padding.bin", padding);
		return padded;
	}

}
