package dev.warden.console.state;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;

/**
 * Answers a request whose session could not be read or kept because platform-api's
 * console state API could not be used with 503 and {@code Retry-After} (a short page, or
 * the console's JSON error for a JSON client) instead of a 500 with a stack trace; the
 * user stays signed in and the next request after platform-api is back works. Runs just
 * before Spring Session's filter. One WARN per outage (at most one a minute), no stack
 * trace.
 */
final class ConsoleStateOutageFilter extends HttpFilter {

	static final int RETRY_AFTER_SECONDS = 5;

	private static final long WARN_INTERVAL_NANOS = 60_000_000_000L;

	private static final Log logger = LogFactory.getLog(ConsoleStateOutageFilter.class);

	private static final String PAGE = """
			<!DOCTYPE html>
			<html lang="en">
			<head><meta charset="utf-8"><title>Console unavailable - Warden</title></head>
			<body>
			<main>
			<h1>The console cannot reach the platform</h1>
			<p>Your session is kept by platform-api, which did not answer. Nothing was changed and you stay signed in:
			try again in a few seconds.</p>
			</main>
			</body>
			</html>
			""";

	private final AtomicLong lastWarning = new AtomicLong(System.nanoTime() - WARN_INTERVAL_NANOS);

	@Override
	protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
			throws IOException, ServletException {
		try {
			chain.doFilter(request, response);
		}
		catch (IOException | ServletException | RuntimeException ex) {
			ConsoleStateUnavailableException outage = outage(ex);
			if (outage == null || response.isCommitted()) {
				throw ex;
			}
			warn(outage);
			response.reset();
			response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
			response.setHeader(HttpHeaders.RETRY_AFTER, Integer.toString(RETRY_AFTER_SECONDS));
			response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
			String accept = request.getHeader(HttpHeaders.ACCEPT);
			boolean json = accept != null && accept.contains(MediaType.APPLICATION_JSON_VALUE)
					&& !accept.contains(MediaType.TEXT_HTML_VALUE);
			response.setContentType(
					(json ? MediaType.APPLICATION_JSON_VALUE : MediaType.TEXT_HTML_VALUE) + ";charset=UTF-8");
			response.getOutputStream()
				.write((json ? "{\"error\":{\"code\":\"console_state_unavailable\",\"message\":"
						+ "\"platform-api, which keeps the console's sessions, did not answer; try again in a few "
						+ "seconds\"}}" : PAGE)
					.getBytes(StandardCharsets.UTF_8));
		}
	}

	private void warn(ConsoleStateUnavailableException outage) {
		long now = System.nanoTime();
		long last = this.lastWarning.get();
		if (now - last >= WARN_INTERVAL_NANOS && this.lastWarning.compareAndSet(last, now)) {
			logger.warn("Answered 503: " + outage.getMessage());
		}
	}

	private static ConsoleStateUnavailableException outage(Throwable ex) {
		for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
			if (cause instanceof ConsoleStateUnavailableException outage) {
				return outage;
			}
		}
		return null;
	}

}
