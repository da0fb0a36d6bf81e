package dev.warden.platform.monitoring.internal;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.IntConsumer;

/**
 * The tokeniser and hash of text features, JDK only, so that anyone can recompute a
 * profile: the text is lower-cased ({@link Locale#ROOT}), split into tokens at every code
 * point that is not a letter or a digit ({@link Character#isLetterOrDigit(int)}), and
 * each non-empty token's UTF-8 bytes are hashed with FNV-1a 32-bit (offset basis
 * 2166136261, prime 16777619); its bucket is that hash, read as an unsigned 32-bit
 * number, modulo the number of buckets.
 */
public final class DriftTokens {

	static final int FNV_OFFSET_BASIS = 0x811C9DC5;

	static final int FNV_PRIME = 0x01000193;

	private DriftTokens() {
	}

	/**
	 * Tokenises {@code text} and hands each token's bucket to {@code bucket}.
	 * @return the number of tokens
	 */
	public static int tokens(String text, int buckets, IntConsumer bucket) {
		String lower = text.toLowerCase(Locale.ROOT);
		int count = 0;
		int start = -1;
		int i = 0;
		while (i <= lower.length()) {
			int cp = (i < lower.length()) ? lower.codePointAt(i) : -1;
			boolean token = cp >= 0 && Character.isLetterOrDigit(cp);
			if (token && start < 0) {
				start = i;
			}
			else if (!token && start >= 0) {
				bucket.accept(bucket(lower.substring(start, i), buckets));
				count++;
				start = -1;
			}
			i += (cp >= 0) ? Character.charCount(cp) : 1;
		}
		return count;
	}

	/** The number of tokens of {@code text}. */
	public static int count(String text) {
		return tokens(text, 1, (b) -> {
		});
	}

	/** FNV-1a 32-bit of the token's UTF-8 bytes. */
	public static int fnv1a32(String token) {
		int hash = FNV_OFFSET_BASIS;
		for (byte b : token.getBytes(StandardCharsets.UTF_8)) {
			hash ^= (b & 0xFF);
			hash *= FNV_PRIME;
		}
		return hash;
	}

	/** The bucket of a token: its FNV-1a hash, unsigned, modulo {@code buckets}. */
	public static int bucket(String token, int buckets) {
		return Integer.remainderUnsigned(fnv1a32(token), buckets);
	}

}
