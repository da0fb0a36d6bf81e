package dev.warden.platform.monitoring.internal;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The tokeniser and FNV-1a 32-bit hash of text features against the published FNV test
 * vectors and hand-split text.
 */
class DriftTokensTests {

	@Test
	void fnv1a32MatchesThePublishedTestVectors() {
		assertThat(DriftTokens.fnv1a32("")).isEqualTo(0x811c9dc5);
		assertThat(DriftTokens.fnv1a32("a")).isEqualTo(0xe40c292c);
		assertThat(DriftTokens.fnv1a32("foobar")).isEqualTo(0xbf9cf968);
	}

	@Test
	void aBucketIsTheUnsignedHashModuloTheBuckets() {
		// 0xbf9cf968 = 3214735720 unsigned; 3214735720 mod 64 = 40
		assertThat(DriftTokens.bucket("foobar", 64)).isEqualTo(40);
		assertThat(DriftTokens.bucket("foobar", 1000)).isEqualTo(720);
	}

	@Test
	void textIsLowerCasedAndSplitAtEverythingButLettersAndDigits() {
		List<Integer> buckets = new ArrayList<>();
		int count = DriftTokens.tokens("FOOBAR, foobar! 42x--Ünïcode\tfoo_bar", 64, buckets::add);
		assertThat(count).isEqualTo(6);
		assertThat(buckets).hasSize(6);
		assertThat(buckets.get(0)).isEqualTo(40).isEqualTo(buckets.get(1));
		assertThat(buckets.get(2)).isEqualTo(DriftTokens.bucket("42x", 64));
		assertThat(buckets.get(3)).isEqualTo(DriftTokens.bucket("ünïcode", 64));
		assertThat(buckets.subList(4, 6)).containsExactly(DriftTokens.bucket("foo", 64), DriftTokens.bucket("bar", 64));
	}

	@Test
	void emptyAndSeparatorOnlyTextHasNoTokens() {
		assertThat(DriftTokens.count("")).isZero();
		assertThat(DriftTokens.count(" ,.;-- ")).isZero();
		assertThat(DriftTokens.count("one")).isEqualTo(1);
	}

}
