package dev.warden.platform.explainability.internal;

import java.io.Closeable;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * A streaming reader of RFC 4180 CSV: fields separated by commas, optionally enclosed in
 * double quotes (a quote inside a quoted field is doubled; a quoted field may span
 * lines), records ended by CRLF or LF. One record is held at a time, and a record longer
 * than {@code maxRecordChars} characters is refused, so a file of any size is read in
 * bounded memory. A byte order mark at the start is skipped; blank lines are skipped. Not
 * thread-safe.
 */
public final class CsvReader implements Closeable {

	private final Reader in;

	private final int maxRecordChars;

	private final char[] buffer = new char[8192];

	private int position;

	private int limit;

	private long line = 1;

	private long recordLine;

	private boolean started;

	/**
	 * @param in the text, read through once (buffered here)
	 * @param maxRecordChars the longest record accepted, in characters
	 */
	public CsvReader(Reader in, int maxRecordChars) {
		this.in = in;
		this.maxRecordChars = maxRecordChars;
	}

	/**
	 * The next record's fields, or {@code null} at the end of the input.
	 * @throws CsvException when the record is malformed or too long
	 */
	public List<String> next() throws IOException {
		if (!this.started) {
			this.started = true;
			if (peek() == '\uFEFF') {
				this.position++;
			}
		}
		int c;
		// skip blank lines
		while (true) {
			c = peek();
			if (c == -1) {
				return null;
			}
			if (c == '\r' || c == '\n') {
				consumeLineEnd();
				continue;
			}
			break;
		}
		this.recordLine = this.line;
		List<String> fields = new ArrayList<>();
		StringBuilder field = new StringBuilder();
		int chars = 0;
		boolean quoted = false;
		boolean afterQuote = false;
		while (true) {
			c = read();
			if (c == -1) {
				if (quoted) {
					throw new CsvException(this.recordLine, "a quoted field is not closed before the end of the file");
				}
				fields.add(field.toString());
				return fields;
			}
			if (++chars > this.maxRecordChars) {
				throw new CsvException(this.recordLine,
						"the record is longer than " + this.maxRecordChars + " characters");
			}
			if (quoted) {
				if (c == '"') {
					if (peek() == '"') {
						this.position++;
						field.append('"');
					}
					else {
						quoted = false;
						afterQuote = true;
					}
				}
				else {
					if (c == '\n') {
						this.line++;
					}
					field.append((char) c);
				}
				continue;
			}
			if (c == ',') {
				fields.add(field.toString());
				field.setLength(0);
				afterQuote = false;
			}
			else if (c == '\r' || c == '\n') {
				this.position--;
				consumeLineEnd();
				fields.add(field.toString());
				return fields;
			}
			else if (c == '"') {
				if (field.length() > 0 || afterQuote) {
					throw new CsvException(this.recordLine, "a double quote inside an unquoted field (field "
							+ (fields.size() + 1) + "); enclose the field in double quotes and double the quote");
				}
				quoted = true;
			}
			else {
				if (afterQuote) {
					throw new CsvException(this.recordLine, "text after the closing double quote of field "
							+ (fields.size() + 1) + "; a quoted field must end at a comma or the end of the line");
				}
				field.append((char) c);
			}
		}
	}

	/** The line (from 1) on which the record last returned by {@link #next()} starts. */
	public long recordLine() {
		return this.recordLine;
	}

	private void consumeLineEnd() throws IOException {
		int c = read();
		if (c == '\r' && peek() == '\n') {
			this.position++;
		}
		this.line++;
	}

	private int peek() throws IOException {
		if (this.position == this.limit && !fill()) {
			return -1;
		}
		return this.buffer[this.position];
	}

	private int read() throws IOException {
		if (this.position == this.limit && !fill()) {
			return -1;
		}
		return this.buffer[this.position++];
	}

	private boolean fill() throws IOException {
		int n;
		do {
			n = this.in.read(this.buffer, 0, this.buffer.length);
		}
		while (n == 0);
		if (n < 0) {
			this.position = 0;
			this.limit = 0;
			return false;
		}
		this.position = 0;
		this.limit = n;
		return true;
	}

	@Override
	public void close() throws IOException {
		this.in.close();
	}

	/** Malformed CSV, with the line the record starts on. */
	public static final class CsvException extends IOException {

		private final long line;

		CsvException(long line, String message) {
			super(message);
			this.line = line;
		}

		public long line() {
			return this.line;
		}

	}

}
