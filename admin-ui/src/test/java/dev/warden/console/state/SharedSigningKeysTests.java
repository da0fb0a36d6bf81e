package dev.warden.console.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which of the keys platform-api hands out signs, by this replica's clock.
 */
class SharedSigningKeysTests {

	private static final Instant NOW = Instant.parse("2026-12-07T08:00:00Z");

	private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

	@Test
	void theNewestActivatedKeySignsAndAPrePublishedOneWaits() throws JOSEException {
		RSAKey previous = key("previous");
		RSAKey active = key("active");
		RSAKey next = key("next");
		SharedSigningKeys keys = new SharedSigningKeys(
				() -> list(entry(previous, NOW.minus(Duration.ofDays(31)), NOW.plus(Duration.ofHours(20))),
						entry(active, NOW.minus(Duration.ofHours(4)), null),
						entry(next, NOW.plus(Duration.ofMinutes(30)), null)),
				this.clock);
		keys.load(Duration.ofSeconds(1));
		assertThat(keys.activeKeyId()).isEqualTo("active");
	}

	@Test
	void aFirstKeyThatActivatesAMomentAheadOfThisClockSignsAtOnce() throws JOSEException {
		// platform-api's clock runs 2 s ahead: its first key activated "in the future"
		RSAKey first = key("first");
		SharedSigningKeys keys = new SharedSigningKeys(() -> list(entry(first, NOW.plusSeconds(2), null)), this.clock);
		keys.load(Duration.ofSeconds(1));
		assertThat(keys.activeKeyId()).isEqualTo("first");
	}

	private static RSAKey key(String kid) throws JOSEException {
		return new RSAKeyGenerator(2048).keyID(kid).generate();
	}

	private static ConsoleStateClient.SigningKeyList.Entry entry(RSAKey key, Instant activatesAt, Instant retiresAt) {
		return new ConsoleStateClient.SigningKeyList.Entry(key.getKeyID(), key.toJSONString(), activatesAt, retiresAt);
	}

	private static ConsoleStateClient.SigningKeyList list(ConsoleStateClient.SigningKeyList.Entry... entries) {
		return new ConsoleStateClient.SigningKeyList(List.of(entries), Duration.ofSeconds(60));
	}

}
