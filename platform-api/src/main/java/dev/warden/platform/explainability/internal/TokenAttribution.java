package dev.warden.platform.explainability.internal;

/**
 * The attribution of one token of a text input.
 *
 * @param token the token as the model's tokenizer produced it
 * @param start its first character in the input (or -1 when not given)
 * @param end the character after it (or -1)
 * @param attribution its attribution
 */
public record TokenAttribution(String token, int start, int end, double attribution) {
}
