package dev.warden.platform.system;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RequestIdsTests {

	@Test
	void aSaneIncomingIdIsKept() {
		assertThat(RequestIds.choose("client-42.retry_1")).isEqualTo("client-42.retry_1");
	}

	@Test
	void anAbsentOrInsaneIdIsReplacedByANewTimeOrderedUuid() {
		for (String incoming : new String[] { null, "", "has space", "x".repeat(65), "semi;colon", "new\nline" }) {
			String chosen = RequestIds.choose(incoming);
			UUID id = UUID.fromString(chosen);
			assertThat(id.version()).as("for %s", incoming).isEqualTo(7);
			assertThat(id.toString()).isEqualTo(chosen);
		}
	}

	@Test
	void generatedIdsAreDistinctAndSortByTheMillisecondTheyWereMadeIn() throws Exception {
		List<String> ids = new ArrayList<>();
		Set<String> distinct = new HashSet<>();
		for (int i = 0; i < 50_000; i++) {
			String id = RequestIds.choose(null);
			ids.add(id);
			distinct.add(id);
		}
		Thread.sleep(2);
		String later = RequestIds.choose(null);
		assertThat(distinct).hasSize(ids.size());
		for (int i = 1; i < ids.size(); i++) {
			assertThat(TimeOrderedIds.millisOf(UUID.fromString(ids.get(i))))
				.isGreaterThanOrEqualTo(TimeOrderedIds.millisOf(UUID.fromString(ids.get(i - 1))));
		}
		// PostgreSQL orders uuid values bytewise: the textual order
		assertThat(later).isGreaterThan(ids.get(ids.size() - 1));
	}

}
