package dev.warden.platform.modelcard.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The cards the reference models ship with: {@code model-cards/<model>.json} on the class
 * path (platform-api's resources: {@code income} and {@code spam}), the edited sections
 * of a card as an edit stores them. A model without such a file has no shipped card. Read
 * on each call (a card is created once per version). Thread-safe: stateless.
 */
public final class ShippedCards {

	/** The models that ship a card. */
	public static final List<String> MODELS = List.of("income", "spam");

	private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_-]{0,63}");

	private static final JsonMapper JSON = JsonMapper.builder().build();

	private ShippedCards() {
	}

	/**
	 * The shipped card of a model, checked like an edit.
	 * @throws IllegalStateException when the shipped file is not a valid card (a build
	 * error, caught by the tests)
	 */
	public static Optional<ObjectNode> of(String model) {
		if (!MODELS.contains(model) || !NAME.matcher(model).matches()) {
			return Optional.empty();
		}
		String resource = "model-cards/" + model + ".json";
		try (InputStream in = ShippedCards.class.getClassLoader().getResourceAsStream(resource)) {
			if (in == null) {
				return Optional.empty();
			}
			return Optional.of(CardSchema.content(JSON.readTree(in), List.of()));
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the shipped card " + resource + " could not be read", ex);
		}
		catch (RuntimeException ex) {
			throw new IllegalStateException("the shipped card " + resource + " is not a valid card: " + ex.getMessage(),
					ex);
		}
	}

}
