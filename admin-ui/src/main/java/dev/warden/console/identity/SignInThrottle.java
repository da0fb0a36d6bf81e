package dev.warden.console.identity;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

/**
 * Budgets of failed sign-ins per user name and per client address
 * ({@link SignInThrottleProperties}): one Bucket4j bucket per name and per address, one
 * token per failure, each limit refilled greedily. Kept in memory, per console instance;
 * a restart forgets them.
 *
 * <p>
 * Contract: thread safe. For every sign-in attempt call {@link #reserve} <em>before</em>
 * the password is checked, then, if it was granted, exactly one of
 * {@link Reservation#release()} (the password was right, or the check failed for another
 * reason) or {@link Reservation#fail()} (wrong password or unknown name). Taking the
 * failure up front is what keeps a burst of parallel guesses within the budget; giving it
 * back afterwards is what lets a right password cost nothing. A refused attempt costs
 * nothing and does not lengthen the wait.
 *
 * <p>
 * Memory is bounded: configured users' buckets are created once and never dropped (so a
 * flood of made-up names cannot push them out); other names and the addresses live in
 * Caffeine caches of at most {@code max-tracked-names} / {@code max-tracked-addresses}
 * entries, each forgotten once unused for the longest limit's period, by which time its
 * bucket would be full again anyway.
 */
final class SignInThrottle {

	/**
	 * Names are compared on at most this many characters (a configured name is never that
	 * long).
	 */
	static final int MAX_NAME_KEY = 256;

	private final SignInThrottleProperties properties;

	private final TimeMeter clock;

	private final Map<String, Bucket> configuredUsers;

	private final Cache<String, Bucket> otherNames;

	private final Cache<String, Bucket> addresses;

	SignInThrottle(SignInThrottleProperties properties, Collection<String> configuredUsers, TimeMeter clock) {
		this.properties = properties;
		this.clock = clock;
		this.configuredUsers = configuredUsers.stream()
			.map(SignInThrottle::nameKey)
			.distinct()
			.collect(Collectors.toUnmodifiableMap(Function.identity(), (name) -> bucket(properties.perUser())));
		this.otherNames = cache(properties.maxTrackedNames());
		this.addresses = cache(properties.maxTrackedAddresses());
	}

	/**
	 * Takes one failure from the name's and the address's budget for an attempt about to
	 * be checked.
	 * @param username the name as entered
	 * @param clientAddress the client's address ({@code getRemoteAddr()})
	 * @return a granted reservation, or a refused one with the time until an attempt is
	 * possible again
	 */
	Reservation reserve(String username, String clientAddress) {
		String name = nameKey(username);
		Bucket user = this.configuredUsers.get(name);
		boolean knownUser = user != null;
		if (user == null) {
			user = this.otherNames.get(name, (key) -> bucket(this.properties.perUser()));
		}
		Bucket address = this.addresses.get(addressKey(clientAddress), (key) -> bucket(this.properties.perAddress()));
		ConsumptionProbe fromUser = user.tryConsumeAndReturnRemaining(1);
		if (!fromUser.isConsumed()) {
			return Reservation.refused(knownUser, Math.max(fromUser.getNanosToWaitForRefill(), waitNanos(address)));
		}
		ConsumptionProbe fromAddress = address.tryConsumeAndReturnRemaining(1);
		if (!fromAddress.isConsumed()) {
			user.addTokens(1);
			return Reservation.refused(knownUser, fromAddress.getNanosToWaitForRefill());
		}
		return new Reservation(true, knownUser, Duration.ZERO, user, address, fromUser.getRemainingTokens() == 0,
				fromAddress.getRemainingTokens() == 0);
	}

	/**
	 * The key of a user name: as Spring Security and the user store compare names,
	 * trimmed and case-insensitive.
	 */
	static String nameKey(String username) {
		String key = (username != null) ? username.trim().toLowerCase(Locale.ROOT) : "";
		return (key.length() > MAX_NAME_KEY) ? key.substring(0, MAX_NAME_KEY) : key;
	}

	/**
	 * The key of a client address: IPv4 as is, IPv6 by its /64 network (one host usually
	 * holds a whole /64, so counting single IPv6 addresses would hand it 2^64 budgets).
	 */
	static String addressKey(String clientAddress) {
		if (clientAddress == null) {
			return "";
		}
		if (clientAddress.indexOf(':') < 0) {
			return clientAddress;
		}
		try {
			// an address literal: no name lookup happens
			byte[] bytes = InetAddress.getByName(clientAddress).getAddress();
			if (bytes.length == 16) {
				Arrays.fill(bytes, 8, 16, (byte) 0);
				return InetAddress.getByAddress(bytes).getHostAddress() + "/64";
			}
			return InetAddress.getByAddress(bytes).getHostAddress();
		}
		catch (UnknownHostException ex) {
			return clientAddress;
		}
	}

	private Bucket bucket(List<SignInThrottleProperties.Limit> limits) {
		var builder = Bucket.builder().withCustomTimePrecision(this.clock);
		for (SignInThrottleProperties.Limit limit : limits) {
			builder.addLimit(
					Bandwidth.builder().capacity(limit.failures()).refillGreedy(limit.failures(), limit.per()).build());
		}
		return builder.build();
	}

	private Cache<String, Bucket> cache(int maximumSize) {
		return Caffeine.newBuilder()
			.maximumSize(maximumSize)
			.expireAfterAccess(this.properties.longestPeriod())
			.ticker(this.clock::currentTimeNanos)
			.build();
	}

	private static long waitNanos(Bucket bucket) {
		return bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
	}

	/**
	 * One attempt's hold on a failure of both budgets; see {@link SignInThrottle} for the
	 * order of calls.
	 */
	static final class Reservation {

		private final boolean granted;

		private final boolean knownUser;

		private final Duration retryAfter;

		private final Bucket user;

		private final Bucket address;

		private final boolean lastOfUser;

		private final boolean lastOfAddress;

		private Reservation(boolean granted, boolean knownUser, Duration retryAfter, Bucket user, Bucket address,
				boolean lastOfUser, boolean lastOfAddress) {
			this.granted = granted;
			this.knownUser = knownUser;
			this.retryAfter = retryAfter;
			this.user = user;
			this.address = address;
			this.lastOfUser = lastOfUser;
			this.lastOfAddress = lastOfAddress;
		}

		private static Reservation refused(boolean knownUser, long waitNanos) {
			return new Reservation(false, knownUser, Duration.ofNanos(waitNanos), null, null, false, false);
		}

		/**
		 * Whether the password may be checked; otherwise the attempt is refused for
		 * {@link #retryAfter()}.
		 */
		boolean granted() {
			return this.granted;
		}

		/**
		 * How long until an attempt with this name from this address can be granted; zero
		 * when granted.
		 */
		Duration retryAfter() {
			return this.retryAfter;
		}

		/**
		 * Whether the name is a configured user (for the audit trail; never shown to the
		 * person signing in).
		 */
		boolean knownUser() {
			return this.knownUser;
		}

		/**
		 * The attempt was not a wrong password: its failure goes back to both budgets.
		 */
		void release() {
			if (this.granted) {
				this.user.addTokens(1);
				this.address.addTokens(1);
			}
		}

		/**
		 * The password was wrong: the failure stays spent; says which budgets this
		 * failure used up.
		 */
		Failure fail() {
			if (!this.granted) {
				throw new IllegalStateException("a refused attempt was not checked, so it cannot have failed");
			}
			if (!this.lastOfUser && !this.lastOfAddress) {
				return new Failure(false, false, Duration.ZERO);
			}
			long wait = Math.max(waitNanos(this.user), waitNanos(this.address));
			return new Failure(this.lastOfUser, this.lastOfAddress, Duration.ofNanos(wait));
		}

	}

	/**
	 * What a failed sign-in did to the budgets.
	 *
	 * @param userLockedOut this failure used up the name's budget
	 * @param addressLockedOut this failure used up the address's budget
	 * @param retryAfter when either is locked out, how long until the next attempt can be
	 * granted
	 */
	record Failure(boolean userLockedOut, boolean addressLockedOut, Duration retryAfter) {

		boolean lockedOut() {
			return this.userLockedOut || this.addressLockedOut;
		}

	}

}
