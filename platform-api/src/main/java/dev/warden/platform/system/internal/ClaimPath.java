package dev.warden.platform.system.internal;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Reads a value out of a token's claims by a claim path: the rule by which the roles and
 * the user name are found ({@code warden.security.roles-claim},
 * {@code warden.security.username-claim}), the same as the console's
 * ({@code dev.warden.console.system.ClaimPath}, pinned by the same examples in
 * {@code ClaimPathTests} of both applications):
 * <ol>
 * <li>a claim whose name is the whole path is taken as it is (so a namespaced claim such
 * as {@code https://warden.example.com/roles} works);</li>
 * <li>otherwise the path is split at each {@code .} and followed through nested JSON
 * objects: {@code realm_access.roles}, {@code resource_access.warden-console.roles};</li>
 * <li>a JSON array gives its string elements (others are skipped), a string gives its
 * words (separated by spaces or commas); anything else, or a missing claim, gives
 * nothing.</li>
 * </ol>
 * Thread-safe: immutable.
 */
public final class ClaimPath {

	private final String path;

	private final String[] segments;

	private ClaimPath(String path) {
		this.path = path;
		this.segments = path.split("\\.", -1);
	}

	/**
	 * @param path a claim name or a dotted path
	 * @throws IllegalArgumentException for a blank path or one with an empty segment
	 */
	public static ClaimPath of(String path) {
		if (path == null || path.isBlank()) {
			throw new IllegalArgumentException("a claim path must not be empty");
		}
		String trimmed = path.strip();
		for (String segment : trimmed.split("\\.", -1)) {
			if (segment.isEmpty()) {
				throw new IllegalArgumentException("claim path '" + trimmed + "' has an empty segment");
			}
		}
		return new ClaimPath(trimmed);
	}

	/** The raw value at this path, or {@code null}. */
	public Object read(Map<String, ?> claims) {
		if (claims == null) {
			return null;
		}
		if (claims.containsKey(this.path)) {
			return claims.get(this.path);
		}
		Object value = claims;
		for (String segment : this.segments) {
			if (!(value instanceof Map<?, ?> map)) {
				return null;
			}
			value = map.get(segment);
		}
		return value;
	}

	/** The strings at this path (empty when there are none). */
	public List<String> strings(Map<String, ?> claims) {
		Object value = read(claims);
		List<String> out = new ArrayList<>();
		if (value instanceof Collection<?> values) {
			for (Object element : values) {
				if (element instanceof String text && !text.isBlank()) {
					out.add(text.strip());
				}
			}
		}
		else if (value instanceof String text) {
			for (String word : text.split("[\\s,]+")) {
				if (!word.isEmpty()) {
					out.add(word);
				}
			}
		}
		return out;
	}

	/**
	 * The string at this path, or {@code null} when it is missing, blank or no string.
	 */
	public String string(Map<String, ?> claims) {
		Object value = read(claims);
		return (value instanceof String text && !text.isBlank()) ? text : null;
	}

	@Override
	public String toString() {
		return this.path;
	}

}
