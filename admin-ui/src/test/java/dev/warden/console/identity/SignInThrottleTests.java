package dev.warden.console.identity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.warden.console.identity.SignInThrottle.Failure;
import dev.warden.console.identity.SignInThrottle.Reservation;
import io.github.bucket4j.TimeMeter;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The failure budgets with the default limits on a clock the test moves (finding 5: no
 * brute-force protection on console sign-in).
 */
class SignInThrottleTests {

	private final ManualClock clock = new ManualClock();

	private final SignInThrottle throttle = new SignInThrottle(new SignInThrottleProperties(null, null, 100, 100),
			List.of("admin", "compliance"), this.clock);

	@Test
	void fifthWrongPasswordLocksTheNameAndTheRightOneIsRefusedUntilTheWaitIsOver() {
		for (int i = 1; i <= 4; i++) {
			assertThat(failFrom("admin", "198.51.100." + i).lockedOut()).isFalse();
		}
		Failure fifth = failFrom("admin", "198.51.100.5");
		assertThat(fifth.userLockedOut()).isTrue();
		assertThat(fifth.addressLockedOut()).isFalse();
		assertThat(fifth.retryAfter()).isEqualTo(Duration.ofMinutes(3));

		Reservation rightPassword = this.throttle.reserve("admin", "203.0.113.9");
		assertThat(rightPassword.granted()).isFalse();
		assertThat(rightPassword.retryAfter()).isEqualTo(Duration.ofMinutes(3));

		this.clock.advance(Duration.ofMinutes(2));
		assertThat(this.throttle.reserve("admin", "203.0.113.9").retryAfter()).isEqualTo(Duration.ofMinutes(1));
		this.clock.advance(Duration.ofMinutes(1));
		Reservation afterTheWait = this.throttle.reserve("admin", "203.0.113.9");
		assertThat(afterTheWait.granted()).isTrue();
		afterTheWait.release();
		assertThat(this.throttle.reserve("admin", "203.0.113.9").granted()).isTrue();
	}

	@Test
	void theWaitGrowsForWhoeverKeepsFailing() {
		List<Duration> waits = new ArrayList<>();
		for (int i = 0; i < 25; i++) {
			Reservation attempt = this.throttle.reserve("compliance", "198.51.100." + i);
			if (!attempt.granted()) {
				this.clock.advance(attempt.retryAfter());
				attempt = this.throttle.reserve("compliance", "198.51.100." + i);
			}
			waits.add(attempt.fail().retryAfter());
		}
		assertThat(waits.subList(0, 4)).containsOnly(Duration.ZERO);
		// 5 per 15 minutes: one more attempt every 3 minutes
		assertThat(waits.subList(4, 19)).containsOnly(Duration.ofMinutes(3));
		// 20 per 24 hours: from the twentieth failure of the day on, one attempt every 72
		// minutes
		assertThat(waits.get(19)).isBetween(Duration.ofMinutes(4), Duration.ofMinutes(72));
		assertThat(waits.subList(20, 25))
			.allSatisfy((wait) -> assertThat(wait).isBetween(Duration.ofMinutes(71), Duration.ofMinutes(72)));
	}

	@Test
	void unknownNamesHaveTheSameBudgetAsUsers() {
		for (int i = 1; i <= 4; i++) {
			assertThat(failFrom("nobody", "198.51.100." + i).lockedOut()).isFalse();
		}
		Reservation fifth = this.throttle.reserve("nobody", "198.51.100.5");
		assertThat(fifth.knownUser()).isFalse();
		assertThat(fifth.fail()).isEqualTo(new Failure(true, false, Duration.ofMinutes(3)));
		assertThat(this.throttle.reserve("nobody", "203.0.113.9").granted()).isFalse();
	}

	@Test
	void caseAndSurroundingSpacesDoNotBuyMoreGuesses() {
		for (String name : List.of("admin", "ADMIN", " Admin", "aDmIn ")) {
			failFrom(name, "198.51.100.1");
		}
		assertThat(failFrom("Admin", "198.51.100.1").userLockedOut()).isTrue();
		assertThat(this.throttle.reserve("admin", "203.0.113.9").granted()).isFalse();
	}

	@Test
	void parallelGuessesCannotOverspendTheBudget() {
		List<Reservation> inFlight = new ArrayList<>();
		for (int i = 0; i < 50; i++) {
			inFlight.add(this.throttle.reserve("admin", "198.51.100." + i));
		}
		assertThat(inFlight.stream().filter(Reservation::granted)).hasSize(5);
	}

	@Test
	void aRightPasswordCostsNothing() {
		for (int i = 0; i < 50; i++) {
			this.throttle.reserve("admin", "198.51.100.1").release();
		}
		assertThat(failFrom("admin", "198.51.100.1").lockedOut()).isFalse();
	}

	@Test
	void twentyFailuresFromOneAddressLockTheAddressWhateverTheNames() {
		for (int i = 1; i <= 19; i++) {
			assertThat(failFrom("user" + i, "198.51.100.7").lockedOut()).isFalse();
		}
		Failure twentieth = failFrom("user20", "198.51.100.7");
		assertThat(twentieth.addressLockedOut()).isTrue();
		assertThat(twentieth.userLockedOut()).isFalse();
		assertThat(twentieth.retryAfter()).isEqualTo(Duration.ofSeconds(45));
		assertThat(this.throttle.reserve("compliance", "198.51.100.7").granted()).isFalse();
		assertThat(this.throttle.reserve("compliance", "198.51.100.8").granted()).isTrue();
	}

	@Test
	void ipv6AddressesAreCountedPerSlash64() {
		for (int i = 1; i <= 19; i++) {
			failFrom("user" + i, "2001:db8:1:2::" + Integer.toHexString(i));
		}
		assertThat(failFrom("user20", "2001:db8:1:2:ffff:ffff:ffff:ffff").addressLockedOut()).isTrue();
		assertThat(this.throttle.reserve("user21", "2001:db8:1:3::1").granted()).isTrue();
		assertThat(SignInThrottle.addressKey("2001:DB8:1:2:aaaa::1")).isEqualTo("2001:db8:1:2:0:0:0:0/64");
		assertThat(SignInThrottle.addressKey("::ffff:198.51.100.1")).isEqualTo("198.51.100.1");
	}

	@Test
	void aFloodOfMadeUpNamesCannotMakeTheThrottleForgetAUser() {
		for (int i = 1; i <= 4; i++) {
			failFrom("admin", "198.51.100." + i);
		}
		for (int i = 0; i < 1000; i++) {
			failFrom("made-up-" + i, "2001:db8:" + Integer.toHexString(i) + "::1");
		}
		assertThat(failFrom("admin", "203.0.113.9").userLockedOut()).isTrue();
	}

	private Failure failFrom(String username, String address) {
		Reservation attempt = this.throttle.reserve(username, address);
		assertThat(attempt.granted()).as("%s from %s", username, address).isTrue();
		return attempt.fail();
	}

	/** Bucket4j's and Caffeine's time, moved by the test only. */
	private static final class ManualClock implements TimeMeter {

		private final AtomicLong nanos = new AtomicLong();

		void advance(Duration duration) {
			this.nanos.addAndGet(duration.toNanos());
		}

		@Override
		public long currentTimeNanos() {
			return this.nanos.get();
		}

		@Override
		public boolean isWallClockBased() {
			return false;
		}

	}

}
