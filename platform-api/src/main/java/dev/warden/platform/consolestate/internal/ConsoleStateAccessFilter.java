package dev.warden.platform.consolestate.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.web.filter.OncePerRequestFilter;

import dev.warden.platform.system.BufferedBodyRequest;
import dev.warden.platform.system.ErrorResponses;

/**
 * The gate of {@code /internal/platform/console/**}, in this order:
 * <ol>
 * <li>no token configured: 404 {@code not_found} to everyone (the API is off);</li>
 * <li>{@code Authorization: Bearer <warden.console-state.token>} missing or another
 * token: 401 {@code unauthorized}. Compared in constant time (both sides hashed with
 * SHA-256 first, so neither length nor content leaks through timing); the presented token
 * is never logged;</li>
 * <li>a body longer than {@link #MAX_BODY_BYTES}: 413 {@code payload_too_large} (a
 * declared length before anything is read; a chunked body read up to one byte more than
 * the limit). A body within the limit is handed on from memory.</li>
 * </ol>
 */
public final class ConsoleStateAccessFilter extends OncePerRequestFilter {

	/**
	 * The largest request body: the largest opaque value (256 KiB) in base64, with room
	 * for the other fields.
	 */
	public static final int MAX_BODY_BYTES = 384 * 1024;

	private final byte[] expected;

	/**
	 * @param token the configured token; empty: the API is off
	 */
	public ConsoleStateAccessFilter(String token) {
		this.expected = (token == null || token.isBlank()) ? null : sha256(token.strip());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		if (this.expected == null) {
			ErrorResponses.write(request, response, HttpServletResponse.SC_NOT_FOUND, "not_found",
					"no endpoint " + request.getRequestURI());
			return;
		}
		if (!MessageDigest.isEqual(this.expected, sha256(bearer(request)))) {
			response.setHeader("WWW-Authenticate", "Bearer realm=\"warden-console-state\"");
			ErrorResponses.write(request, response, HttpServletResponse.SC_UNAUTHORIZED, "unauthorized",
					"the console state API needs 'Authorization: Bearer <warden.console-state.token>'");
			return;
		}
		boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
		if (!hasBody) {
			chain.doFilter(request, response);
			return;
		}
		if (request.getContentLengthLong() > MAX_BODY_BYTES) {
			tooLarge(request, response);
			return;
		}
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes(MAX_BODY_BYTES + 1);
		}
		if (body.length > MAX_BODY_BYTES) {
			tooLarge(request, response);
			return;
		}
		chain.doFilter(new BufferedBodyRequest(request, body), response);
	}

	private static void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
		// the rest of the body is not read: the connection is closed after the answer
		response.setHeader("Connection", "close");
		ErrorResponses.write(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
				"a console state request body is at most " + MAX_BODY_BYTES + " bytes");
	}

	private static String bearer(HttpServletRequest request) {
		String header = request.getHeader("Authorization");
		return (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) ? header.substring(7).strip() : "";
	}

	private static byte[] sha256(String text) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

}
