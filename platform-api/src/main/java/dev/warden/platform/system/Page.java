package dev.warden.platform.system;

import java.util.List;

/**
 * One page of an admin list, as JSON {@code {"content": [...], "page": 0, "size": 50,
 * "next_page": 1}}: ask for {@code ?page=<next_page>} (with the same {@code size}) until
 * {@code next_page} is {@code null}. Offset paging: items added or removed meanwhile
 * shift later pages, so a reader may see an item twice or miss one.
 *
 * @param content the items of this page, in the list's documented order
 * @param page this page's number, from 0
 * @param size the page size asked for
 * @param nextPage the next page's number, or {@code null} when this is the last page
 */
public record Page<T>(List<T> content, int page, int size, Integer nextPage) {

	public Page {
		content = List.copyOf(content);
	}

	/**
	 * The page from what was read with {@link PageRequest#offset()} and
	 * {@link PageRequest#fetchSize()}: at most one item more than the page holds, which
	 * is dropped and means there is a next page.
	 */
	public static <T> Page<T> of(List<T> fetched, PageRequest request) {
		boolean more = fetched.size() > request.size();
		return new Page<>(more ? fetched.subList(0, request.size()) : fetched, request.page(), request.size(),
				more ? request.page() + 1 : null);
	}

	/** The page of a list held whole in memory. */
	public static <T> Page<T> slice(List<T> all, PageRequest request) {
		long from = Math.min(request.offset(), all.size());
		long to = Math.min(from + request.fetchSize(), all.size());
		return of(all.subList((int) from, (int) to), request);
	}

}
