package dev.warden.platform.apikey.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Raw API keys: {@code wdn_<12 base62 chars lookup id>_<32 base62 chars secret>} (the
 * secret carries ~190 bits). Only SHA-256 of the whole raw key is stored; the lookup id
 * finds the row.
 */
public final class ApiKeyFormat {

	public static final String PREFIX = "wdn_";

	public static final int KEY_ID_LENGTH = 12;

	public static final int SECRET_LENGTH = 32;

	private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

	private static final SecureRandom RANDOM = new SecureRandom();

	private ApiKeyFormat() {
	}

	public static String newKeyId() {
		return random(KEY_ID_LENGTH);
	}

	public static String newRawKey(String keyId) {
		return PREFIX + keyId + "_" + random(SECRET_LENGTH);
	}

	/** The displayable prefix {@code wdn_<id>}. */
	public static String displayPrefix(String keyId) {
		return PREFIX + keyId;
	}

	/** The lookup id of a well-formed raw key, or {@code null}. */
	public static String keyIdOf(String raw) {
		if (raw == null || raw.length() != PREFIX.length() + KEY_ID_LENGTH + 1 + SECRET_LENGTH
				|| !raw.startsWith(PREFIX) || raw.charAt(PREFIX.length() + KEY_ID_LENGTH) != '_') {
			return null;
		}
		for (int i = PREFIX.length(); i < raw.length(); i++) {
			char c = raw.charAt(i);
			if (i != PREFIX.length() + KEY_ID_LENGTH && !isBase62(c)) {
				return null;
			}
		}
		return raw.substring(PREFIX.length(), PREFIX.length() + KEY_ID_LENGTH);
	}

	public static byte[] hash(String raw) {
		try {
			return MessageDigest.getInstance("SHA-256").digest(raw.getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	public static boolean matches(String raw, byte[] storedHash) {
		return MessageDigest.isEqual(hash(raw), storedHash);
	}

	private static boolean isBase62(char c) {
		return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
	}

	private static String random(int length) {
		char[] chars = new char[length];
		for (int i = 0; i < length; i++) {
			chars[i] = BASE62[RANDOM.nextInt(BASE62.length)];
		}
		return new String(chars);
	}

}
