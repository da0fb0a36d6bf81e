package dev.warden.platform.export;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVPrinter;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

import dev.warden.platform.export.ExportType.Column;

/**
 * The file formats of an export. Every writer streams: a row is encoded and handed to the
 * output as it arrives, nothing but the current row (and, for PDF, the rows of the
 * current chunk) is kept.
 */
enum ExportFormat {

	/**
	 * RFC 4180 CSV (CRLF), one header line, then one record per row; null is an empty
	 * field.
	 */
	CSV("csv", "text/csv; charset=UTF-8") {
		@Override
		RowWriter open(OutputStream out, ExportType type, String title) throws IOException {
			Writer writer = new OutputStreamWriter(new CloseShield(out), StandardCharsets.UTF_8);
			CSVPrinter printer = CSVFormat.RFC4180.builder()
				.setHeader(type.columns().stream().map(Column::name).toArray(String[]::new))
				.get()
				.print(writer);
			return new RowWriter() {
				@Override
				public void row(Object[] values) throws IOException {
					printer.printRecord(values);
				}

				@Override
				public void finish() throws IOException {
					printer.close(true);
				}
			};
		}
	},

	/**
	 * One JSON object per line (LF-terminated), keys = column names; {@code details} is
	 * embedded as JSON.
	 */
	NDJSON("ndjson", "application/x-ndjson") {
		@Override
		RowWriter open(OutputStream out, ExportType type, String title) {
			JsonGenerator json = JSON_FACTORY.createGenerator(ObjectWriteContext.empty(), new CloseShield(out));
			List<Column> columns = type.columns();
			return new RowWriter() {
				@Override
				public void row(Object[] values) {
					json.writeStartObject();
					for (int i = 0; i < values.length; i++) {
						Column column = columns.get(i);
						json.writeName(column.name());
						Object value = values[i];
						if (value == null) {
							json.writeNull();
						}
						else if (value instanceof Long number) {
							json.writeNumber(number);
						}
						else if (column.kind() == Column.Kind.JSON) {
							json.writeRawValue((String) value);
						}
						else {
							json.writeString((String) value);
						}
					}
					json.writeEndObject();
					json.writeRaw('\n');
				}

				@Override
				public void finish() {
					json.close();
				}
			};
		}
	},

	/**
	 * A landscape A4 table with a header repeated on every page. Rows are handed to the
	 * PDF writer every {@value #PDF_CHUNK_ROWS} rows
	 * ({@link PdfPTable#setComplete(boolean)} false), so memory stays bounded; the
	 * document's cross-reference table still grows with the page count, which is why PDF
	 * exports are capped.
	 */
	PDF("pdf", "application/pdf") {
		@Override
		RowWriter open(OutputStream out, ExportType type, String title) throws IOException {
			Document document = new Document(PageSize.A4.rotate(), 18, 18, 24, 24);
			PdfWriter writer = PdfWriter.getInstance(document, new CloseShield(out));
			writer.setCloseStream(false);
			document.addTitle(title);
			document.addCreator("Warden");
			document.open();
			document.add(new Paragraph(title, TITLE_FONT));
			List<Column> columns = type.columns();
			PdfPTable table = newTable(columns);
			return new RowWriter() {

				private PdfPTable current = table;

				private int pending;

				@Override
				public void row(Object[] values) throws IOException {
					for (Object value : values) {
						this.current.addCell(cell((value != null) ? value.toString() : "", CELL_FONT));
					}
					if (++this.pending == PDF_CHUNK_ROWS) {
						add(this.current);
						this.pending = 0;
					}
				}

				@Override
				public void finish() throws IOException {
					this.current.setComplete(true);
					add(this.current);
					document.close();
				}

				private void add(PdfPTable chunk) throws IOException {
					try {
						document.add(chunk);
					}
					catch (DocumentException ex) {
						throw new IOException("PDF rendering failed", ex);
					}
				}

			};
		}

		private static PdfPTable newTable(List<Column> columns) {
			PdfPTable table = new PdfPTable(columns.size());
			table.setWidthPercentage(100);
			table.setHeaderRows(1);
			table.setComplete(false);
			for (Column column : columns) {
				PdfPCell header = cell(column.name(), HEADER_FONT);
				header.setHorizontalAlignment(Element.ALIGN_LEFT);
				table.addCell(header);
			}
			return table;
		}

		private static PdfPCell cell(String text, Font font) {
			PdfPCell cell = new PdfPCell(new Phrase(text, font));
			cell.setPadding(1.5f);
			return cell;
		}
	};

	static final int PDF_CHUNK_ROWS = 200;

	private static final JsonFactory JSON_FACTORY = JsonFactory.builder().rootValueSeparator((String) null).build();

	private static final Font TITLE_FONT = new Font(Font.HELVETICA, 10, Font.BOLD);

	private static final Font HEADER_FONT = new Font(Font.HELVETICA, 6, Font.BOLD);

	private static final Font CELL_FONT = new Font(Font.HELVETICA, 6);

	private final String label;

	private final String contentType;

	ExportFormat(String label, String contentType) {
		this.label = label;
		this.contentType = contentType;
	}

	/** The name used in URLs, manifests and as the file extension. */
	String label() {
		return this.label;
	}

	String contentType() {
		return this.contentType;
	}

	/**
	 * Starts a file of this format on {@code out}. {@link RowWriter#finish()} completes
	 * the file and flushes, but never closes {@code out}.
	 */
	abstract RowWriter open(OutputStream out, ExportType type, String title) throws IOException;

	static ExportFormat fromLabel(String label) {
		for (ExportFormat format : values()) {
			if (format.label.equals(label)) {
				return format;
			}
		}
		return null;
	}

	/** Receives the rows of one export, in order; not thread-safe. */
	interface RowWriter {

		/** One row, values as produced by {@link ExportType#read}. */
		void row(Object[] values) throws IOException;

		/** Writes the end of the file and flushes. */
		void finish() throws IOException;

	}

	/**
	 * Keeps the format libraries from closing the response stream: close only flushes.
	 */
	private static final class CloseShield extends FilterOutputStream {

		CloseShield(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] bytes, int offset, int length) throws IOException {
			this.out.write(bytes, offset, length);
		}

		@Override
		public void close() throws IOException {
			this.out.flush();
		}

	}

}
