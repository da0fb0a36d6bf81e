package dev.warden.platform.explainability.internal;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.lowagie.text.BadElementException;
import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.Image;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.BaseFont;
import com.lowagie.text.pdf.PdfContentByte;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfTemplate;
import com.lowagie.text.pdf.PdfWriter;
import tools.jackson.databind.JsonNode;

/**
 * A report as a PDF (A4, OpenPDF): a title block (model, version, dataset, method, seed,
 * sample, digests), a horizontal bar chart of global importance (mean |attribution| per
 * feature, with the bootstrap interval as a whisker), one line plot per partial
 * dependence curve, the quality table and, for text models, the token table. The charts
 * are vector graphics drawn with OpenPDF's content byte API, so their labels are text a
 * PDF reader can search.
 */
public final class ReportPdf {

	private static final Font TITLE = new Font(Font.HELVETICA, 14, Font.BOLD);

	private static final Font HEADING = new Font(Font.HELVETICA, 11, Font.BOLD);

	private static final Font LABEL = new Font(Font.HELVETICA, 8, Font.BOLD);

	private static final Font TEXT = new Font(Font.HELVETICA, 8);

	private static final Font SMALL = new Font(Font.HELVETICA, 7);

	private static final Color BAR = new Color(0x3b, 0x6e, 0xa5);

	private static final Color LINE = new Color(0xc0, 0x39, 0x2b);

	private static final Color AXIS = new Color(0x55, 0x55, 0x55);

	private static final int MAX_BARS = 25;

	private static final int MAX_TOKENS = 20;

	private ReportPdf() {
	}

	/** Renders the report. */
	public static byte[] render(Header header, JsonNode content) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		Document document = new Document(PageSize.A4, 36, 36, 36, 36);
		try {
			PdfWriter writer = PdfWriter.getInstance(document, out);
			document.addTitle("Explainability report " + header.model() + " version " + header.version());
			document.addCreator("Warden");
			document.open();
			BaseFont font = BaseFont.createFont(BaseFont.HELVETICA, BaseFont.WINANSI, false);
			document
				.add(new Paragraph("Explainability report: " + header.model() + " version " + header.version(), TITLE));
			document.add(titleBlock(header, content));
			float width = document.right() - document.left();

			document
				.add(heading("Global importance (mean |attribution|, " + percent(content) + " bootstrap interval)"));
			document.add(importanceChart(writer, font, content.path("features"), width));

			JsonNode curves = content.path("partial_dependence");
			if (curves.isArray() && !curves.isEmpty()) {
				document.add(heading("Partial dependence (mean predicted probability of class "
						+ curves.get(0).path("class").asString("?") + ")"));
				for (JsonNode curve : curves) {
					document.add(dependencePlot(writer, font, curve, width));
				}
			}

			document.add(heading("Quality"));
			document.add(qualityTable(content.path("quality")));

			JsonNode tokens = content.path("tokens");
			if (tokens.isObject() && !tokens.isEmpty()) {
				document.add(heading("Tokens with the largest mean attribution towards each class"));
				document.add(tokenTable(tokens));
			}
			document.close();
		}
		catch (DocumentException ex) {
			throw new IllegalStateException("the report PDF could not be rendered", ex);
		}
		catch (java.io.IOException ex) {
			throw new IllegalStateException("the report PDF's font could not be loaded", ex);
		}
		return out.toByteArray();
	}

	private static Paragraph heading(String text) {
		Paragraph paragraph = new Paragraph(text, HEADING);
		paragraph.setSpacingBefore(10);
		paragraph.setSpacingAfter(4);
		return paragraph;
	}

	private static String percent(JsonNode content) {
		double level = content.path("features").path(0).path("confidence_level").asDouble(0.95);
		return String.format(Locale.ROOT, "%.0f%%", level * 100);
	}

	private static PdfPTable titleBlock(Header header, JsonNode content) {
		PdfPTable table = new PdfPTable(new float[] { 1.2f, 4f });
		table.setWidthPercentage(100);
		table.setSpacingBefore(6);
		row(table, "Report", header.reportId());
		row(table, "Model", header.model() + " version " + header.version());
		row(table, "Model SHA-256", (header.modelSha256() != null) ? header.modelSha256() : "not reported");
		row(table, "Dataset", header.datasetName() + " (" + header.datasetId() + ")");
		row(table, "Dataset SHA-256", header.datasetSha256());
		row(table, "Method", (header.method() != null) ? header.method() : "worker default");
		row(table, "Target", content.path("target").isString() ? content.path("target").asString()
				: CanonicalJson.write(content.path("target")));
		row(table, "Baseline SHA-256", content.path("baseline").path("sha256").asString("not reported"));
		row(table, "Seed", Long.toString(header.seed()));
		row(table, "Sample",
				content.path("rows_explained").asLong() + " rows explained (sample size " + header.sampleSize() + ")");
		row(table, "Content SHA-256", header.contentSha256());
		row(table, "Created", header.createdAt() + " by job " + header.jobId());
		return table;
	}

	private static void row(PdfPTable table, String label, String value) {
		PdfPCell name = new PdfPCell(new Phrase(label, LABEL));
		name.setPadding(2);
		table.addCell(name);
		PdfPCell cell = new PdfPCell(new Phrase(value, TEXT));
		cell.setPadding(2);
		table.addCell(cell);
	}

	private static Image importanceChart(PdfWriter writer, BaseFont font, JsonNode features, float width)
			throws BadElementException {
		List<JsonNode> bars = new ArrayList<>();
		features.forEach((feature) -> {
			if (bars.size() < MAX_BARS) {
				bars.add(feature);
			}
		});
		float barHeight = 12;
		float gap = 4;
		float labelWidth = 120;
		float valueWidth = 60;
		float top = 6;
		float height = top + bars.size() * (barHeight + gap) + 24;
		PdfTemplate chart = writer.getDirectContent().createTemplate(width, height);
		double max = 0;
		for (JsonNode bar : bars) {
			max = Math.max(max, bar.path("mean_abs_attribution").asDouble(0));
			max = Math.max(max, bar.path("interval").path(1).asDouble(0));
		}
		if (!(max > 0)) {
			max = 1;
		}
		float plot = width - labelWidth - valueWidth;
		float axisY = 18;
		for (int i = 0; i < bars.size(); i++) {
			JsonNode bar = bars.get(i);
			float y = height - top - (i + 1) * (barHeight + gap) + gap;
			double value = bar.path("mean_abs_attribution").asDouble(0);
			float length = (float) (value / max * plot);
			chart.setColorFill(BAR);
			chart.rectangle(labelWidth, y, Math.max(length, 0.5f), barHeight);
			chart.fill();
			JsonNode interval = bar.path("interval");
			if (interval.path(0).isNumber() && interval.path(1).isNumber()) {
				float lo = labelWidth + (float) (interval.path(0).asDouble() / max * plot);
				float hi = labelWidth + (float) (interval.path(1).asDouble() / max * plot);
				float mid = y + barHeight / 2;
				chart.setColorStroke(Color.BLACK);
				chart.setLineWidth(0.8f);
				chart.moveTo(lo, mid);
				chart.lineTo(hi, mid);
				chart.moveTo(lo, mid - 3);
				chart.lineTo(lo, mid + 3);
				chart.moveTo(hi, mid - 3);
				chart.lineTo(hi, mid + 3);
				chart.stroke();
			}
			text(chart, font, 8, clip(bar.path("name").asString(""), 28), labelWidth - 4, y + 3, Element.ALIGN_RIGHT);
			text(chart, font, 7, number(value), labelWidth + plot + 4, y + 3, Element.ALIGN_LEFT);
		}
		chart.setColorStroke(AXIS);
		chart.setLineWidth(0.5f);
		chart.moveTo(labelWidth, axisY);
		chart.lineTo(labelWidth + plot, axisY);
		chart.stroke();
		for (int tick = 0; tick <= 4; tick++) {
			float x = labelWidth + plot * tick / 4;
			chart.moveTo(x, axisY);
			chart.lineTo(x, axisY - 3);
			chart.stroke();
			text(chart, font, 7, number(max * tick / 4), x, axisY - 11, Element.ALIGN_CENTER);
		}
		return Image.getInstance(chart);
	}

	private static Image dependencePlot(PdfWriter writer, BaseFont font, JsonNode curve, float width)
			throws BadElementException {
		float height = 150;
		PdfTemplate chart = writer.getDirectContent().createTemplate(width, height);
		float left = 60;
		float right = 20;
		float bottom = 34;
		float top = 18;
		float plotWidth = width - left - right;
		float plotHeight = height - bottom - top;
		List<String> labels = new ArrayList<>();
		List<Double> values = new ArrayList<>();
		Iterator<JsonNode> grid = curve.path("grid").iterator();
		for (JsonNode value : curve.path("values")) {
			JsonNode x = grid.hasNext() ? grid.next() : null;
			labels.add((x == null) ? "" : x.isNumber() ? number(x.asDouble()) : x.asString(""));
			values.add(value.isNumber() ? value.asDouble() : Double.NaN);
		}
		double lo = Double.POSITIVE_INFINITY;
		double hi = Double.NEGATIVE_INFINITY;
		for (double v : values) {
			if (Double.isFinite(v)) {
				lo = Math.min(lo, v);
				hi = Math.max(hi, v);
			}
		}
		if (!Double.isFinite(lo)) {
			lo = 0;
			hi = 1;
		}
		if (hi - lo < 1e-9) {
			lo -= 0.05;
			hi += 0.05;
		}
		text(chart, font, 9, curve.path("feature").asString("") + " (" + curve.path("kind").asString("") + ")", left,
				height - 12, Element.ALIGN_LEFT);
		chart.setColorStroke(AXIS);
		chart.setLineWidth(0.5f);
		chart.moveTo(left, bottom);
		chart.lineTo(left + plotWidth, bottom);
		chart.moveTo(left, bottom);
		chart.lineTo(left, bottom + plotHeight);
		chart.stroke();
		for (int tick = 0; tick <= 2; tick++) {
			double v = lo + (hi - lo) * tick / 2;
			float y = bottom + plotHeight * tick / 2;
			text(chart, font, 7, number(v), left - 4, y - 2, Element.ALIGN_RIGHT);
		}
		int n = values.size();
		float step = (n > 1) ? plotWidth / (n - 1) : 0;
		chart.setColorStroke(LINE);
		chart.setLineWidth(1.2f);
		boolean drawing = false;
		for (int i = 0; i < n; i++) {
			double v = values.get(i);
			float x = left + ((n > 1) ? step * i : plotWidth / 2);
			if (!Double.isFinite(v)) {
				drawing = false;
				continue;
			}
			float y = bottom + (float) ((v - lo) / (hi - lo) * plotHeight);
			if (drawing) {
				chart.lineTo(x, y);
			}
			else {
				chart.moveTo(x, y);
				drawing = true;
			}
		}
		chart.stroke();
		chart.setColorFill(LINE);
		for (int i = 0; i < n; i++) {
			double v = values.get(i);
			float x = left + ((n > 1) ? step * i : plotWidth / 2);
			if (Double.isFinite(v)) {
				chart.circle(x, bottom + (float) ((v - lo) / (hi - lo) * plotHeight), 1.8f);
				chart.fill();
			}
			text(chart, font, 6, clip(labels.get(i), 14), x, bottom - 10 - ((i % 2 == 1) ? 8 : 0),
					Element.ALIGN_CENTER);
		}
		return Image.getInstance(chart);
	}

	private static PdfPTable qualityTable(JsonNode quality) {
		PdfPTable table = new PdfPTable(new float[] { 2f, 1f, 1f, 1f });
		table.setWidthPercentage(70);
		table.setHorizontalAlignment(Element.ALIGN_LEFT);
		for (String header : new String[] { "statistic", "max", "mean", "p95" }) {
			table.addCell(new PdfPCell(new Phrase(header, LABEL)));
		}
		table.addCell(new Phrase("explanations", TEXT));
		table.addCell(new Phrase(Long.toString(quality.path("explanations").asLong()), TEXT));
		table.addCell(new Phrase("", TEXT));
		table.addCell(new Phrase("", TEXT));
		table.addCell(new Phrase("model evaluations", TEXT));
		table.addCell(new Phrase(Long.toString(quality.path("model_evaluations").asLong()), TEXT));
		table.addCell(new Phrase("", TEXT));
		table.addCell(new Phrase("", TEXT));
		for (String name : new String[] { "completeness_delta", "efficiency_error" }) {
			JsonNode stats = quality.path(name);
			if (stats.isObject()) {
				table.addCell(new Phrase("|" + name.replace('_', ' ') + "|", TEXT));
				table.addCell(new Phrase(number(stats.path("max").asDouble(Double.NaN)), TEXT));
				table.addCell(new Phrase(number(stats.path("mean").asDouble(Double.NaN)), TEXT));
				table.addCell(new Phrase(number(stats.path("p95").asDouble(Double.NaN)), TEXT));
			}
		}
		return table;
	}

	private static PdfPTable tokenTable(JsonNode tokens) {
		PdfPTable table = new PdfPTable(new float[] { 0.6f, 2f, 1f, 0.8f });
		table.setWidthPercentage(80);
		table.setHorizontalAlignment(Element.ALIGN_LEFT);
		for (String header : new String[] { "class", "token", "mean attribution", "count" }) {
			table.addCell(new PdfPCell(new Phrase(header, LABEL)));
		}
		for (Map.Entry<String, JsonNode> entry : tokens.properties()) {
			int shown = 0;
			for (JsonNode token : entry.getValue()) {
				if (shown++ == MAX_TOKENS) {
					break;
				}
				table.addCell(new Phrase(entry.getKey(), SMALL));
				table.addCell(new Phrase(clip(token.path("token").asString(""), 40), SMALL));
				table.addCell(new Phrase(number(token.path("mean_attribution").asDouble(Double.NaN)), SMALL));
				table.addCell(new Phrase(Long.toString(token.path("count").asLong()), SMALL));
			}
		}
		return table;
	}

	private static void text(PdfContentByte canvas, BaseFont font, float size, String text, float x, float y,
			int alignment) {
		canvas.beginText();
		canvas.setColorFill(Color.BLACK);
		canvas.setFontAndSize(font, size);
		canvas.showTextAligned(alignment, text, x, y, 0);
		canvas.endText();
	}

	private static String clip(String text, int max) {
		return (text.length() > max) ? text.substring(0, max - 1) + "…" : text;
	}

	static String number(double value) {
		if (!Double.isFinite(value)) {
			return "n/a";
		}
		double magnitude = Math.abs(value);
		if (magnitude != 0 && (magnitude < 1e-3 || magnitude >= 1e6)) {
			return String.format(Locale.ROOT, "%.3g", value);
		}
		return String.format(Locale.ROOT, "%.4f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
	}

	/**
	 * What the title block shows besides the content.
	 */
	public record Header(String reportId, String model, long version, String modelSha256, String datasetName,
			String datasetId, String datasetSha256, String method, long seed, long sampleSize, String contentSha256,
			String createdAt, String jobId) {
	}

}
