package dev.warden.worker.system;

import java.util.UUID;
import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Request ids: a sane incoming {@code X-Request-Id} (at most 64 characters of
 * {@code [A-Za-z0-9._-]}) is kept, anything else is replaced by a UUID.
 */
public final class RequestIds {

	public static final String HEADER = "X-Request-Id";

	/** Request attribute holding the id chosen by {@link RequestIdFilter}. */
	static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

	private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private RequestIds() {
	}

	static String choose(String incoming) {
		return (incoming != null && SANE.matcher(incoming).matches()) ? incoming : UUID.randomUUID().toString();
	}

	/**
	 * The id of this request, as echoed in {@code X-Request-Id}; a fresh UUID if the
	 * filter did not run.
	 */
	public static String of(HttpServletRequest request) {
		Object id = request.getAttribute(ATTRIBUTE);
		return (id != null) ? id.toString() : UUID.randomUUID().toString();
	}

}
