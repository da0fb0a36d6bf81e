package dev.warden.worker.system;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over {@code warden.worker.max-request-bytes} with 413 and the
 * JSON error, on every API, before anything parses them; a version archive posted to
 * {@code POST /internal/v1/validate} ({@code Content-Type: application/zip}) has its own
 * limit, {@code warden.worker.max-validation-bytes}, and is never read into memory here:
 * a chunked archive is passed on as it comes and the validation endpoint stops reading it
 * one byte past that limit (413). A declared {@code Content-Length} over the limit is
 * refused without reading the body (the connection is closed); a chunked body is read up
 * to one byte past the limit and then either refused or handed on from memory. Bodies
 * with a {@code Content-Length} within the limit pass untouched: the container never
 * delivers more bytes than declared. Runs after the request id and the caller's token
 * (registration.CallerTokenFilter).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 3)
class RequestSizeLimitFilter extends OncePerRequestFilter {

	/** The endpoint that takes a version archive as its body. */
	static final String VALIDATE = "/internal/v1/validate";

	private final long limit;

	private final long validationLimit;

	RequestSizeLimitFilter(RequestLimitProperties properties) {
		this.limit = properties.maxRequestBytes().toBytes();
		this.validationLimit = properties.maxValidationBytes().toBytes();
	}

	/**
	 * Whether the request posts a version archive to the validation endpoint (the one
	 * body under {@code warden.worker.max-validation-bytes}).
	 */
	static boolean isArchiveValidation(HttpServletRequest request) {
		String type = request.getContentType();
		return "POST".equals(request.getMethod()) && VALIDATE.equals(request.getRequestURI()) && type != null
				&& type.regionMatches(true, 0, "application/zip", 0, "application/zip".length());
	}

	@Override
	protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws ServletException, IOException {
		long declared = request.getContentLengthLong();
		if (isArchiveValidation(request)) {
			if (declared > this.validationLimit) {
				response.setHeader(HttpHeaders.CONNECTION, "close");
				ErrorResponses.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
						"the version archive exceeds the limit of " + this.validationLimit
								+ " bytes (warden.worker.max-validation-bytes; got " + declared + " bytes)");
				return;
			}
			chain.doFilter(request, response);
			return;
		}
		if (declared > limit) {
			response.setHeader(HttpHeaders.CONNECTION, "close");
			tooLarge(request, response, declared + " bytes");
			return;
		}
		if (declared >= 0 || request.getHeader(HttpHeaders.TRANSFER_ENCODING) == null) {
			chain.doFilter(request, response);
			return;
		}
		byte[] body;
		try (InputStream in = request.getInputStream()) {
			body = in.readNBytes((int) limit + 1);
		}
		if (body.length > limit) {
			response.setHeader(HttpHeaders.CONNECTION, "close");
			tooLarge(request, response, "more than " + limit + " bytes");
			return;
		}
		chain.doFilter(new BufferedBodyRequest(request, body), response);
	}

	private void tooLarge(HttpServletRequest request, HttpServletResponse response, String got) throws IOException {
		ErrorResponses.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
				"request body exceeds the limit of " + limit + " bytes (got " + got + ")");
	}

	/** A request whose (chunked) body has been read into memory already. */
	private static final class BufferedBodyRequest extends HttpServletRequestWrapper {

		private final byte[] body;

		BufferedBodyRequest(HttpServletRequest request, byte[] body) {
			super(request);
			this.body = body;
		}

		@Override
		public ServletInputStream getInputStream() {
			ByteArrayInputStream in = new ByteArrayInputStream(body);
			return new ServletInputStream() {

				@Override
				public int read() {
					return in.read();
				}

				@Override
				public int read(byte[] buffer, int offset, int length) {
					return in.read(buffer, offset, length);
				}

				@Override
				public boolean isFinished() {
					return in.available() == 0;
				}

				@Override
				public boolean isReady() {
					return true;
				}

				@Override
				public void setReadListener(ReadListener listener) {
					throw new UnsupportedOperationException("the body has been read already");
				}

			};
		}

		@Override
		public java.io.BufferedReader getReader() {
			java.nio.charset.Charset charset = java.nio.charset.StandardCharsets.UTF_8;
			try {
				if (getCharacterEncoding() != null) {
					charset = java.nio.charset.Charset.forName(getCharacterEncoding());
				}
			}
			catch (IllegalArgumentException ex) {
				// an unknown charset in the request: read it as UTF-8 like the JSON
				// parser would
			}
			return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(), charset));
		}

		@Override
		public int getContentLength() {
			return body.length;
		}

		@Override
		public long getContentLengthLong() {
			return body.length;
		}

	}

}
