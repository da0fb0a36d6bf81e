package dev.warden.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import dev.warden.worker.WorkerApplication;

/**
 * A request that reaches the worker just as its graceful shutdown pauses the connector:
 * Tomcat refuses it without reading its headers and then, finding no {@code Host} header,
 * turns its 503 into a 400 (a race between the two checks in Tomcat's request processor,
 * reproduced here with {@link PausingRaceProtocol}). The request was never served, and a
 * gateway retries a 503 on another worker but passes a 400 to its client: the worker must
 * answer 503 with its JSON error, {@code Retry-After} and {@code Connection: close}. The
 * other requests Tomcat refuses itself get the worker's JSON error and a 4xx too.
 */
@SpringBootTest(classes = { WorkerApplication.class, ShutdownRaceIntegrationTests.RacingConnector.class },
		webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ShutdownRaceIntegrationTests {

	@TempDir
	static Path store;

	@LocalServerPort
	int port;

	@DynamicPropertySource
	static void modelStore(DynamicPropertyRegistry registry) {
		registry.add("warden.worker.model-store.path", () -> store.toString());
	}

	@AfterEach
	void disarm() {
		PausingRaceProtocol.armed.set(-1);
	}

	private String exchange(String request) throws Exception {
		try (Socket socket = new Socket("127.0.0.1", this.port)) {
			socket.setSoTimeout(10_000);
			OutputStream out = socket.getOutputStream();
			out.write(request.getBytes(StandardCharsets.US_ASCII));
			out.flush();
			InputStream in = socket.getInputStream();
			ByteArrayOutputStream answer = new ByteArrayOutputStream();
			in.transferTo(answer);
			return answer.toString(StandardCharsets.UTF_8);
		}
	}

	private static String predict(String connection) {
		String body = "{\"instances\": [[1.0]]}";
		return "POST /v1/models/income:predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
				+ "Content-Length: " + body.length() + "\r\nConnection: " + connection + "\r\n\r\n" + body;
	}

	@Test
	void aRequestCaughtByThePauseIsAnswered503NotBadRequest() throws Exception {
		PausingRaceProtocol.armed.set(1);
		String answer = exchange(predict("keep-alive"));
		assertThat(answer).startsWith("HTTP/1.1 503 ");
		String head = answer.substring(0, answer.indexOf("\r\n\r\n")).toLowerCase();
		assertThat(head).contains("\r\nretry-after: ")
			.contains("\r\nconnection: close")
			.contains("\r\ncontent-type: application/json")
			.contains("\r\nx-request-id: ");
		assertThat(answer.substring(answer.indexOf("\r\n\r\n") + 4)).contains("\"code\":\"shutting_down\"")
			.contains("\"request_id\":");
	}

	@Test
	void withoutThePauseTheSameRequestIsServedAndAMissingHostStays400() throws Exception {
		// the real state: not paused, so the request reaches the application (no such
		// model here: 404 from the worker's API)
		String served = exchange(predict("close"));
		assertThat(served).startsWith("HTTP/1.1 404 ").contains("\"code\":\"model_not_found\"");
		// an HTTP/1.1 request without Host is the client's mistake when no pause is
		// involved: 400, as JSON
		String noHost = exchange("GET /v1/models/income HTTP/1.1\r\nConnection: close\r\n\r\n");
		assertThat(noHost).startsWith("HTTP/1.1 400 ")
			.contains("application/json")
			.contains("\"code\":\"bad_request\"");
	}

	@Test
	void requestsTomcatRefusesItselfGetTheJsonError4xx() throws Exception {
		String version = exchange("GET /v1/models/income HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(version).startsWith("HTTP/1.1 400 ").contains("\"code\":\"unsupported_http_version\"");
		String big = exchange("GET /v1/models/income HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000)
				+ "\r\nConnection: close\r\n\r\n");
		assertThat(big).startsWith("HTTP/1.1 431 ").contains("\"code\":\"request_header_too_large\"");
		String connect = exchange("CONNECT 127.0.0.1:1 HTTP/1.1\r\nHost: 127.0.0.1:1\r\nConnection: close\r\n\r\n");
		assertThat(connect).startsWith("HTTP/1.1 405 ").contains("\"code\":\"method_not_allowed\"");
		String coding = exchange(
				"POST /v1/models/income:predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
						+ "Transfer-Encoding: gzip\r\nConnection: close\r\n\r\n");
		assertThat(coding).startsWith("HTTP/1.1 400 ").contains("\"code\":\"unsupported_transfer_encoding\"");
		String nul = exchange("GET /v1/models/inc%00ome HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
		assertThat(nul).startsWith("HTTP/1.1 400 ").contains("application/json").contains("\"code\":\"bad_request\"");
	}

	@TestConfiguration(proxyBeanMethods = false)
	static class RacingConnector {

		@Bean
		WebServerFactoryCustomizer<TomcatServletWebServerFactory> pausingRaceProtocol() {
			return (factory) -> factory.setProtocol(PausingRaceProtocol.class.getName());
		}

	}

}
