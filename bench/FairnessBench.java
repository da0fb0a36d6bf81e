import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.SplittableRandom;

import com.sun.net.httpserver.HttpServer;

/**
 * Helpers of bench/fairness.sh, run as a single-file program:
 * <ul>
 * <li>{@code java bench/FairnessBench.java rows IN.csv OUT.csv N SEED}: N rows drawn with replacement (a
 * SplittableRandom seeded with SEED) from the data rows of IN.csv (the shipped Adult validation split: plain CSV,
 * no quoted fields), written with the columns the income model takes plus {@code label} (row_id and uci_file are
 * left out): an evaluation dataset for income;</li>
 * <li>{@code java bench/FairnessBench.java issuer PORT TOKEN_FILE}: an OAuth2 issuer for a gateway started with
 * {@code WARDEN_OIDC_ISSUER_URI=http://127.0.0.1:PORT}: a fresh RSA key, its JWK set at {@code /oauth2/jwks}, and
 * an ADMIN access token (RFC 9068, audience warden-admin-api, valid for 2 hours) written to TOKEN_FILE; serves
 * until killed.</li>
 * </ul>
 */
public final class FairnessBench {

	private static final List<String> DROPPED = List.of("row_id", "uci_file");

	private FairnessBench() {
	}

	public static void main(String[] args) throws Exception {
		if (args.length == 5 && args[0].equals("rows")) {
			rows(Path.of(args[1]), Path.of(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]));
		}
		else if (args.length == 3 && args[0].equals("issuer")) {
			issuer(Integer.parseInt(args[1]), Path.of(args[2]));
		}
		else {
			System.err.println("usage: rows IN.csv OUT.csv N SEED | issuer PORT TOKEN_FILE");
			System.exit(2);
		}
	}

	private static void rows(Path in, Path out, int n, long seed) throws IOException {
		List<String> header;
		List<String> lines = new ArrayList<>();
		try (BufferedReader reader = Files.newBufferedReader(in, StandardCharsets.UTF_8)) {
			header = List.of(reader.readLine().split(",", -1));
			String line;
			while ((line = reader.readLine()) != null) {
				if (!line.isEmpty()) {
					lines.add(line);
				}
			}
		}
		List<Integer> kept = new ArrayList<>();
		for (int c = 0; c < header.size(); c++) {
			if (!DROPPED.contains(header.get(c))) {
				kept.add(c);
			}
		}
		SplittableRandom random = new SplittableRandom(seed);
		try (BufferedWriter writer = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
			writer.write(join(header.toArray(String[]::new), kept));
			writer.write("\r\n");
			for (int i = 0; i < n; i++) {
				writer.write(join(lines.get(random.nextInt(lines.size())).split(",", -1), kept));
				writer.write("\r\n");
			}
		}
	}

	private static String join(String[] fields, List<Integer> kept) {
		StringBuilder line = new StringBuilder();
		for (int c : kept) {
			line.append(line.isEmpty() ? "" : ",").append(fields[c]);
		}
		return line.toString();
	}

	private static void issuer(int port, Path tokenFile) throws Exception {
		KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
		generator.initialize(2048);
		KeyPair keys = generator.generateKeyPair();
		RSAPublicKey publicKey = (RSAPublicKey) keys.getPublic();
		String issuer = "http://127.0.0.1:" + port;
		String jwks = "{\"keys\":[{\"kty\":\"RSA\",\"use\":\"sig\",\"alg\":\"RS256\",\"kid\":\"bench\",\"n\":\""
				+ base64(unsigned(publicKey.getModulus())) + "\",\"e\":\""
				+ base64(unsigned(publicKey.getPublicExponent())) + "\"}]}";
		long now = Instant.now().getEpochSecond();
		String header = "{\"alg\":\"RS256\",\"typ\":\"at+jwt\",\"kid\":\"bench\"}";
		String claims = "{\"iss\":\"" + issuer + "\",\"sub\":\"bench-admin\",\"aud\":\"warden-admin-api\","
				+ "\"roles\":[\"ADMIN\"],\"iat\":" + now + ",\"nbf\":" + now + ",\"exp\":" + (now + 7200) + "}";
		String signingInput = base64(header.getBytes(StandardCharsets.UTF_8)) + "."
				+ base64(claims.getBytes(StandardCharsets.UTF_8));
		Signature signature = Signature.getInstance("SHA256withRSA");
		signature.initSign(keys.getPrivate());
		signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
		String token = signingInput + "." + base64(signature.sign());
		HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
		server.createContext("/oauth2/jwks", (exchange) -> {
			byte[] body = jwks.getBytes(StandardCharsets.UTF_8);
			exchange.getResponseHeaders().add("Content-Type", "application/json");
			exchange.sendResponseHeaders(200, body.length);
			try (OutputStream out = exchange.getResponseBody()) {
				out.write(body);
			}
		});
		server.start();
		Files.writeString(tokenFile, token);
	}

	private static byte[] unsigned(BigInteger value) {
		byte[] bytes = value.toByteArray();
		if (bytes.length > 1 && bytes[0] == 0) {
			byte[] trimmed = new byte[bytes.length - 1];
			System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
			return trimmed;
		}
		return bytes;
	}

	private static String base64(byte[] bytes) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
	}

}
