package dev.warden.platform.system;

import java.io.UnsupportedEncodingException;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.UnsupportedCharsetException;

import org.apache.catalina.connector.ClientAbortException;
import org.apache.coyote.BadRequestException;
import org.apache.tomcat.util.http.InvalidParameterException;

import org.springframework.http.HttpStatus;

/**
 * The errors raised while a request is read that are the client's doing, not the
 * server's: a chunked body that is not valid chunked encoding, a connection closed before
 * the body it declared, a query string that does not decode, a charset no one knows.
 * Tomcat raises them as exceptions when the body or a parameter is first read, which may
 * be in a filter, before any exception handler; found anywhere in a cause chain, they are
 * answered as the 4xx they are, never as a 500 with an ERROR log.
 */
public final class MalformedRequests {

	private MalformedRequests() {
	}

	/**
	 * The answer for {@code failure} when it is a malformed request, or null when it is
	 * not one.
	 */
	public static Answer of(Throwable failure) {
		for (Throwable cause = failure; cause != null; cause = (cause.getCause() != cause) ? cause.getCause() : null) {
			if (cause instanceof ClientAbortException) {
				return new Answer(HttpStatus.BAD_REQUEST, "incomplete_body",
						"the connection ended before the request body it declared was received", true);
			}
			if (cause instanceof BadRequestException) {
				return new Answer(HttpStatus.BAD_REQUEST, "malformed_body",
						"the request body is not valid HTTP/1.1 framing (chunked encoding or length)", false);
			}
			if (cause instanceof InvalidParameterException) {
				return new Answer(HttpStatus.BAD_REQUEST, "invalid_parameter",
						"the query string cannot be decoded: use UTF-8 and valid percent-encoding", false);
			}
			if (cause instanceof IllegalCharsetNameException || cause instanceof UnsupportedCharsetException
					|| cause instanceof UnsupportedEncodingException) {
				return new Answer(HttpStatus.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
						"the charset of the Content-Type is not a known character set; send UTF-8", false);
			}
		}
		return null;
	}

	/**
	 * How a malformed request is answered.
	 *
	 * @param status the 4xx status
	 * @param code the error code
	 * @param message what was wrong
	 * @param clientGone whether the client closed the connection (nobody reads the
	 * answer)
	 */
	public record Answer(HttpStatus status, String code, String message, boolean clientGone) {
	}

}
