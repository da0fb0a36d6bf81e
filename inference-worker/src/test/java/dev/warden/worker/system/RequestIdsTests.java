package dev.warden.worker.system;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class RequestIdsTests {

	@Test
	void generatedIdsAreDistinctVersion4UuidsThatPassAsSaneIncomingIds() {
		Set<String> seen = new HashSet<>();
		for (int i = 0; i < 10_000; i++) {
			String id = RequestIds.choose(null);
			UUID uuid = UUID.fromString(id);
			assertThat(uuid.version()).isEqualTo(4);
			assertThat(uuid.variant()).isEqualTo(2);
			assertThat(uuid.toString()).isEqualTo(id);
			assertThat(RequestIds.choose(id)).isEqualTo(id);
			assertThat(seen.add(id)).isTrue();
		}
	}

	@Test
	void aSaneIncomingIdIsKeptAndAnythingElseReplaced() {
		assertThat(RequestIds.choose("abc-1.2_3")).isEqualTo("abc-1.2_3");
		assertThat(RequestIds.choose("bad id")).isNotEqualTo("bad id").hasSize(36);
		assertThat(RequestIds.choose("x".repeat(65))).hasSize(36);
	}

}
