package dev.warden.worker.manager;

import java.util.Objects;

/**
 * Which version of a model a request wants (TF Serving's {@code ServableRequest}): the
 * latest available one, a specific version, or the version a label points to.
 *
 * @param model the model name
 * @param version the version, or {@code null}
 * @param label the label, or {@code null}; at most one of {@code version} and
 * {@code label} is set
 */
public record ServableRequest(String model, Long version, String label) {

	public ServableRequest {
		Objects.requireNonNull(model, "model");
		if (version != null && label != null) {
			throw new IllegalArgumentException("a request names a version or a label, not both");
		}
	}

	/** The highest AVAILABLE version. */
	public static ServableRequest latest(String model) {
		return new ServableRequest(model, null, null);
	}

	public static ServableRequest version(String model, long version) {
		return new ServableRequest(model, version, null);
	}

	public static ServableRequest label(String model, String label) {
		return new ServableRequest(model, null, Objects.requireNonNull(label, "label"));
	}

	/** {@link #version} if {@code version} is given, else {@link #latest}. */
	public static ServableRequest of(String model, Long version) {
		return version == null ? latest(model) : version(model, version);
	}

	@Override
	public String toString() {
		if (label != null) {
			return "Label(" + model + ", " + label + ")";
		}
		return version != null ? "Specific(" + model + ", " + version + ")" : "Latest(" + model + ")";
	}

}
