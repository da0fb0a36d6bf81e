package dev.warden.console.identity;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How many failed sign-ins the embedded authorization server tolerates
 * ({@code warden.console.identity.sign-in-throttle.*}). Each user name and each client
 * address has a budget of failures made of one or more limits; every failed sign-in
 * spends one failure of the name's budget and one of the address's, and a failure comes
 * back every {@code per / failures} in each limit. While either budget is spent, every
 * sign-in with that name or from that address is refused, even with the right password. A
 * second, longer limit makes the wait grow for whoever keeps failing.
 *
 * @param perUser the budget of each user name, known or not (default 5 per 15 minutes and
 * 20 per 24 hours: after five failures in a row one more attempt every 3 minutes, after
 * twenty one every 72 minutes)
 * @param perAddress the budget of each client address, IPv6 addresses counted per /64
 * (default 20 per 15 minutes and 100 per 24 hours)
 * @param maxTrackedNames how many user names that are not configured users are remembered
 * at most; configured users are always remembered
 * @param maxTrackedAddresses how many client addresses are remembered at most
 */
@ConfigurationProperties("warden.console.identity.sign-in-throttle")
@Validated
record SignInThrottleProperties(List<@Valid Limit> perUser, List<@Valid Limit> perAddress,
		@DefaultValue("10000") @Min(1) int maxTrackedNames, @DefaultValue("10000") @Min(1) int maxTrackedAddresses) {

	static final List<Limit> DEFAULT_PER_USER = List.of(new Limit(5, Duration.ofMinutes(15)),
			new Limit(20, Duration.ofHours(24)));

	static final List<Limit> DEFAULT_PER_ADDRESS = List.of(new Limit(20, Duration.ofMinutes(15)),
			new Limit(100, Duration.ofHours(24)));

	SignInThrottleProperties {
		perUser = (perUser == null || perUser.isEmpty()) ? DEFAULT_PER_USER : List.copyOf(perUser);
		perAddress = (perAddress == null || perAddress.isEmpty()) ? DEFAULT_PER_ADDRESS : List.copyOf(perAddress);
	}

	/** The longest period of any limit: a budget left alone that long is full again. */
	Duration longestPeriod() {
		return Stream.concat(this.perUser.stream(), this.perAddress.stream())
			.map(Limit::per)
			.max(Duration::compareTo)
			.orElseThrow();
	}

	/**
	 * At most {@code failures} failed sign-ins per {@code per}.
	 *
	 * @param failures failures allowed in a row
	 * @param per the time in which the whole allowance comes back
	 */
	record Limit(@Min(1) int failures, @NotNull Duration per) {

		Limit {
			if (per != null && (per.isZero() || per.isNegative())) {
				throw new IllegalArgumentException("a sign-in throttle limit needs a positive period, not " + per);
			}
		}

	}

}
