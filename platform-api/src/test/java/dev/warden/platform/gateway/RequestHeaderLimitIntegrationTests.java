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

/**
 * What Tomcat and the first filters answer to requests that are not well-formed HTTP:
 * oversized headers, unparsable lines, methods Warden never serves, another HTTP version,
 * broken chunked bodies, undecodable query strings and unknown charsets, each a 4xx with
 * the documented JSON error (found by the fuzz pass of docs/reliability.md, which saw
 * 501, 505 and 500 for some of them).
 */
@ExtendWith(SharedWardenExtension.class)
class RequestHeaderLimitIntegrationTests {

	static WardenTestApp app;

	static String key;

	@BeforeAll
	static void use(WardenFixture shared) {
		app = shared.app();
		key = shared.key(shared.tenant("malformed-http")).key();
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
	void aMethodWardenNeverServesGets405NotA5xx() throws Exception {
		for (String line : new String[] { "CONNECT /v1/models/income HTTP/1.1", "PROPFIND /api/admin/tenants HTTP/1.1",
				"TRACE /v1/usage HTTP/1.1", "BREW /v2/health/ready HTTP/1.1" }) {
			String answer = exchange(line + "\r\nHost: localhost\r\nConnection: close\r\n\r\n");
			assertThat(answer).as(line).startsWith("HTTP/1.1 405");
			// TRACE is refused by Tomcat itself, with its own Allow list
			assertThat(answer).as(line)
				.containsIgnoringCase("Allow: ")
				.contains("{\"error\":{\"code\":\"method_not_allowed\"")
				.doesNotContain("PROPFIND, ", "CONNECT, ");
		}
	}

	@Test
	void anUnsupportedHttpVersionGets400NotA505() throws Exception {
		String answer = exchange("GET /v1/usage HTTP/9.9\r\nHost: localhost\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400");
		assertThat(answer).contains("{\"error\":{\"code\":\"unsupported_http_version\"").doesNotContain("<html");
	}

	@Test
	void aBrokenChunkedBodyGets400AndIsNotAnError() throws Exception {
		for (String chunks : new String[] { "ZZZ\r\n{}\r\n0\r\n\r\n",
				"2;" + "x".repeat(10_000) + "\r\n{}\r\n0\r\n\r\n" }) {
			String answer = exchange("POST /v1/models/income:predict HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + key
					+ "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
					+ chunks);
			// Tomcat refuses some framing itself (bad_request), the rest surfaces when
			// the
			// body is read (malformed_body): a 400 either way
			assertThat(answer).startsWith("HTTP/1.1 400");
			assertThat(answer).containsPattern("\\{\"error\":\\{\"code\":\"(malformed_body|bad_request)\"");
		}
	}

	@Test
	void anUndecodableQueryOrAnUnknownCharsetGets4xxOnTheDataPlane() throws Exception {
		String query = exchange("GET /v1/models/income/feedback?from=%FF%FE HTTP/1.1\r\nHost: localhost\r\nX-API-Key: "
				+ key + "\r\nConnection: close\r\n\r\n");
		assertThat(query).startsWith("HTTP/1.1 400").contains("{\"error\":{\"code\":\"invalid_parameter\"");
		String charset = exchange("GET /v2/health/ready HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + key
				+ "\r\nContent-Type: application/json; charset=\u00ff\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
		assertThat(charset).startsWith("HTTP/1.1 415").contains("{\"error\":{\"code\":\"unsupported_media_type\"");
		String encoding = exchange("POST /v1/models/income:predict HTTP/1.1\r\nHost: localhost\r\nX-API-Key: " + key
				+ "\r\nContent-Type: application/json\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n"
				+ "2\r\n{}\r\n0\r\n\r\n");
		assertThat(encoding).startsWith("HTTP/1.1 400")
			.contains("{\"error\":{\"code\":\"unsupported_transfer_encoding\"");
	}

	@Test
	void unparsableRequestGets400WithTheDocumentedJsonError() throws Exception {
		String answer = exchange("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nBad Header Name: x\r\n\r\n");
		assertThat(answer).startsWith("HTTP/1.1 400");
		assertThat(answer).contains("{\"error\":{\"code\":\"bad_request\"").doesNotContain("<html");
	}

}
