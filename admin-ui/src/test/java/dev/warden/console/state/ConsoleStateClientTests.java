package dev.warden.console.state;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.warden.console.adminapi.AdminApiProperties;
import dev.warden.console.adminapi.PlatformApiConnections;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import org.springframework.web.client.ResourceAccessException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

/**
 * A platform-api that closes a connection without answering (as a kept-alive connection
 * to a process that restarted does): each call of the console state API is sent once
 * more, and only once.
 */
class ConsoleStateClientTests {

	private static final String SID = "a".repeat(64);

	private ServerSocket server;

	private final List<String> requestLines = new CopyOnWriteArrayList<>();

	private volatile int unansweredConnections;

	private Thread acceptor;

	private PlatformApiConnections connections;

	@BeforeEach
	void start() throws IOException {
		this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
		this.acceptor = new Thread(this::serve, "stub-platform-api");
		this.acceptor.setDaemon(true);
		this.acceptor.start();
	}

	@AfterEach
	void close() throws Exception {
		if (this.connections != null) {
			this.connections.destroy();
		}
		this.server.close();
		this.acceptor.join(5000);
	}

	@Test
	void aPutThatLostItsConnectionIsSentOnceMore() {
		this.unansweredConnections = 1;
		client().putSession(SID, new ConsoleStateClient.StoredSession("alice", Instant.EPOCH, Instant.EPOCH, 1800,
				new byte[] { 1, 2, 3 }));
		assertThat(this.requestLines).containsExactly("PUT /internal/platform/console/sessions/" + SID + " HTTP/1.1",
				"PUT /internal/platform/console/sessions/" + SID + " HTTP/1.1");
	}

	@Test
	void aDeleteThatLostItsConnectionIsSentOnceMore() {
		this.unansweredConnections = 1;
		client().deleteSession(SID);
		assertThat(this.requestLines).hasSize(2).allMatch((line) -> line.startsWith("DELETE "));
	}

	@Test
	void aSecondFailureIsReported() {
		this.unansweredConnections = 2;
		assertThatExceptionOfType(ConsoleStateUnavailableException.class).isThrownBy(() -> client().deleteSession(SID))
			.withCauseInstanceOf(ResourceAccessException.class);
		assertThat(this.requestLines).hasSize(2);
	}

	private ConsoleStateClient client() {
		this.connections = new PlatformApiConnections(new AdminApiProperties(
				"http://127.0.0.1:" + this.server.getLocalPort(), Duration.ofSeconds(2), Duration.ofSeconds(10)));
		return new ConsoleStateClient(this.connections.restClient(), "token");
	}

	private void serve() {
		while (!this.server.isClosed()) {
			try (Socket socket = this.server.accept()) {
				BufferedReader in = new BufferedReader(
						new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
				String requestLine = in.readLine();
				int length = 0;
				for (String header = in.readLine(); header != null && !header.isEmpty(); header = in.readLine()) {
					if (header.toLowerCase().startsWith("content-length:")) {
						length = Integer.parseInt(header.substring(15).trim());
					}
				}
				for (int i = 0; i < length; i++) {
					in.read();
				}
				this.requestLines.add(requestLine);
				if (this.unansweredConnections > 0) {
					this.unansweredConnections--;
					continue;
				}
				OutputStream out = socket.getOutputStream();
				out.write("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
				out.flush();
			}
			catch (IOException ex) {
				// closed by the test
			}
		}
	}

}
