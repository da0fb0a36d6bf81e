package dev.warden.platform.system;

import org.springdoc.core.annotations.ParameterObject;

/**
 * Which page of a list an admin call asks for: query parameters {@code page} (0-based,
 * default 0) and {@code size} (1 to {@code warden.admin-api.page.max-size}, default
 * {@code warden.admin-api.page.default-size}). Declare it as a controller method
 * parameter; {@link PageRequestResolver} reads and checks it (400
 * {@code invalid_parameter} otherwise). A list is read with {@link #offset()} and
 * {@link #fetchSize()} and answered with {@link Page#of}. In the OpenAPI document its two
 * fields are query parameters ({@link ParameterObject}).
 *
 * @param page the page number, from 0
 * @param size items per page
 */
@ParameterObject
public record PageRequest(int page, int size) {

	public PageRequest {
		if (page < 0 || size < 1) {
			throw new IllegalArgumentException("page must be >= 0 and size >= 1");
		}
	}

	/** Items before this page (a {@code long}: page × size may exceed an {@code int}). */
	public long offset() {
		return (long) this.page * this.size;
	}

	/**
	 * Items to read: one more than the page holds, which tells whether there is a next
	 * page.
	 */
	public int fetchSize() {
		return this.size + 1;
	}

}
