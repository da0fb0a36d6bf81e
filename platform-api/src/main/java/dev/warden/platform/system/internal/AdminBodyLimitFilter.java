package dev.warden.platform.system.internal;

import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.http.HttpMethod;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.warden.platform.system.BufferedBodyRequest;
import dev.warden.platform.system.ErrorResponses;

import static org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher.pathPattern;

/**
 * Caps the body of every admin call at {@code warden.admin-api.max-body-size} (64 KiB by
 * default): a declared {@code Content-Length} above it is answered 413
 * {@code payload_too_large} before anything is read; a chunked body is read up to one
 * byte more than the limit and answered the same way if it has that byte. A body within
 * the limit is handed on from memory. Two uploads are exempt and streamed with limits of
 * their own: the model upload ({@code POST /api/admin/models/{m}/versions}, multipart,
 * {@code warden.models.upload.max-bytes}) and the reference-data CSV upload ({@code POST
 * /api/admin/models/{m}/reference-datasets},
 * {@code warden.explainability.reference-data.max-bytes}).
 */
public final class AdminBodyLimitFilter extends OncePerRequestFilter {

	private static final RequestMatcher MODEL_UPLOAD = pathPattern(HttpMethod.POST, "/api/admin/models/*/versions");

	private static final RequestMatcher REFERENCE_DATA_UPLOAD = pathPattern(HttpMethod.POST,
			"/api/admin/models/*/reference-datasets");

	private final long maxBytes;

	public AdminBodyLimitFilter(long maxBytes) {
		this.maxBytes = maxBytes;
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		boolean hasBody = request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
		if (!hasBody || MODEL_UPLOAD.matches(request) || REFERENCE_DATA_UPLOAD.matches(request)) {
			chain.doFilter(request, response);
			return;
		}
		if (request.getContentLengthLong() > this.maxBytes) {
			tooLarge(request, response);
			return;
		}
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, this.maxBytes + 1));
		}
		if (body.length > this.maxBytes) {
			tooLarge(request, response);
			return;
		}
		chain.doFilter(new BufferedBodyRequest(request, body), response);
	}

	private void tooLarge(HttpServletRequest request, HttpServletResponse response) throws IOException {
		// the rest of the body is not read: the connection is closed after the answer
		response.setHeader("Connection", "close");
		ErrorResponses.write(request, response, HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE, "payload_too_large",
				"an admin request body is at most " + this.maxBytes + " bytes");
	}

}
