import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * A small closed-loop HTTP/1.1 load generator for the benchmarks in bench/: N clients, each on its own keep-alive
 * connection, POST the same JSON body back to back for a warm-up and then for the measured time. Run as a single-file
 * program:
 * java bench/LoadGenerator.java URL[,URL...] BODY_FILE CLIENTS SECONDS [WARMUP_SECONDS] ['Name: value' ...]
 * [--lines] [--sum=field,field] [--ca=PEM_FILE]
 * (extra arguments are sent as request headers, e.g. an API key). Prints one line: clients=N requests=… rps=…
 * p50_ms=… p90_ms=… p99_ms=… non_2xx=… errors=… all_requests=… cpu_ms=… [tls=PROTOCOL/CIPHER_SUITE]
 * <p>
 * Several comma-separated URLs (e.g. two gateway replicas, bench/scale.sh) are assigned to the clients round-robin:
 * client c sends to URL c mod n for the whole run. {@code requests}, {@code rps} and the percentiles count the
 * measured time only; {@code all_requests} counts every answer including the warm-up, and {@code cpu_ms} is the CPU
 * time this process itself used during the measured time (all its threads; -1 if the JVM cannot tell), so that a
 * script can tell what the load generator took from the machine.
 * <p>
 * {@code --lines}: BODY_FILE holds one JSON body per line; each client cycles through them, client c starting at line
 * c. {@code --sum=a,b}: the answers of the measured requests are read and the first number after each
 * {@code "a":} in them is summed; the line then ends with {@code sum_a=… sum_b=…} (bench/explain-http.sh reads
 * {@code model_evaluations} and {@code model_calls} of explanations this way).
 * <p>
 * {@code https://} URLs are sent over TLS, on the same one keep-alive connection per client (one handshake per client
 * and run, or again after an error). The server's certificate is verified as any HTTPS client does: its chain must
 * end at a trusted CA and its subject alternative names must match the URL's host (a name or an IP address).
 * {@code --ca=PEM_FILE} trusts exactly the CA certificates in that file (e.g. a throw-away CA made for a benchmark)
 * instead of the JDK's; without it the JDK's default trust store is used. The line then ends with
 * {@code tls=…/…}: the protocol and cipher suite the connections negotiated (several, comma-separated, if they
 * differed).
 */
public class LoadGenerator {

	private LoadGenerator() {
	}

	public static void main(String[] args) throws Exception {
		List<URI> urls = new ArrayList<>();
		for (String url : args[0].split(",")) {
			if (!url.isBlank()) {
				urls.add(URI.create(url.trim()));
			}
		}
		if (urls.isEmpty()) {
			throw new IllegalArgumentException("no URL in " + args[0]);
		}
		int clients = Integer.parseInt(args[2]);
		double seconds = Double.parseDouble(args[3]);
		double warmup = args.length > 4 ? Double.parseDouble(args[4]) : 2;
		StringBuilder extra = new StringBuilder();
		boolean lines = false;
		List<String> sumFields = new ArrayList<>();
		Path caFile = null;
		for (int i = 5; i < args.length; i++) {
			if (args[i].equals("--lines")) {
				lines = true;
			}
			else if (args[i].startsWith("--ca=")) {
				caFile = Path.of(args[i].substring(5));
			}
			else if (args[i].startsWith("--sum=")) {
				sumFields.addAll(List.of(args[i].substring(6).split(",")));
			}
			else {
				extra.append(args[i]).append("\r\n");
			}
		}
		List<byte[]> bodies = new ArrayList<>();
		if (lines) {
			for (String line : Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8)) {
				if (!line.isBlank()) {
					bodies.add(line.getBytes(StandardCharsets.UTF_8));
				}
			}
		}
		else {
			bodies.add(Files.readAllBytes(Path.of(args[1])));
		}
		if (bodies.isEmpty()) {
			throw new IllegalArgumentException("no request body in " + args[1]);
		}
		// requests[u][b]: body b sent to URL u
		byte[][][] requests = new byte[urls.size()][bodies.size()][];
		for (int u = 0; u < urls.size(); u++) {
			URI url = urls.get(u);
			for (int b = 0; b < bodies.size(); b++) {
				byte[] body = bodies.get(b);
				byte[] head = ("POST " + url.getRawPath() + " HTTP/1.1\r\nHost: " + url.getHost() + ":" + port(url)
						+ "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n" + extra
						+ "\r\n")
					.getBytes(StandardCharsets.US_ASCII);
				requests[u][b] = new byte[head.length + body.length];
				System.arraycopy(head, 0, requests[u][b], 0, head.length);
				System.arraycopy(body, 0, requests[u][b], head.length, body.length);
			}
		}
		boolean keepBodies = !sumFields.isEmpty();
		SSLSocketFactory tls = null;
		for (URI url : urls) {
			if ("https".equalsIgnoreCase(url.getScheme())) {
				tls = ((caFile != null) ? trusting(caFile) : SSLContext.getDefault()).getSocketFactory();
				break;
			}
		}
		SSLSocketFactory tlsFactory = tls;
		ConcurrentHashMap<String, Boolean> negotiated = new ConcurrentHashMap<>();
		double[][] sums = new double[clients][sumFields.size()];

		long start = System.nanoTime();
		long measureFrom = start + (long) (warmup * 1e9);
		long end = measureFrom + (long) (seconds * 1e9);
		long[][] latencies = new long[clients][];
		int[] counts = new int[clients];
		long[] allCounts = new long[clients];
		AtomicLong non2xx = new AtomicLong();
		AtomicLong errors = new AtomicLong();
		AtomicReference<IOException> firstError = new AtomicReference<>();
		CountDownLatch done = new CountDownLatch(clients);
		for (int c = 0; c < clients; c++) {
			int client = c;
			URI url = urls.get(client % urls.size());
			byte[][] ownRequests = requests[client % urls.size()];
			Thread thread = new Thread(() -> {
				long[] own = new long[1 << 16];
				int n = 0;
				long answered = 0;
				int next = client % ownRequests.length;
				ByteArrayOutputStream answer = keepBodies ? new ByteArrayOutputStream() : null;
				Socket socket = null;
				InputStream in = null;
				try {
					while (true) {
						long before = System.nanoTime();
						if (before >= end) {
							break;
						}
						try {
							if (socket == null) {
								socket = connect(url, tlsFactory, negotiated);
								in = new BufferedInputStream(socket.getInputStream(), 16384);
							}
							OutputStream out = socket.getOutputStream();
							out.write(ownRequests[next]);
							out.flush();
							next = (next + 1) % ownRequests.length;
							if (answer != null) {
								answer.reset();
							}
							int status = readResponse(in, answer);
							if (status < 200 || status > 299) {
								non2xx.incrementAndGet();
							}
						}
						catch (IOException ex) {
							errors.incrementAndGet();
							firstError.compareAndSet(null, ex);
							closeQuietly(socket);
							socket = null;
							continue;
						}
						long after = System.nanoTime();
						answered++;
						if (before >= measureFrom) {
							if (n == own.length) {
								own = Arrays.copyOf(own, n * 2);
							}
							own[n++] = after - before;
							if (answer != null) {
								addFields(answer.toString(StandardCharsets.ISO_8859_1), sumFields, sums[client]);
							}
						}
					}
				}
				finally {
					closeQuietly(socket);
					latencies[client] = own;
					counts[client] = n;
					allCounts[client] = answered;
					done.countDown();
				}
			});
			thread.setDaemon(true);
			thread.start();
		}
		long sleep = (measureFrom - System.nanoTime()) / 1_000_000;
		if (sleep > 0) {
			Thread.sleep(sleep);
		}
		long cpuFrom = processCpuNanos();
		done.await();
		long cpuUsed = cpuFrom < 0 ? -1_000_000 : processCpuNanos() - cpuFrom;
		int total = Arrays.stream(counts).sum();
		long[] all = new long[total];
		int offset = 0;
		for (int c = 0; c < clients; c++) {
			System.arraycopy(latencies[c], 0, all, offset, counts[c]);
			offset += counts[c];
		}
		Arrays.sort(all);
		StringBuilder summed = new StringBuilder();
		for (int f = 0; f < sumFields.size(); f++) {
			double sum = 0;
			for (int c = 0; c < clients; c++) {
				sum += sums[c][f];
			}
			summed.append(String.format(Locale.ROOT, " sum_%s=%.0f", sumFields.get(f), sum));
		}
		if (firstError.get() != null) {
			// e.g. a refused connection or a certificate that failed verification
			System.err.println("first error: " + firstError.get());
		}
		String tlsUsed = negotiated.isEmpty() ? ""
				: " tls=" + String.join(",", negotiated.keySet().stream().sorted().toList());
		System.out.printf(Locale.ROOT,
				"clients=%d requests=%d rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f non_2xx=%d errors=%d%s"
						+ " all_requests=%d cpu_ms=%.1f%s%n",
				clients, total, total / seconds, percentile(all, 0.50) / 1e6, percentile(all, 0.90) / 1e6,
				percentile(all, 0.99) / 1e6, non2xx.get(), errors.get(), summed, Arrays.stream(allCounts).sum(),
				cpuUsed / 1e6, tlsUsed);
	}

	/** The port of the URL, or the scheme's default port when it names none. */
	private static int port(URI url) {
		if (url.getPort() >= 0) {
			return url.getPort();
		}
		return "https".equalsIgnoreCase(url.getScheme()) ? 443 : 80;
	}

	/**
	 * Opens a connection to the URL's host and port: plain TCP for {@code http://}, TLS for {@code https://} with the
	 * server's certificate checked against the trusted CAs and its names against the URL's host (endpoint
	 * identification {@code HTTPS}); the handshake is done here, so its time never counts as a request's. Records the
	 * negotiated protocol and cipher suite in {@code negotiated}.
	 */
	private static Socket connect(URI url, SSLSocketFactory tls, ConcurrentHashMap<String, Boolean> negotiated)
			throws IOException {
		if (!"https".equalsIgnoreCase(url.getScheme())) {
			Socket socket = new Socket(url.getHost(), port(url));
			socket.setTcpNoDelay(true);
			return socket;
		}
		SSLSocket socket = (SSLSocket) tls.createSocket(url.getHost(), port(url));
		try {
			socket.setTcpNoDelay(true);
			SSLParameters parameters = socket.getSSLParameters();
			// host-name verification is off on a bare SSLSocket unless asked for
			parameters.setEndpointIdentificationAlgorithm("HTTPS");
			socket.setSSLParameters(parameters);
			socket.startHandshake();
			negotiated.putIfAbsent(socket.getSession().getProtocol() + "/" + socket.getSession().getCipherSuite(),
					Boolean.TRUE);
			return socket;
		}
		catch (IOException ex) {
			closeQuietly(socket);
			throw ex;
		}
	}

	/** A TLS context that trusts exactly the CA certificates of a PEM file. */
	private static SSLContext trusting(Path caFile) throws Exception {
		Collection<? extends Certificate> certificates;
		try (InputStream in = Files.newInputStream(caFile)) {
			certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
		}
		if (certificates.isEmpty()) {
			throw new IllegalArgumentException("no certificate in " + caFile);
		}
		KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
		trusted.load(null, null);
		int n = 0;
		for (Certificate certificate : certificates) {
			trusted.setCertificateEntry("ca-" + n++, certificate);
		}
		TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
		trust.init(trusted);
		SSLContext context = SSLContext.getInstance("TLS");
		context.init(null, trust.getTrustManagers(), null);
		return context;
	}

	/** CPU time of this process (all threads) so far, in nanoseconds; -1 if the JVM cannot tell. */
	private static long processCpuNanos() {
		if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
			return os.getProcessCpuTime();
		}
		return -1;
	}

	/** Adds the first number after each {@code "field":} in the answer to the field's sum. */
	private static void addFields(String answer, List<String> fields, double[] sums) {
		for (int f = 0; f < fields.size(); f++) {
			String key = "\"" + fields.get(f) + "\":";
			int at = answer.indexOf(key);
			while (at >= 0) {
				int start = at + key.length();
				while (start < answer.length() && answer.charAt(start) == ' ') {
					start++;
				}
				int end = start;
				while (end < answer.length() && "+-.0123456789eE".indexOf(answer.charAt(end)) >= 0) {
					end++;
				}
				if (end > start) {
					sums[f] += Double.parseDouble(answer.substring(start, end));
				}
				at = answer.indexOf(key, end);
			}
		}
	}

	private static double percentile(long[] sorted, double p) {
		return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))];
	}

	/**
	 * Reads one response (Content-Length or chunked body) and returns its status; the body is copied to
	 * {@code answer} unless it is null.
	 */
	private static int readResponse(InputStream in, ByteArrayOutputStream answer) throws IOException {
		String statusLine = line(in);
		int status = Integer.parseInt(statusLine.split(" ")[1]);
		long length = -1;
		boolean chunked = false;
		String header;
		while (!(header = line(in)).isEmpty()) {
			String lower = header.toLowerCase(Locale.ROOT);
			if (lower.startsWith("content-length:")) {
				length = Long.parseLong(lower.substring(15).trim());
			}
			else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
				chunked = true;
			}
		}
		if (chunked) {
			while (true) {
				long size = Long.parseLong(line(in).split(";")[0].trim(), 16);
				if (size == 0) {
					while (!line(in).isEmpty()) {
						// trailers
					}
					break;
				}
				skip(in, size, answer);
				line(in);
			}
		}
		else if (length > 0) {
			skip(in, length, answer);
		}
		return status;
	}

	private static String line(InputStream in) throws IOException {
		StringBuilder text = new StringBuilder();
		int b;
		while ((b = in.read()) != -1) {
			if (b == '\n') {
				int last = text.length() - 1;
				return last >= 0 && text.charAt(last) == '\r' ? text.substring(0, last) : text.toString();
			}
			text.append((char) b);
		}
		throw new IOException("connection closed");
	}

	private static void skip(InputStream in, long n, ByteArrayOutputStream answer) throws IOException {
		byte[] buffer = new byte[8192];
		while (n > 0) {
			int read = in.read(buffer, 0, (int) Math.min(buffer.length, n));
			if (read < 0) {
				throw new IOException("connection closed");
			}
			if (answer != null) {
				answer.write(buffer, 0, read);
			}
			n -= read;
		}
	}

	private static void closeQuietly(Socket socket) {
		if (socket != null) {
			try {
				socket.close();
			}
			catch (IOException ex) {
				// ignore
			}
		}
	}

}
