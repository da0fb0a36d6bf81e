package dev.warden.console.system;

/**
 * The outcome of an action, shown on the page in the section it concerns (after the
 * redirect of a form post, as a flash attribute).
 *
 * @param kind {@code ok} or {@code error} (the alert's style)
 * @param text what happened
 */
public record Message(String kind, String text) implements java.io.Serializable {

	public static Message ok(String text) {
		return new Message("ok", text);
	}

	public static Message error(String text) {
		return new Message("error", text);
	}

}
