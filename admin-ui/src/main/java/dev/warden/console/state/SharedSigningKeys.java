package dev.warden.console.state;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;

/**
 * The embedded authorization server's keys, as platform-api hands them to every replica:
 * tokens are signed with the active key (the newest whose {@code activates_at} has
 * passed; the encoder puts its {@code kid} into the JWT header), the JWKS publishes the
 * public parts of every returned key (the next one ahead of its activation, the previous
 * one until it retires).
 *
 * <p>
 * The list is cached and read again after platform-api's {@code refresh_after} and when
 * the active key would change. If platform-api cannot be reached then, the cached keys
 * stay in use (one WARN until a read succeeds again). At start-up the list is read until
 * it succeeds or {@code startupTimeout} has passed; then the start fails.
 */
final class SharedSigningKeys implements JWKSource<SecurityContext> {

	private static final Log logger = LogFactory.getLog(SharedSigningKeys.class);

	private static final Duration RETRY_AFTER_FAILURE = Duration.ofSeconds(5);

	private final Supplier<ConsoleStateClient.SigningKeyList> source;

	private final Clock clock;

	private final AtomicBoolean warned = new AtomicBoolean();

	private final ReentrantLock refreshing = new ReentrantLock();

	private volatile Snapshot snapshot;

	SharedSigningKeys(Supplier<ConsoleStateClient.SigningKeyList> source, Clock clock) {
		this.source = source;
		this.clock = clock;
	}

	/**
	 * Reads the keys for the first time, retrying for at most {@code timeout}.
	 * @throws IllegalStateException when platform-api did not hand out an active key in
	 * time
	 */
	void load(Duration timeout) {
		Instant deadline = this.clock.instant().plus(timeout);
		RuntimeException last = null;
		while (true) {
			try {
				Snapshot loaded = read();
				if (loaded.active(this.clock.instant()) != null) {
					this.snapshot = loaded;
					return;
				}
				last = new IllegalStateException("platform-api returned no active signing key");
			}
			catch (RuntimeException ex) {
				last = ex;
			}
			if (!this.clock.instant().plusSeconds(1).isBefore(deadline)) {
				throw new IllegalStateException("The console could not read its signing keys from platform-api ("
						+ ConsoleStateClient.BASE + "/signing-keys at warden.console.gateway.url, WARDEN_GATEWAY_URL) "
						+ "within " + timeout.toSeconds() + " s (warden.console.state.startup-timeout): "
						+ last.getMessage() + ". platform-api must be running with the same console state token "
						+ "(WARDEN_CONSOLE_STATE_TOKEN) as the console", last);
			}
			try {
				Thread.sleep(1000);
			}
			catch (InterruptedException ex) {
				Thread.currentThread().interrupt();
				throw new IllegalStateException("interrupted while reading the signing keys", ex);
			}
		}
	}

	@Override
	public List<JWK> get(JWKSelector selector, SecurityContext context) {
		Snapshot current = current();
		JWKMatcher matcher = selector.getMatcher();
		boolean signing = matcher.getAlgorithms() != null && !matcher.getAlgorithms().isEmpty()
				&& (matcher.getKeyIDs() == null || matcher.getKeyIDs().isEmpty());
		if (signing) {
			// the encoder asks for any key of the algorithm: only the active one signs
			RSAKey active = current.active(this.clock.instant());
			return (active != null) ? selector.select(new JWKSet(active)) : List.of();
		}
		return selector.select(new JWKSet(new ArrayList<JWK>(current.keys().stream().map(Key::jwk).toList())));
	}

	/** The kid of the key that signs now. */
	String activeKeyId() {
		RSAKey active = current().active(this.clock.instant());
		return (active != null) ? active.getKeyID() : null;
	}

	private Snapshot current() {
		Snapshot current = this.snapshot;
		Instant now = this.clock.instant();
		if (current != null && now.isBefore(current.refreshAt())) {
			return current;
		}
		// one thread reads the list again; the others keep using the cached keys
		// meanwhile
		if (current != null && !this.refreshing.tryLock()) {
			return current;
		}
		if (current == null) {
			this.refreshing.lock();
		}
		try {
			current = this.snapshot;
			if (current == null || !now.isBefore(current.refreshAt())) {
				current = refresh(current, now);
			}
			return current;
		}
		finally {
			this.refreshing.unlock();
		}
	}

	private Snapshot refresh(Snapshot cached, Instant now) {
		try {
			Snapshot loaded = read();
			this.snapshot = loaded;
			if (this.warned.compareAndSet(true, false)) {
				logger.info("Signing keys read from platform-api again");
			}
			return loaded;
		}
		catch (RuntimeException ex) {
			if (cached == null) {
				throw ex;
			}
			if (this.warned.compareAndSet(false, true)) {
				logger.warn("Could not read the signing keys from platform-api (" + describe(ex)
						+ "); signing and publishing the cached keys until it answers again");
			}
			Snapshot kept = cached.retryAt(now.plus(RETRY_AFTER_FAILURE));
			this.snapshot = kept;
			return kept;
		}
	}

	private static String describe(RuntimeException ex) {
		return (ex instanceof ConsoleStateUnavailableException) ? ex.getMessage() : ex.getClass().getSimpleName();
	}

	private Snapshot read() {
		ConsoleStateClient.SigningKeyList list = this.source.get();
		List<Key> keys = new ArrayList<>();
		for (ConsoleStateClient.SigningKeyList.Entry entry : list.keys()) {
			try {
				RSAKey jwk = RSAKey.parse(entry.jwk());
				if (!entry.kid().equals(jwk.getKeyID())) {
					throw new IllegalStateException("signing key " + entry.kid() + " carries another kid");
				}
				keys.add(new Key(jwk, entry.activatesAt(), entry.retiresAt()));
			}
			catch (ParseException ex) {
				throw new IllegalStateException("signing key " + entry.kid() + " is not an RSA JWK", ex);
			}
		}
		Instant now = this.clock.instant();
		Instant refreshAt = now.plus(list.refreshAfter());
		for (Key key : keys) {
			// read again as soon as a published key activates (the active key changes)
			if (key.activatesAt().isAfter(now) && key.activatesAt().isBefore(refreshAt)) {
				refreshAt = key.activatesAt();
			}
		}
		return new Snapshot(List.copyOf(keys), refreshAt);
	}

	private record Key(RSAKey jwk, Instant activatesAt, Instant retiresAt) {
	}

	private record Snapshot(List<Key> keys, Instant refreshAt) {

		/**
		 * The newest key that has activated and not retired; when none has activated by
		 * this replica's clock (a clock a little behind platform-api's, which activates a
		 * first key at once), the earliest of those not retired: platform-api treats it
		 * as active already.
		 */
		RSAKey active(Instant now) {
			List<Key> live = this.keys.stream()
				.filter((key) -> key.retiresAt() == null || key.retiresAt().isAfter(now))
				.toList();
			return live.stream()
				.filter((key) -> !key.activatesAt().isAfter(now))
				.max(Comparator.comparing(Key::activatesAt))
				.or(() -> live.stream().min(Comparator.comparing(Key::activatesAt)))
				.map(Key::jwk)
				.orElse(null);
		}

		Snapshot retryAt(Instant at) {
			return new Snapshot(this.keys, at);
		}

	}

}
