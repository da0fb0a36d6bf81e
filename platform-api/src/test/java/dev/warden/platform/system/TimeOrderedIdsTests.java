package dev.warden.platform.system;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeOrderedIdsTests {

	@Test
	void idsAreVersion7WithTheRowsMillisecondInFront() {
		Instant at = Instant.parse("2026-12-06T10:15:30.123456Z");
		UUID id = TimeOrderedIds.next(at);
		assertThat(id.version()).isEqualTo(7);
		assertThat(id.variant()).isEqualTo(2);
		assertThat(TimeOrderedIds.millisOf(id)).isEqualTo(at.toEpochMilli());
		// the first 12 hex digits are the millisecond, as RFC 9562 lays it out
		assertThat(id.toString().replace("-", "").substring(0, 12))
			.isEqualTo(String.format("%012x", at.toEpochMilli()));
	}

	@Test
	void idsOfLaterRowsSortAfterEarlierOnes() {
		Instant start = Instant.parse("2026-12-06T10:00:00Z");
		List<UUID> ids = new ArrayList<>();
		for (int ms = 0; ms < 1000; ms++) {
			ids.add(TimeOrderedIds.next(start.plusMillis(ms)));
		}
		for (int i = 1; i < ids.size(); i++) {
			// PostgreSQL orders uuid values bytewise, as unsigned: the textual order
			assertThat(ids.get(i).toString()).isGreaterThan(ids.get(i - 1).toString());
		}
	}

	@Test
	void manyIdsInOneMillisecondAreDistinct() {
		Instant at = Instant.parse("2026-12-06T10:00:00Z");
		Set<UUID> ids = new HashSet<>();
		for (int i = 0; i < 200_000; i++) {
			ids.add(TimeOrderedIds.next(at));
		}
		assertThat(ids).hasSize(200_000);
	}

	@Test
	void onlyVersion7IdsHaveAMillisecond() {
		assertThatThrownBy(() -> TimeOrderedIds.millisOf(UUID.randomUUID()))
			.isInstanceOf(IllegalArgumentException.class)
			.hasMessageContaining("not a version 7 UUID");
	}

}
