package dev.warden.platform.worker;

import java.util.Optional;

/**
 * Where the worker pool gets the desired state it hands to the workers (implemented by
 * the routing module, which decides which versions must be loaded). Must answer from
 * memory: it is asked on every heartbeat and every status poll.
 */
public interface DesiredStateProvider {

	/** The desired state in force, or empty before it is known. */
	Optional<DesiredState> desiredState();

}
