package dev.warden.platform.gateway;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import dev.warden.platform.SharedWardenExtension;
import dev.warden.platform.WardenFixture;
import dev.warden.platform.WardenTestApp;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(SharedWardenExtension.class)
class RequestHeaderLimitIntegrationTests {

	static WardenTestApp app;

	@BeforeAll
	static void use(WardenFixture shared) {
		app = shared.app();
	}

	/**
	 * Sends raw bytes and returns the whole answer (read until the server closes the
	 * connection).
	 */
	private static String exchange(String request) throws Exception {
		try (Socket socket = new Socket("127.0.0.1", app.port())) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.ISO_8859_1));
			out.flush();
			InputStream in = socket.getInputStream();
			return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
		}
	}

	private static String predictWithPadding(int paddingBytes) throws Exception {
		return exchange("POST /v1/models/income:predict HTTP/1.1\r\nHost: localhost\r\nX-API-Key: wdn_x\r\n"
				+ "X-Padding: " + "a".repeat(paddingBytes) + "\r\nContent-Type: application/json\r\n"
				+ "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
	}

	@Test
	void headersUpTo16KiBReachTheGateway() throws Exception {
		// 12 KiB: more than Tomcat's default of 8 KiB, within the configured 16 KiB
		String answer = predictWithPadding(12 * 1024);
		assertThat(answer).startsWith("HTTP/1.1 401").contains("\"code\":\"invalid_api_key\"");
	}

	@Test
	void oversizedHeadersGet431WithTheDocumentedJsonError() throws Exception {
		String answer = predictWithPadding(20 * 1024);
		assertThat(answer).startsWith("HTTP/1.1 431");
		assertThat(answer).containsIgnoringCase("Content-Type: application/json")
			.containsIgnoringCase("X-Request-Id: ")
			.contains("{\"error\":{\"code\":\"request_header_too_large\"", "exceed 16384 bytes", "\"request_id\":\"")
			.doesNotContain("<html");
	}

	@Test
	void unparsableRequestGets400WithTheDocumentedJsonError() throws Exception {
		String answer = exchange("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nBad Header Name: x\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400");
		assertThat(answer).contains("{\"error\":{\"code\":\"bad_request\"").doesNotContain("<html");
	}

}
