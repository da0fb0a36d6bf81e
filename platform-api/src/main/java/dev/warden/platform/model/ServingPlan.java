package dev.warden.platform.model;

import java.util.List;
import java.util.SortedMap;

/**
 * Which versions of a model the platform wants loaded, and why; the catalogue shows it
 * per version beside what each worker has loaded. Implemented by the routing module,
 * which decides it; answers from memory.
 */
public interface ServingPlan {

	/**
	 * The aspired versions of {@code model} with the reasons each is aspired
	 * ({@code stable}, {@code canary}, {@code pin}, {@code hold:<holder>},
	 * {@code latest}); empty when the platform leaves the model to the workers' policy.
	 */
	SortedMap<Long, List<String>> aspired(String model);

}
