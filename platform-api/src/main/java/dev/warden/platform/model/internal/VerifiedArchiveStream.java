package dev.warden.platform.model.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An archive read from the model store, checked against the size and SHA-256 its row
 * records: the last byte is handed out only once every byte before it hashed to the
 * recorded SHA-256 and the source ended there, so a reader that stops at the recorded
 * size never gets a complete copy of other bytes. A short, long or different archive
 * fails with an {@link IntegrityException} instead. Not thread-safe.
 */
public final class VerifiedArchiveStream extends FilterInputStream {

	private final long size;

	private final byte[] sha256;

	private final String what;

	private final MessageDigest digest;

	private long delivered;

	/**
	 * @param source the archive's bytes (closed with this stream)
	 * @param size the recorded size (at least 1)
	 * @param sha256 the recorded SHA-256, lower-case hex
	 * @param what the archive, for messages (e.g. {@code model/version})
	 */
	public VerifiedArchiveStream(InputStream source, long size, String sha256, String what) {
		super(source);
		this.size = size;
		this.sha256 = HexFormat.of().parseHex(sha256);
		this.what = what;
		try {
			this.digest = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
	}

	@Override
	public int read() throws IOException {
		byte[] one = new byte[1];
		int n = read(one, 0, 1);
		return (n < 0) ? -1 : (one[0] & 0xff);
	}

	@Override
	public int read(byte[] buffer, int offset, int length) throws IOException {
		if (length == 0) {
			return 0;
		}
		long remaining = this.size - this.delivered;
		if (remaining == 0) {
			return -1;
		}
		if (remaining > 1) {
			int n = this.in.read(buffer, offset, (int) Math.min(length, remaining - 1));
			if (n < 0) {
				throw new IntegrityException(
						this.what + ": the archive ended after " + this.delivered + " of " + this.size + " bytes");
			}
			this.digest.update(buffer, offset, n);
			this.delivered += n;
			return n;
		}
		int last = this.in.read();
		if (last < 0) {
			throw new IntegrityException(
					this.what + ": the archive ended after " + this.delivered + " of " + this.size + " bytes");
		}
		this.digest.update((byte) last);
		if (this.in.read() >= 0) {
			throw new IntegrityException(
					this.what + ": the archive is longer than its recorded " + this.size + " bytes");
		}
		byte[] actual = this.digest.digest();
		if (!MessageDigest.isEqual(actual, this.sha256)) {
			throw new IntegrityException(this.what + ": the archive's SHA-256 is " + HexFormat.of().formatHex(actual)
					+ ", not the recorded " + HexFormat.of().formatHex(this.sha256));
		}
		buffer[offset] = (byte) last;
		this.delivered++;
		return 1;
	}

	@Override
	public long skip(long n) throws IOException {
		// every byte must be hashed
		byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
		long skipped = 0;
		while (skipped < n) {
			int read = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
			if (read < 0) {
				break;
			}
			skipped += read;
		}
		return skipped;
	}

	@Override
	public int available() throws IOException {
		return (int) Math.min(Math.max(0, this.size - this.delivered - 1), this.in.available());
	}

	@Override
	public boolean markSupported() {
		return false;
	}

	@Override
	public synchronized void mark(int limit) {
		// not supported
	}

	@Override
	public synchronized void reset() throws IOException {
		throw new IOException("mark/reset not supported");
	}

	/** The archive read is not the one its row records. */
	public static final class IntegrityException extends IOException {

		IntegrityException(String message) {
			super(message);
		}

	}

}
