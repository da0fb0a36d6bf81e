package dev.warden.platform.explainability.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

import org.springframework.http.HttpStatus;

import dev.warden.platform.system.ApiException;

/**
 * Reads a reference dataset's CSV as it arrives, validates it against the model's columns
 * and hands it on in chunks, never holding more than one chunk: the header row must name
 * exactly the model's inputs and the extra columns of an evaluation dataset (in any
 * order; a shipped dataset may have more columns, and derived ones), every row must have
 * as many fields as the header, and every cell must be a value of its column
 * ({@link ModelColumn#problem}, {@link ExtraColumn#problem}). A stored row holds the
 * model's columns, then the extra columns, in the order given (a column that is both an
 * input and an extra column is stored twice). The SHA-256 of the bytes read (all of them)
 * and the row count are computed on the way. Errors are {@link ApiException}s naming the
 * row, the line and the column: 400, or 413 past {@code maxBytes}.
 */
public final class CsvIngest {

	private CsvIngest() {
	}

	/**
	 * @param in the CSV bytes (UTF-8)
	 * @param columns the model's columns; stored rows have their cells in this order
	 * @param derived for a shipped dataset, columns computed from the others (by name);
	 * {@code null} for an upload, whose header must name exactly the columns
	 * @param sink receives every chunk of at most {@code chunkRows} rows, numbered from 0
	 */
	public static Ingested ingest(InputStream in, long maxBytes, int maxRecordChars, List<ModelColumn> columns,
			Map<String, Function<Map<String, String>, String>> derived, int chunkRows, ChunkSink sink) {
		return ingest(in, maxBytes, maxRecordChars, columns, List.of(), derived, chunkRows, sink);
	}

	/**
	 * @param in the CSV bytes (UTF-8)
	 * @param columns the model's columns; stored rows have their cells in this order
	 * @param extras columns stored after the model's (an evaluation dataset's label and
	 * sensitive columns); each must be in the header
	 * @param derived for a shipped dataset, columns computed from the others (by name);
	 * {@code null} for an upload, whose header must name exactly the columns
	 * @param sink receives every chunk of at most {@code chunkRows} rows, numbered from 0
	 */
	public static Ingested ingest(InputStream in, long maxBytes, int maxRecordChars, List<ModelColumn> columns,
			List<ExtraColumn> extras, Map<String, Function<Map<String, String>, String>> derived, int chunkRows,
			ChunkSink sink) {
		MessageDigest sha256;
		try {
			sha256 = MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException(ex);
		}
		LimitedInputStream limited = new LimitedInputStream(in, maxBytes);
		DigestInputStream digesting = new DigestInputStream(limited, sha256);
		InputStreamReader reader = new InputStreamReader(digesting,
				StandardCharsets.UTF_8.newDecoder()
					.onMalformedInput(CodingErrorAction.REPORT)
					.onUnmappableCharacter(CodingErrorAction.REPORT));
		CsvReader csv = new CsvReader(reader, maxRecordChars);
		long rows = 0;
		int chunks = 0;
		try {
			List<String> header = csv.next();
			if (header == null) {
				throw ApiException.badRequest("empty_dataset", "the CSV is empty: a header row naming the columns "
						+ names(columns, extras) + " and at least one row are required");
			}
			Mapping mapping = mapping(header, columns, extras, derived);
			List<String[]> chunk = new ArrayList<>(chunkRows);
			List<String> fields;
			while ((fields = csv.next()) != null) {
				rows++;
				if (fields.size() != header.size()) {
					throw ApiException.badRequest("invalid_csv", "row " + rows + " (line " + csv.recordLine() + ") has "
							+ fields.size() + " fields; the header has " + header.size());
				}
				String[] row = mapping.apply(fields);
				for (int c = 0; c < columns.size(); c++) {
					String problem = columns.get(c).problem(row[c]);
					if (problem != null) {
						throw ApiException.badRequest("invalid_cell", "row " + rows + " (line " + csv.recordLine()
								+ "), column '" + columns.get(c).name() + "': " + problem);
					}
				}
				for (int e = 0; e < extras.size(); e++) {
					String problem = extras.get(e).problem().apply(row[columns.size() + e]);
					if (problem != null) {
						throw ApiException.badRequest("invalid_cell", "row " + rows + " (line " + csv.recordLine()
								+ "), column '" + extras.get(e).name() + "': " + problem);
					}
				}
				chunk.add(row);
				if (chunk.size() == chunkRows) {
					sink.accept(chunks++, chunk);
					chunk = new ArrayList<>(chunkRows);
				}
			}
			if (!chunk.isEmpty()) {
				sink.accept(chunks++, chunk);
			}
			// whatever follows the last record (nothing, normally) is part of the digest
			digesting.transferTo(OutputStream.nullOutputStream());
		}
		catch (LimitExceededException ex) {
			throw new ApiException(HttpStatus.CONTENT_TOO_LARGE, "payload_too_large",
					"the CSV is larger than the limit of " + maxBytes + " bytes");
		}
		catch (CsvReader.CsvException ex) {
			throw ApiException.badRequest("invalid_csv", "line " + ex.line() + ": " + ex.getMessage());
		}
		catch (CharacterCodingException ex) {
			throw ApiException.badRequest("invalid_csv", "the CSV is not UTF-8 text (after row " + rows + ")");
		}
		catch (IOException ex) {
			throw ApiException.badRequest("invalid_csv", "the CSV could not be read: " + ex.getMessage());
		}
		if (rows == 0) {
			throw ApiException.badRequest("empty_dataset", "the CSV has a header but no rows");
		}
		return new Ingested(rows, chunks, HexFormat.of().formatHex(sha256.digest()), limited.count());
	}

	private static Mapping mapping(List<String> header, List<ModelColumn> columns, List<ExtraColumn> extras,
			Map<String, Function<Map<String, String>, String>> derived) {
		Set<String> seen = new LinkedHashSet<>();
		for (String name : header) {
			if (!seen.add(name)) {
				throw ApiException.badRequest("invalid_columns", "the header names column '" + name + "' twice");
			}
		}
		Set<String> wanted = new TreeSet<>();
		columns.forEach((c) -> wanted.add(c.name()));
		extras.forEach((c) -> wanted.add(c.name()));
		Set<String> available = new TreeSet<>(seen);
		if (derived != null) {
			available.addAll(derived.keySet());
		}
		Set<String> missing = new TreeSet<>(wanted);
		missing.removeAll(available);
		Set<String> unknown = new TreeSet<>(seen);
		unknown.removeAll(wanted);
		if (derived != null) {
			unknown.clear();
		}
		for (ExtraColumn extra : extras) {
			if (!seen.contains(extra.name())) {
				// an extra column is never derived: it must be in the file
				missing.add(extra.name());
			}
		}
		if (!missing.isEmpty() || !unknown.isEmpty()) {
			StringBuilder message = new StringBuilder(
					"the header must name exactly the model's inputs " + names(columns)
							+ (extras.isEmpty() ? "" : " and the evaluation columns " + extraNames(extras)) + ":");
			if (!missing.isEmpty()) {
				message.append(" missing columns ").append(missing);
			}
			if (!unknown.isEmpty()) {
				message.append(missing.isEmpty() ? "" : ";").append(" unknown columns ").append(unknown);
			}
			throw ApiException.badRequest("invalid_columns", message.toString());
		}
		return new Mapping(header, columns, extras, derived);
	}

	private static List<String> names(List<ModelColumn> columns) {
		return columns.stream().map(ModelColumn::name).toList();
	}

	private static List<String> names(List<ModelColumn> columns, List<ExtraColumn> extras) {
		List<String> names = new ArrayList<>(names(columns));
		extraNames(extras).stream().filter((name) -> !names.contains(name)).forEach(names::add);
		return names;
	}

	private static List<String> extraNames(List<ExtraColumn> extras) {
		return extras.stream().map(ExtraColumn::name).toList();
	}

	/** From a record's fields to a stored row. */
	private static final class Mapping {

		private final List<String> header;

		private final int[] positions;

		private final int[] extraPositions;

		private final List<ModelColumn> columns;

		private final Map<String, Function<Map<String, String>, String>> derived;

		Mapping(List<String> header, List<ModelColumn> columns, List<ExtraColumn> extras,
				Map<String, Function<Map<String, String>, String>> derived) {
			this.header = header;
			this.columns = columns;
			this.derived = derived;
			this.positions = new int[columns.size()];
			for (int c = 0; c < columns.size(); c++) {
				this.positions[c] = header.indexOf(columns.get(c).name());
			}
			this.extraPositions = new int[extras.size()];
			for (int e = 0; e < extras.size(); e++) {
				this.extraPositions[e] = header.indexOf(extras.get(e).name());
			}
		}

		String[] apply(List<String> fields) {
			String[] row = new String[this.columns.size() + this.extraPositions.length];
			for (int e = 0; e < this.extraPositions.length; e++) {
				row[this.columns.size() + e] = fields.get(this.extraPositions[e]);
			}
			Map<String, String> named = null;
			for (int c = 0; c < this.columns.size(); c++) {
				if (this.derived != null && this.derived.containsKey(this.columns.get(c).name())) {
					if (named == null) {
						named = new LinkedHashMap<>();
						for (int i = 0; i < this.header.size(); i++) {
							named.put(this.header.get(i), fields.get(i));
						}
					}
					row[c] = this.derived.get(this.columns.get(c).name()).apply(named);
				}
				else {
					row[c] = fields.get(this.positions[c]);
				}
			}
			return row;
		}

	}

	/**
	 * A column stored after the model's columns (an evaluation dataset's label or
	 * sensitive attribute).
	 *
	 * @param name its header
	 * @param problem why a cell cannot be a value of the column, or {@code null} if it
	 * can
	 */
	public record ExtraColumn(String name, Function<String, String> problem) {
	}

	/** Receives the chunks of a dataset as they are read. */
	@FunctionalInterface
	public interface ChunkSink {

		void accept(int chunkNo, List<String[]> rows);

	}

	/**
	 * @param rows the data rows
	 * @param chunks the chunks handed to the sink
	 * @param sha256 of every byte read
	 * @param bytes how many bytes were read
	 */
	public record Ingested(long rows, int chunks, String sha256, long bytes) {
	}

	private static final class LimitExceededException extends IOException {

		LimitExceededException() {
			super("limit exceeded");
		}

	}

	/** Counts the bytes read and fails once there are more than the limit. */
	private static final class LimitedInputStream extends FilterInputStream {

		private final long limit;

		private long count;

		LimitedInputStream(InputStream in, long limit) {
			super(in);
			this.limit = limit;
		}

		@Override
		public int read() throws IOException {
			int b = super.read();
			if (b >= 0) {
				counted(1);
			}
			return b;
		}

		@Override
		public int read(byte[] buffer, int offset, int length) throws IOException {
			int n = super.read(buffer, offset, length);
			if (n > 0) {
				counted(n);
			}
			return n;
		}

		private void counted(int n) throws LimitExceededException {
			this.count += n;
			if (this.count > this.limit) {
				throw new LimitExceededException();
			}
		}

		long count() {
			return this.count;
		}

	}

}
