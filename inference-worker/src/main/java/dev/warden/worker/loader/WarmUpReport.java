package dev.warden.worker.loader;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the warm-up of one version did.
 *
 * @param fileRecords records of the version's
 * {@code assets.extra/tf_serving_warmup_requests} that were run (0 when it ships none)
 * @param warmed signatures that answered a warm-up call
 * @param notWarmed signatures without a warm-up call, with the reason: the worker could
 * not build an input for them, or the call failed. They are served all the same; their
 * first request pays for the graph's initialisation.
 */
public record WarmUpReport(int fileRecords, List<String> warmed, Map<String, String> notWarmed) {

	static final WarmUpReport NONE = new WarmUpReport(0, List.of(), Map.of());

	public WarmUpReport {
		warmed = List.copyOf(warmed);
		notWarmed = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(notWarmed));
	}

	/** One line per signature that was not warmed up, for status listings and logs. */
	public List<String> warnings() {
		return notWarmed.entrySet()
			.stream()
			.map(entry -> "signature '" + entry.getKey() + "' was not warmed up: " + entry.getValue())
			.toList();
	}

}
