package dev.warden.platform.apikey;

import java.util.List;
import java.util.Optional;

/**
 * What an API key may do: call which models ({@code models == null}: every model granted
 * to its tenant) with which operations ({@link #OPERATIONS}). Immutable.
 */
public record KeyScopes(List<String> models, List<String> operations) {

	/**
	 * The operations a key can be scoped to, in their documented order: {@code predict}
	 * (predict, classify, regress, infer), {@code explain}, {@code metadata} and
	 * {@code feedback} (reporting the true outcomes of earlier predictions).
	 */
	public static final List<String> OPERATIONS = List.of("predict", "explain", "metadata", "feedback");

	public static final KeyScopes ALL = new KeyScopes(null, OPERATIONS);

	public KeyScopes {
		models = (models != null) ? List.copyOf(models) : null;
		operations = List.copyOf(operations);
	}

	/**
	 * Why this key may not make a call that needs the given scope, or empty if it may.
	 * @param model the model named by the path, or {@code null} when the call names none
	 * @param operation the operation of the call, or {@code null} when it needs none
	 */
	public Optional<String> denial(String model, String operation) {
		if (model != null && this.models != null && !this.models.contains(model)) {
			return Optional.of("this key may not call model '" + model + "'");
		}
		if (operation != null && !this.operations.contains(operation)) {
			return Optional.of("this key lacks the operation '" + operation + "'");
		}
		return Optional.empty();
	}

}
