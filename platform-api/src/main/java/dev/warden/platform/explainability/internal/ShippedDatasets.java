package dev.warden.platform.explainability.internal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The datasets shipped with the worker that can be registered as reference data (the
 * worker streams them from {@code GET /internal/v1/datasets/{name}}), and how their
 * columns become a model's inputs: a column named like an input is that input;
 * {@code spamassassin_validation} adds {@code text} = {@code subject + " " + body}, the
 * spam model's input. Other columns ({@code row_id}, {@code label}, ...) are not kept.
 */
public final class ShippedDatasets {

	/** The reference models and the shipped dataset each gets automatically. */
	public static final Map<String, String> REFERENCE_MODELS = Map.of("income", "adult_validation", "spam",
			"spamassassin_validation");

	private static final Map<String, Map<String, Function<Map<String, String>, String>>> DERIVED = Map.of(
			"adult_validation", Map.of(), "spamassassin_validation",
			Map.of("text", (row) -> row.getOrDefault("subject", "") + " " + row.getOrDefault("body", "")));

	private ShippedDatasets() {
	}

	/** The shipped dataset names, sorted. */
	public static List<String> names() {
		return DERIVED.keySet().stream().sorted().toList();
	}

	/**
	 * The columns a shipped dataset adds to its own (by name), or empty for an unknown
	 * name.
	 */
	public static Optional<Map<String, Function<Map<String, String>, String>>> derived(String name) {
		return Optional.ofNullable(DERIVED.get(name));
	}

}
