package dev.warden.console.adminapi;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One page of an admin API list: {@code {"content": [...], "page", "size", "next_page"}};
 * {@code next_page} is null on the last page.
 *
 * @param content the items of the page
 * @param page the page number, from 0
 * @param size the page size
 * @param nextPage the next page's number, or null when this is the last
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Page<T>(List<T> content, int page, int size, @JsonProperty("next_page") Integer nextPage) {

	public Page {
		content = (content == null) ? List.of() : List.copyOf(content);
	}

	/** Whether the list goes on after this page. */
	public boolean hasMore() {
		return this.nextPage != null;
	}

}
