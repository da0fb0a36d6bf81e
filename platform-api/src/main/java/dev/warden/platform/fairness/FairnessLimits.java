package dev.warden.platform.fairness;

import java.util.Optional;

/**
 * Where the limits a model's fairness reports are judged by come from (the promotion
 * policy). A report's PDF draws the limits of its model when such a bean says it has
 * some, else {@link FairnessThresholds#DEFAULT}.
 */
public interface FairnessLimits {

	/** The limits of {@code model}'s reports, or empty when none are set for it. */
	Optional<FairnessThresholds> limits(String model);

}
