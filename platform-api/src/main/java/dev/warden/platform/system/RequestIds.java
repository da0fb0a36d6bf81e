package dev.warden.platform.system;

import java.util.regex.Pattern;

import jakarta.servlet.http.HttpServletRequest;

/**
 * Request ids: a sane incoming {@code X-Request-Id} is kept, anything else is replaced by
 * a new time-ordered (version 7) UUID ({@link TimeOrderedIds}): unique, cheap to make on
 * every request thread at once, and appended at the right edge of the request log's index
 * on {@code request_id} rather than on a random page of it.
 */
public final class RequestIds {

	public static final String HEADER = "X-Request-Id";

	/** Request attribute holding the request id chosen by {@link RequestIdFilter}. */
	public static final String ATTRIBUTE = RequestIds.class.getName() + ".id";

	private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._-]{1,64}");

	private RequestIds() {
	}

	public static String choose(String incoming) {
		return (incoming != null && SANE.matcher(incoming).matches()) ? incoming : TimeOrderedIds.next().toString();
	}

	/**
	 * The request id of this request (assigning one if the filter did not run, e.g. on an
	 * error dispatch).
	 */
	public static String of(HttpServletRequest request) {
		Object id = request.getAttribute(ATTRIBUTE);
		if (id instanceof String s) {
			return s;
		}
		String chosen = choose(request.getHeader(HEADER));
		request.setAttribute(ATTRIBUTE, chosen);
		return chosen;
	}

}
