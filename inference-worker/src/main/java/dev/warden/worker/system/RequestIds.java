package dev.warden.worker.system;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
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
		return (incoming != null && SANE.matcher(incoming).matches()) ? incoming : generate();
	}

	/**
	 * A random (version 4) UUID from the thread's own generator: a request id must be
	 * unique, not unguessable, and {@link UUID#randomUUID()} draws on the one shared
	 * {@code SecureRandom}, which every request thread without an incoming id would
	 * contend for.
	 */
	static String generate() {
		ThreadLocalRandom random = ThreadLocalRandom.current();
		long most = (random.nextLong() & ~0xF000L) | 0x4000L;
		long least = (random.nextLong() & ~(0xC000000000000000L)) | 0x8000000000000000L;
		return new UUID(most, least).toString();
	}

	/**
	 * The id of this request, as echoed in {@code X-Request-Id}; a fresh UUID if the
	 * filter did not run.
	 */
	public static String of(HttpServletRequest request) {
		Object id = request.getAttribute(ATTRIBUTE);
		return (id != null) ? id.toString() : generate();
	}

}
