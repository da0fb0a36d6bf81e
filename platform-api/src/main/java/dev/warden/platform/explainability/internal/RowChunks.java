package dev.warden.platform.explainability.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The plaintext of one stored chunk of a reference dataset: format byte {@code 1}, the
 * number of rows and of columns (4-byte big-endian integers each), then every cell, row
 * by row, as a 4-byte length and that many bytes of UTF-8. Cells are kept as the text
 * that was uploaded (numbers are parsed when a request is built), so a chunk holds
 * exactly what the file said.
 */
public final class RowChunks {

	static final byte FORMAT = 1;

	private RowChunks() {
	}

	/** Encodes rows that all have {@code columns} cells. */
	public static byte[] encode(List<String[]> rows, int columns) {
		ByteArrayOutputStream bytes = new ByteArrayOutputStream(rows.size() * columns * 8 + 16);
		try (DataOutputStream out = new DataOutputStream(bytes)) {
			out.writeByte(FORMAT);
			out.writeInt(rows.size());
			out.writeInt(columns);
			for (String[] row : rows) {
				if (row.length != columns) {
					throw new IllegalArgumentException("row of " + row.length + " cells, expected " + columns);
				}
				for (String cell : row) {
					byte[] utf8 = cell.getBytes(StandardCharsets.UTF_8);
					out.writeInt(utf8.length);
					out.write(utf8);
				}
			}
		}
		catch (IOException ex) {
			throw new UncheckedIOException(ex);
		}
		return bytes.toByteArray();
	}

	/**
	 * Decodes a chunk.
	 * @throws IllegalStateException when the bytes are not a chunk of this format
	 */
	public static List<String[]> decode(byte[] chunk) {
		try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(chunk))) {
			if (in.readByte() != FORMAT) {
				throw new IllegalStateException("unknown reference-data chunk format");
			}
			int rows = in.readInt();
			int columns = in.readInt();
			if (rows < 0 || columns < 0 || (long) rows * columns * 4 > chunk.length) {
				throw new IllegalStateException("corrupt reference-data chunk header");
			}
			List<String[]> decoded = new ArrayList<>(rows);
			for (int r = 0; r < rows; r++) {
				String[] row = new String[columns];
				for (int c = 0; c < columns; c++) {
					int length = in.readInt();
					if (length < 0 || length > chunk.length) {
						throw new IllegalStateException("corrupt reference-data chunk cell");
					}
					row[c] = new String(in.readNBytes(length), StandardCharsets.UTF_8);
				}
				decoded.add(row);
			}
			return decoded;
		}
		catch (IOException ex) {
			throw new IllegalStateException("truncated reference-data chunk", ex);
		}
	}

}
