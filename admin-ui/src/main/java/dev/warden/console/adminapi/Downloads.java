package dev.warden.console.adminapi;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;

/**
 * Sends a binary answer of platform-api (a report's PDF, a card's export) to the browser
 * as a download while it streams, so that the console never holds the file.
 */
public final class Downloads {

	private static final Logger log = LoggerFactory.getLogger(Downloads.class);

	private Downloads() {
	}

	/**
	 * Streams the answer of {@code call} to the browser as an attachment.
	 * @param fileName the file's name (other characters than letters, digits, dot, dash
	 * and underscore become underscores)
	 * @param contentType the content type sent, whatever platform-api declared: the
	 * console answers only the types it expects
	 * @param call the admin API call, given the reader of its answer
	 * @return null when the file was sent (also when it broke off after its first bytes:
	 * that is logged, and the browser has a truncated file), otherwise why platform-api
	 * sent nothing, fit for the page
	 */
	public static String send(HttpServletResponse response, String fileName, String contentType,
			Consumer<Download> call) {
		try {
			call.accept((type, body) -> {
				response.setContentType(contentType);
				response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
						ContentDisposition.attachment()
							.filename(fileName.replaceAll("[^A-Za-z0-9._-]", "_"), StandardCharsets.UTF_8)
							.build()
							.toString());
				body.transferTo(response.getOutputStream());
			});
			return null;
		}
		catch (AdminApiException ex) {
			if (response.isCommitted()) {
				log.warn("The download of {} broke off while streaming: {}", fileName, ex.getMessage());
				return null;
			}
			return ex.getMessage();
		}
	}

}
