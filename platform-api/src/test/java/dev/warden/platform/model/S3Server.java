package dev.warden.platform.model;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import software.amazon.awssdk.services.s3.S3Client;

import dev.warden.platform.model.internal.S3ArchiveStore;

/**
 * A real S3-compatible server on this machine for tests: S3Proxy with its in-memory
 * backend ({@code transient-nio2}), run as a separate JVM from its executable jar, which
 * the build copies to {@code target/s3proxy/s3proxy.jar} (maven-dependency-plugin; not a
 * test dependency, whose Jetty, Servlet 5 API and Jackson XML would sit beside the
 * application on the test class path). Listens on 127.0.0.1 on a free port, checks AWS
 * signatures (V2 or V4) against one key pair. Stopped by {@link #close()}.
 */
final class S3Server implements AutoCloseable {

	static final String ACCESS_KEY = "warden-test-access";

	static final String SECRET_KEY = "warden-test-secret-0123456789";

	static final String REGION = "us-east-1";

	private final Process process;

	private final int port;

	private final Path log;

	private S3Server(Process process, int port, Path log) {
		this.process = process;
		this.port = port;
		this.log = log;
	}

	/** Starts the server with its files (settings, log) in {@code dir}. */
	static S3Server start(Path dir) throws IOException, InterruptedException {
		Path jar = Path.of("target", "s3proxy", "s3proxy.jar").toAbsolutePath();
		if (!Files.isRegularFile(jar)) {
			throw new IllegalStateException(jar + " is missing: the build copies it in process-test-resources");
		}
		int port;
		try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
			port = socket.getLocalPort();
		}
		Path properties = dir.resolve("s3proxy.properties");
		Files.writeString(properties,
				String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + port, "s3proxy.authorization=aws-v2-or-v4",
						"s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + SECRET_KEY,
						"jclouds.provider=transient-nio2", "jclouds.identity=" + ACCESS_KEY,
						"jclouds.credential=" + SECRET_KEY, ""),
				StandardCharsets.UTF_8);
		Path log = dir.resolve("s3proxy.log");
		String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
		Process process = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
				"-jar", jar.toString(), "--properties", properties.toString()))
			.redirectErrorStream(true)
			.redirectOutput(log.toFile())
			.start();
		S3Server server = new S3Server(process, port, log);
		try {
			server.awaitListening(Duration.ofSeconds(60));
		}
		catch (IOException | InterruptedException | RuntimeException ex) {
			server.close();
			throw ex;
		}
		return server;
	}

	private void awaitListening(Duration timeout) throws IOException, InterruptedException {
		long deadline = System.nanoTime() + timeout.toNanos();
		while (System.nanoTime() < deadline) {
			if (!this.process.isAlive()) {
				throw new IllegalStateException("S3Proxy exited with " + this.process.exitValue() + ": "
						+ Files.readString(this.log, StandardCharsets.UTF_8));
			}
			try (Socket socket = new Socket()) {
				socket.connect(new InetSocketAddress("127.0.0.1", this.port), 200);
				return;
			}
			catch (IOException notYet) {
				Thread.sleep(100);
			}
		}
		throw new IllegalStateException(
				"S3Proxy did not listen within " + timeout + ": " + Files.readString(this.log, StandardCharsets.UTF_8));
	}

	String endpoint() {
		return "http://127.0.0.1:" + this.port;
	}

	/** A client of this server, as the application builds it (path-style URLs). */
	S3Client client() {
		return S3ArchiveStore.client(endpoint(), REGION, true, ACCESS_KEY, SECRET_KEY, Duration.ofSeconds(5),
				Duration.ofSeconds(30));
	}

	@Override
	public void close() {
		this.process.destroy();
		try {
			if (!this.process.waitFor(10, TimeUnit.SECONDS)) {
				this.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
			}
		}
		catch (InterruptedException ex) {
			this.process.destroyForcibly();
			Thread.currentThread().interrupt();
		}
	}

}
