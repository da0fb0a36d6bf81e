package dev.warden.worker.source;

import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The platform's desired state as last received (by the heartbeat answer of a registered
 * worker or by {@code PUT /internal/v1/desired-state} from a gateway that polls this
 * worker). Empty until the platform has spoken: a worker without a platform keeps serving
 * what its version policy selects in the store.
 *
 * <p>
 * A document is accepted when its generation is at least the current one; an older one is
 * ignored. Kept in memory only: after a restart the worker serves by its policy until the
 * platform answers again (within one heartbeat or health poll). Thread-safe.
 */
@Component
public class PlatformDesiredState {

	private static final Logger log = LoggerFactory.getLogger(PlatformDesiredState.class);

	private volatile DesiredState current;

	/** The state in force, if the platform has sent one. */
	public Optional<DesiredState> current() {
		return Optional.ofNullable(current);
	}

	/** The generation in force, or {@code null} while the platform has sent none. */
	public Long generation() {
		DesiredState state = current;
		return state == null ? null : state.generation();
	}

	/**
	 * Offers a document received from the platform.
	 * @return what became of it
	 */
	public synchronized Offer offer(DesiredState state) {
		DesiredState before = current;
		if (before != null && state.generation() < before.generation()) {
			return Offer.STALE;
		}
		current = state;
		if (before != null && before.models().equals(state.models())) {
			return Offer.UNCHANGED;
		}
		log.info("Desired state generation {} from the platform: {}", state.generation(), state.models());
		return Offer.CHANGED;
	}

	/** What became of an offered document. */
	public enum Offer {

		/** Accepted; it aspires other versions than before: reconcile now. */
		CHANGED,
		/** Accepted (a newer or the same generation); same versions as before. */
		UNCHANGED,
		/** Ignored: older than the generation in force. */
		STALE

	}

}
