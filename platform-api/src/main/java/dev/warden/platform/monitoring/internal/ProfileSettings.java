package dev.warden.platform.monitoring.internal;

import java.util.Set;

/**
 * How a reference profile is binned (from {@code policies/monitoring.yaml} when the
 * profile job is queued; stored with the job and the profile).
 *
 * @param bins quantile bins of a numeric input (and of a text input's token counts),
 * before equal edges are merged
 * @param hashBuckets hash buckets of a text input's tokens
 * @param k a category needs at least this many rows (in the reference, or in one flush of
 * a live chunk) to be kept by name; fewer go to {@code other}
 * @param textFeatures string inputs that are free text
 * @param categoricalFeatures string inputs that are categories
 */
public record ProfileSettings(int bins, int hashBuckets, int k, Set<String> textFeatures,
		Set<String> categoricalFeatures) {

	/** At most this many categories of one input are kept by name. */
	public static final int MAX_CATEGORIES = 200;

	public ProfileSettings {
		textFeatures = Set.copyOf(textFeatures);
		categoricalFeatures = Set.copyOf(categoricalFeatures);
	}

}
