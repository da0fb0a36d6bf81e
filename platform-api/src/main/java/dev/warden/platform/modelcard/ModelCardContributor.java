package dev.warden.platform.modelcard;

import java.util.Optional;

import tools.jackson.databind.JsonNode;

/**
 * A module that adds a section to every model card it has something to say about (for
 * example the promotion history of a version, with its overrides). Beans of this type are
 * asked each time a card is read or exported.
 */
public interface ModelCardContributor {

	/** The section's key in the card's {@code governance} object. */
	String section();

	/** What the section says about a version, or empty. */
	Optional<JsonNode> contribute(String model, long version);

}
