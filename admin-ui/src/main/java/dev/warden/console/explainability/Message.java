package dev.warden.console.explainability;

/**
 * The outcome of an action, shown in the section it concerns after the redirect.
 *
 * @param kind {@code ok} or {@code error} (the alert's style)
 * @param text what happened
 */
record Message(String kind, String text) implements java.io.Serializable {

	static Message ok(String text) {
		return new Message("ok", text);
	}

	static Message error(String text) {
		return new Message("error", text);
	}

}
