package dev.warden.platform.fairness.internal;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.util.ArrayList;
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
 * A fairness report as a PDF (A4, OpenPDF), written straight to the caller's stream: the
 * header (model, version and digest, dataset and digest, threshold, seed, software
 * version, report id, time, content digest), the overall rates and Theil index, the
 * thresholds the caller passes with the values outside them, then per attribute and
 * intersection a bar chart of each group's selection rate and TPR with their Wilson
 * intervals as whiskers and the thresholds drawn in as lines, the group, disparity,
 * between-group and four-fifths tables with their intervals, the suppressed groups, and
 * at the end the definitions. The charts are vector graphics whose labels are text.
 */
public final class FairnessPdf {

	private static final Font TITLE = new Font(Font.HELVETICA, 14, Font.BOLD);

	private static final Font HEADING = new Font(Font.HELVETICA, 11, Font.BOLD);

	private static final Font SUBHEADING = new Font(Font.HELVETICA, 9, Font.BOLD);

	private static final Font LABEL = new Font(Font.HELVETICA, 7, Font.BOLD);

	private static final Font TEXT = new Font(Font.HELVETICA, 7);

	private static final Font SMALL = new Font(Font.HELVETICA, 6);

	private static final Font WARNING = new Font(Font.HELVETICA, 7, Font.BOLD, new Color(0xb0, 0x2a, 0x1d));

	private static final Color SELECTION = new Color(0x3b, 0x6e, 0xa5);

	private static final Color TPR = new Color(0xe0, 0x8a, 0x1e);

	private static final Color SUPPRESSED = new Color(0xbb, 0xbb, 0xbb);

	private static final Color SELECTION_LINE = new Color(0x1d, 0x3a, 0x5c);

	private static final Color TPR_LINE = new Color(0x9a, 0x4d, 0x00);

	private static final Color AXIS = new Color(0x55, 0x55, 0x55);

	private static final int MAX_CHART_GROUPS = 30;

	private FairnessPdf() {
	}

	/** Renders the report into a byte array. */
	public static byte[] render(Header header, JsonNode content, List<Threshold> thresholds) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		render(header, content, thresholds, out);
		return out.toByteArray();
	}

	/**
	 * Renders the report into {@code out} as it is drawn; {@code out} is not closed.
	 * @param header what the title block shows besides the content
	 * @param content the report's content (docs/governance.md)
	 * @param thresholds the limits to draw and check ({@code List.of()}: none)
	 * @param out where the PDF goes
	 */
	public static void render(Header header, JsonNode content, List<Threshold> thresholds, OutputStream out) {
		Document document = new Document(PageSize.A4, 36, 36, 36, 36);
		try {
			PdfWriter writer = PdfWriter.getInstance(document, new NonClosing(out));
			document.addTitle(text("Fairness report " + header.model() + " version " + header.version()));
			document.addCreator("Warden");
			document.open();
			BaseFont font = BaseFont.createFont(BaseFont.HELVETICA, BaseFont.WINANSI, false);
			float width = document.right() - document.left();
			document.add(paragraph("Fairness report: " + header.model() + " version " + header.version(), TITLE));
			document.add(titleBlock(header, content));
			document.add(heading("Whole population"));
			document.add(overall(content));
			if (!thresholds.isEmpty()) {
				document.add(heading("Thresholds"));
				document.add(thresholdTable(content, thresholds));
			}
			for (JsonNode attribute : content.path("attributes")) {
				document.add(heading("Attribute " + attribute.path("name").asString("") + " (reference "
						+ attribute.path("reference").asString("none") + ", "
						+ attribute.path("reference_source").asString("").replace('_', ' ') + ")"));
				document.add(chart(writer, font, attribute, thresholds, width));
				document.add(subheading("Groups (rates with " + percent(content) + " Wilson intervals)"));
				document.add(groupTable(attribute));
				document.add(subheading("Against the reference (" + percent(content) + " bootstrap intervals)"));
				document.add(againstTable(attribute));
				document.add(subheading("Between groups"));
				document.add(betweenTable(attribute));
				document.add(subheading("Four-fifths rule (selection rate / highest selection rate)"));
				document.add(fourFifthsTable(attribute));
				if (!attribute.path("suppressed").isEmpty()) {
					document.add(subheading("Suppressed groups (rates shown, left out of every disparity)"));
					document.add(suppressedTable(attribute));
				}
			}
			document.add(heading("Definitions"));
			document.add(definitionsTable(content.path("definitions")));
			document.close();
		}
		catch (DocumentException ex) {
			throw new IllegalStateException("the fairness report PDF could not be rendered", ex);
		}
		catch (IOException ex) {
			throw new UncheckedIOException("the fairness report PDF could not be written", ex);
		}
	}

	private static PdfPTable titleBlock(Header header, JsonNode content) {
		PdfPTable table = new PdfPTable(new float[] { 1.2f, 4f });
		table.setWidthPercentage(100);
		table.setSpacingBefore(6);
		JsonNode settings = content.path("settings");
		row(table, "Report", header.reportId());
		row(table, "Model", header.model() + " version " + header.version());
		row(table, "Model SHA-256", (header.modelSha256() != null) ? header.modelSha256() : "not reported");
		row(table, "Dataset", header.datasetName() + " (" + header.datasetId() + ")");
		row(table, "Dataset SHA-256", header.datasetSha256());
		row(table, "Decision threshold", number(header.threshold()) + " on the positive class's probability");
		row(table, "Seed", Long.toString(header.seed()));
		row(table, "Settings",
				settings.path("resamples").asInt() + " resamples (" + settings.path("bootstrap").asString("") + "), "
						+ percent(content) + " intervals, groups suppressed below n = "
						+ settings.path("min_group_size").asInt() + " or " + settings.path("min_positives").asInt()
						+ " actual positives, intersections of up to " + settings.path("max_intersection_order").asInt()
						+ " attributes");
		row(table, "Software version", header.softwareVersion());
		row(table, "Created", header.createdAt());
		row(table, "Content SHA-256", header.contentSha256());
		return table;
	}

	private static PdfPTable overall(JsonNode content) {
		JsonNode overall = content.path("overall");
		PdfPTable table = new PdfPTable(new float[] { 1f, 1f, 1f, 1.6f, 1.6f, 1.6f, 1.6f, 1.6f });
		table.setWidthPercentage(100);
		header(table, "n", "actual positives", "predicted positives", "accuracy", "selection rate", "TPR", "FPR",
				"Theil index");
		cell(table, Long.toString(overall.path("n").asLong()));
		cell(table, Long.toString(overall.path("positives").asLong()));
		cell(table, Long.toString(overall.path("predicted_positives").asLong()));
		JsonNode metrics = overall.path("metrics");
		cell(table, metric(metrics.path("accuracy")));
		cell(table, metric(metrics.path("selection_rate")));
		cell(table, metric(metrics.path("tpr")));
		cell(table, metric(metrics.path("fpr")));
		cell(table, metric(content.path("theil_index")));
		return table;
	}

	private static PdfPTable thresholdTable(JsonNode content, List<Threshold> thresholds) {
		PdfPTable table = new PdfPTable(new float[] { 1.6f, 1.2f, 1f, 3.2f });
		table.setWidthPercentage(100);
		header(table, "metric", "attribute", "allowed", "outside the allowed range");
		for (Threshold threshold : thresholds) {
			cell(table, threshold.metric());
			cell(table, (threshold.attribute() != null) ? threshold.attribute() : "every attribute");
			cell(table, threshold.describe());
			List<String> outside = new ArrayList<>();
			for (Map.Entry<String, JsonNode> value : observed(content, threshold)) {
				JsonNode v = value.getValue().path("value");
				if (v.isNumber() && !threshold.allows(v.asDouble())) {
					outside.add(value.getKey() + " (" + number(v.asDouble()) + ")");
				}
			}
			PdfPCell cell = new PdfPCell(new Phrase(text(outside.isEmpty() ? "none" : String.join(", ", outside)),
					outside.isEmpty() ? TEXT : WARNING));
			cell.setPadding(2);
			table.addCell(cell);
		}
		return table;
	}

	/** The values a threshold applies to, labelled by where they are. */
	private static List<Map.Entry<String, JsonNode>> observed(JsonNode content, Threshold threshold) {
		List<Map.Entry<String, JsonNode>> values = new ArrayList<>();
		String metric = threshold.metric();
		if (metric.equals("theil_index")) {
			values.add(Map.entry("whole population", content.path("theil_index")));
			return values;
		}
		for (JsonNode attribute : content.path("attributes")) {
			String name = attribute.path("name").asString("");
			if (threshold.attribute() != null && !threshold.attribute().equals(name)) {
				continue;
			}
			if (attribute.path("between_groups").has(metric)) {
				values.add(Map.entry(name, attribute.path("between_groups").path(metric)));
			}
			for (JsonNode entry : attribute.path("against_reference")) {
				if (entry.has(metric)) {
					values.add(Map.entry(name + ": " + entry.path("group").asString(""), entry.path(metric)));
				}
			}
			if (metric.equals("four_fifths")) {
				for (JsonNode entry : attribute.path("four_fifths")) {
					values.add(Map.entry(name + ": " + entry.path("group").asString(""), entry.path("ratio")));
				}
			}
			for (JsonNode group : attribute.path("groups")) {
				if (!group.path("suppressed").asBoolean() && group.path("metrics").has(metric)) {
					values.add(Map.entry(name + ": " + group.path("group").asString(""),
							group.path("metrics").path(metric)));
				}
			}
		}
		return values;
	}

	private static Image chart(PdfWriter writer, BaseFont font, JsonNode attribute, List<Threshold> thresholds,
			float width) throws BadElementException {
		List<JsonNode> groups = new ArrayList<>();
		attribute.path("groups").forEach(groups::add);
		int shown = Math.min(groups.size(), MAX_CHART_GROUPS);
		List<Line> lines = lines(attribute, thresholds);
		float rowHeight = 16;
		float labelWidth = 140;
		float valueWidth = 70;
		float legend = 14 + 10 * lines.size() + ((shown < groups.size()) ? 10 : 0);
		float axis = 20;
		float top = 16;
		float height = top + shown * rowHeight + axis + legend;
		float plot = width - labelWidth - valueWidth;
		float plotTop = height - top;
		float plotBottom = plotTop - shown * rowHeight;
		PdfTemplate chart = writer.getDirectContent().createTemplate(width, height);

		swatch(chart, font, SELECTION, "selection rate", labelWidth, height - 10);
		swatch(chart, font, TPR, "TPR", labelWidth + 80, height - 10);
		swatch(chart, font, SUPPRESSED, "suppressed group", labelWidth + 130, height - 10);
		text(chart, font, 7, "whiskers: " + "Wilson interval", labelWidth + 220, height - 10, Element.ALIGN_LEFT);

		for (int i = 0; i < shown; i++) {
			JsonNode group = groups.get(i);
			boolean suppressed = group.path("suppressed").asBoolean();
			float y = plotTop - (i + 1) * rowHeight;
			JsonNode metrics = group.path("metrics");
			bar(chart, font, metrics.path("selection_rate"), suppressed ? SUPPRESSED : SELECTION, labelWidth, plot,
					y + 8.5f, width);
			bar(chart, font, metrics.path("tpr"), suppressed ? SUPPRESSED : TPR, labelWidth, plot, y + 2.5f, width);
			String label = clip(group.path("group").asString(""), 34) + (suppressed ? " (suppressed)" : "");
			text(chart, font, 7, label, labelWidth - 4, y + 5, Element.ALIGN_RIGHT);
		}
		chart.setColorStroke(AXIS);
		chart.setLineWidth(0.5f);
		chart.moveTo(labelWidth, plotBottom);
		chart.lineTo(labelWidth + plot, plotBottom);
		chart.moveTo(labelWidth, plotBottom);
		chart.lineTo(labelWidth, plotTop);
		chart.stroke();
		for (int tick = 0; tick <= 4; tick++) {
			float x = labelWidth + plot * tick / 4;
			chart.moveTo(x, plotBottom);
			chart.lineTo(x, plotBottom - 3);
			chart.stroke();
			text(chart, font, 7, number(tick / 4.0), x, plotBottom - 11, Element.ALIGN_CENTER);
		}
		float legendY = plotBottom - axis - 4;
		for (Line line : lines) {
			float x = labelWidth + (float) (line.at() * plot);
			chart.saveState();
			chart.setColorStroke(line.tpr() ? TPR_LINE : SELECTION_LINE);
			chart.setLineWidth(0.9f);
			chart.setLineDash(3, 2, 0);
			chart.moveTo(x, plotBottom);
			chart.lineTo(x, plotTop);
			chart.stroke();
			chart.moveTo(labelWidth - 30, legendY + 2.5f);
			chart.lineTo(labelWidth - 6, legendY + 2.5f);
			chart.stroke();
			chart.restoreState();
			text(chart, font, 7, line.label(), labelWidth, legendY, Element.ALIGN_LEFT);
			legendY -= 10;
		}
		if (shown < groups.size()) {
			text(chart, font, 7, (groups.size() - shown) + " more groups in the table below", labelWidth, legendY,
					Element.ALIGN_LEFT);
		}
		return Image.getInstance(chart);
	}

	private static void bar(PdfContentByte chart, BaseFont font, JsonNode metric, Color color, float left, float plot,
			float y, float width) {
		if (!metric.path("value").isNumber()) {
			text(chart, font, 6, "n/a", left + 2, y - 1, Element.ALIGN_LEFT);
			return;
		}
		double value = metric.path("value").asDouble();
		chart.setColorFill(color);
		chart.rectangle(left, y - 2.5f, Math.max((float) (value * plot), 0.5f), 5);
		chart.fill();
		if (metric.path("ci_low").isNumber() && metric.path("ci_high").isNumber()) {
			float lo = left + (float) (metric.path("ci_low").asDouble() * plot);
			float hi = left + (float) (metric.path("ci_high").asDouble() * plot);
			chart.setColorStroke(Color.BLACK);
			chart.setLineWidth(0.6f);
			chart.moveTo(lo, y);
			chart.lineTo(hi, y);
			chart.moveTo(lo, y - 2);
			chart.lineTo(lo, y + 2);
			chart.moveTo(hi, y - 2);
			chart.lineTo(hi, y + 2);
			chart.stroke();
		}
		text(chart, font, 6, number(value), left + plot + 4, y - 2, Element.ALIGN_LEFT);
	}

	private static void swatch(PdfContentByte chart, BaseFont font, Color color, String label, float x, float y) {
		chart.setColorFill(color);
		chart.rectangle(x, y, 8, 6);
		chart.fill();
		text(chart, font, 7, label, x + 11, y, Element.ALIGN_LEFT);
	}

	/**
	 * The thresholds that become lines on the selection-rate / TPR scale of an
	 * attribute's chart.
	 */
	static List<Line> lines(JsonNode attribute, List<Threshold> thresholds) {
		String name = attribute.path("name").asString("");
		double referenceSelection = Double.NaN;
		double referenceTpr = Double.NaN;
		double maxSelection = Double.NaN;
		double maxTpr = Double.NaN;
		for (JsonNode group : attribute.path("groups")) {
			if (group.path("suppressed").asBoolean()) {
				continue;
			}
			JsonNode metrics = group.path("metrics");
			double s = metrics.path("selection_rate").path("value").asDouble(Double.NaN);
			double tpr = metrics.path("tpr").path("value").asDouble(Double.NaN);
			maxSelection = max(maxSelection, s);
			maxTpr = max(maxTpr, tpr);
			if (group.path("group").asString("").equals(attribute.path("reference").asString(null))) {
				referenceSelection = s;
				referenceTpr = tpr;
			}
		}
		List<Line> lines = new ArrayList<>();
		for (Threshold threshold : thresholds) {
			if (threshold.attribute() != null && !threshold.attribute().equals(name)) {
				continue;
			}
			for (int side = 0; side < 2; side++) {
				Double bound = (side == 0) ? threshold.min() : threshold.max();
				if (bound == null) {
					continue;
				}
				String limit = threshold.metric() + ((side == 0) ? " >= " : " <= ") + number(bound);
				switch (threshold.metric()) {
					case "selection_rate" -> add(lines, bound, false, limit);
					case "tpr" -> add(lines, bound, true, limit);
					case "statistical_parity_difference" -> add(lines, referenceSelection + bound, false,
							limit + ": reference selection rate " + number(referenceSelection) + " + " + number(bound));
					case "disparate_impact_ratio" -> add(lines, referenceSelection * bound, false,
							limit + ": " + number(bound) + " x reference selection rate " + number(referenceSelection));
					case "four_fifths", "demographic_parity_ratio" -> add(lines, maxSelection * bound, false,
							limit + ": " + number(bound) + " x highest selection rate " + number(maxSelection));
					case "demographic_parity_difference" -> add(lines, maxSelection - bound, false,
							limit + ": highest selection rate " + number(maxSelection) + " - " + number(bound));
					case "equal_opportunity_difference" -> add(lines, referenceTpr + bound, true,
							limit + ": reference TPR " + number(referenceTpr) + " + " + number(bound));
					case "equalized_odds_difference" -> add(lines, maxTpr - bound, true,
							limit + ": highest TPR " + number(maxTpr) + " - " + number(bound));
					default -> {
					}
				}
			}
		}
		return lines;
	}

	private static void add(List<Line> lines, double at, boolean tpr, String label) {
		if (Double.isFinite(at) && at >= 0 && at <= 1) {
			lines.add(new Line(at, tpr, label + " = " + number(at) + (tpr ? " (TPR)" : " (selection rate)")));
		}
	}

	private static double max(double current, double value) {
		if (Double.isNaN(value)) {
			return current;
		}
		return Double.isNaN(current) ? value : Math.max(current, value);
	}

	private static PdfPTable groupTable(JsonNode attribute) {
		PdfPTable table = new PdfPTable(new float[] { 2f, 0.8f, 0.8f, 0.8f, 1.6f, 1.6f, 1.6f, 1.6f });
		table.setWidthPercentage(100);
		header(table, "group", "n", "positives", "predicted positives", "selection rate", "TPR", "FPR", "precision");
		for (JsonNode group : attribute.path("groups")) {
			String label = group.path("group").asString("");
			cell(table, group.path("suppressed").asBoolean() ? label + " (suppressed)" : label);
			cell(table, Long.toString(group.path("n").asLong()));
			cell(table, Long.toString(group.path("positives").asLong()));
			cell(table, Long.toString(group.path("predicted_positives").asLong()));
			JsonNode metrics = group.path("metrics");
			cell(table, metric(metrics.path("selection_rate")));
			cell(table, metric(metrics.path("tpr")));
			cell(table, metric(metrics.path("fpr")));
			cell(table, metric(metrics.path("precision")));
		}
		return table;
	}

	private static PdfPTable againstTable(JsonNode attribute) {
		PdfPTable table = new PdfPTable(new float[] { 2f, 1.6f, 1.6f, 1.6f, 1.6f, 1.6f });
		table.setWidthPercentage(100);
		header(table, "group", "statistical parity difference", "disparate impact ratio",
				"equal opportunity difference", "average odds difference", "predictive parity difference");
		for (JsonNode entry : attribute.path("against_reference")) {
			cell(table, entry.path("group").asString(""));
			for (String metric : GroupComparison.AGAINST_REFERENCE) {
				cell(table, metric(entry.path(metric)));
			}
		}
		if (attribute.path("against_reference").isEmpty()) {
			PdfPCell none = new PdfPCell(new Phrase("no group to compare with the reference", TEXT));
			none.setColspan(6);
			table.addCell(none);
		}
		return table;
	}

	private static PdfPTable betweenTable(JsonNode attribute) {
		PdfPTable table = new PdfPTable(4);
		table.setWidthPercentage(100);
		header(table, "demographic parity difference", "demographic parity ratio", "equalized odds difference",
				"equalized odds ratio");
		for (String metric : GroupComparison.BETWEEN_GROUPS) {
			cell(table, metric(attribute.path("between_groups").path(metric)));
		}
		return table;
	}

	private static PdfPTable fourFifthsTable(JsonNode attribute) {
		PdfPTable table = new PdfPTable(new float[] { 2f, 1.8f, 2f, 1f });
		table.setWidthPercentage(100);
		header(table, "group", "ratio", "highest-rate group", "below 4/5");
		for (JsonNode entry : attribute.path("four_fifths")) {
			cell(table, entry.path("group").asString(""));
			cell(table, metric(entry.path("ratio")));
			cell(table, entry.path("highest_rate_group").asString(""));
			JsonNode below = entry.path("below_four_fifths");
			PdfPCell cell = new PdfPCell(new Phrase(below.isBoolean() ? (below.asBoolean() ? "yes" : "no") : "n/a",
					(below.isBoolean() && below.asBoolean()) ? WARNING : TEXT));
			cell.setPadding(2);
			table.addCell(cell);
		}
		if (attribute.path("four_fifths").isEmpty()) {
			PdfPCell none = new PdfPCell(new Phrase("fewer than two groups to compare", TEXT));
			none.setColspan(4);
			table.addCell(none);
		}
		return table;
	}

	private static PdfPTable suppressedTable(JsonNode attribute) {
		PdfPTable table = new PdfPTable(new float[] { 2f, 1f, 1f, 3f });
		table.setWidthPercentage(100);
		header(table, "group", "n", "actual positives", "reason");
		for (JsonNode entry : attribute.path("suppressed")) {
			cell(table, entry.path("group").asString(""));
			cell(table, Long.toString(entry.path("n").asLong()));
			cell(table, Long.toString(entry.path("positives").asLong()));
			cell(table, entry.path("reason").asString(""));
		}
		return table;
	}

	private static PdfPTable definitionsTable(JsonNode definitions) {
		PdfPTable table = new PdfPTable(new float[] { 2.2f, 2.4f, 2.4f, 1.4f, 2f });
		table.setWidthPercentage(100);
		header(table, "metric", "formula", "sign", "convention of", "reference and notes");
		for (JsonNode definition : definitions) {
			cell(table, definition.path("metric").asString(""));
			cell(table, definition.path("formula").asString(""));
			cell(table, definition.path("sign").asString(""));
			cell(table, definition.path("convention_of").asString(""));
			String notes = definition.path("reference").asString("");
			if (definition.has("note")) {
				notes = (notes.isEmpty() ? "" : notes + ". ") + definition.path("note").asString("");
			}
			notes = (notes.isEmpty() ? "" : notes + ". ") + "Interval: " + definition.path("interval").asString("");
			PdfPCell cell = new PdfPCell(new Phrase(text(notes), SMALL));
			cell.setPadding(2);
			table.addCell(cell);
		}
		return table;
	}

	/** A metric object as "value [low, high]", or "n/a: reason". */
	static String metric(JsonNode metric) {
		JsonNode value = metric.path("value");
		if (!value.isNumber()) {
			return "n/a: " + metric.path("reason").asString("not computed");
		}
		String shown = number(value.asDouble());
		if (metric.path("ci_low").isNumber() && metric.path("ci_high").isNumber()) {
			shown += " [" + number(metric.path("ci_low").asDouble()) + ", " + number(metric.path("ci_high").asDouble())
					+ "]";
		}
		if (metric.has("resamples_used")) {
			shown += " (" + metric.path("resamples_used").asInt() + " resamples)";
		}
		return shown;
	}

	private static String percent(JsonNode content) {
		double level = content.path("settings").path("confidence_level").asDouble(0.95);
		return String.format(Locale.ROOT, "%s%%", number(level * 100));
	}

	private static Paragraph heading(String text) {
		Paragraph paragraph = paragraph(text, HEADING);
		paragraph.setSpacingBefore(12);
		paragraph.setSpacingAfter(4);
		return paragraph;
	}

	private static Paragraph subheading(String text) {
		Paragraph paragraph = paragraph(text, SUBHEADING);
		paragraph.setSpacingBefore(6);
		paragraph.setSpacingAfter(3);
		return paragraph;
	}

	private static Paragraph paragraph(String text, Font font) {
		return new Paragraph(text(text), font);
	}

	private static void header(PdfPTable table, String... labels) {
		for (String label : labels) {
			PdfPCell cell = new PdfPCell(new Phrase(text(label), LABEL));
			cell.setPadding(2);
			cell.setBackgroundColor(new Color(0xee, 0xee, 0xee));
			table.addCell(cell);
		}
		table.setHeaderRows(1);
	}

	private static void row(PdfPTable table, String label, String value) {
		PdfPCell name = new PdfPCell(new Phrase(text(label), LABEL));
		name.setPadding(2);
		table.addCell(name);
		cell(table, (value != null) ? value : "not given");
	}

	private static void cell(PdfPTable table, String value) {
		PdfPCell cell = new PdfPCell(new Phrase(text(value), TEXT));
		cell.setPadding(2);
		table.addCell(cell);
	}

	private static void text(PdfContentByte canvas, BaseFont font, float size, String text, float x, float y,
			int alignment) {
		canvas.beginText();
		canvas.setColorFill(Color.BLACK);
		canvas.setFontAndSize(font, size);
		canvas.showTextAligned(alignment, text(text), x, y, 0);
		canvas.endText();
	}

	/**
	 * Text the standard Helvetica (WinAnsi) can show: the report's mathematical signs in
	 * ASCII, any other character it cannot encode as '?'.
	 */
	static String text(String value) {
		String replaced = value.replace("−", "-")
			.replace("≥", ">=")
			.replace("≤", "<=")
			.replace("ŷ", "y^")
			.replace("Σ", "sum")
			.replace("μ", "mu")
			.replace("α", "alpha")
			.replace("√", "sqrt")
			.replace("²", "^2")
			.replace("⁻¹", "^-1");
		CharsetEncoder encoder = Charset.forName("windows-1252").newEncoder();
		StringBuilder out = new StringBuilder(replaced.length());
		replaced.codePoints().forEach((c) -> {
			String s = Character.toString(c);
			out.append(encoder.canEncode(s) ? s : "?");
		});
		return out.toString();
	}

	private static String clip(String text, int max) {
		return (text.length() > max) ? text.substring(0, max - 3) + "..." : text;
	}

	static String number(double value) {
		if (!Double.isFinite(value)) {
			return "n/a";
		}
		double magnitude = Math.abs(value);
		if (magnitude != 0 && (magnitude < 1e-4 || magnitude >= 1e6)) {
			return String.format(Locale.ROOT, "%.3g", value);
		}
		String fixed = String.format(Locale.ROOT, "%.4f", value).replaceAll("0+$", "").replaceAll("\\.$", "");
		return fixed.equals("-0") ? "0" : fixed;
	}

	/**
	 * What the title block shows besides the content.
	 *
	 * @param reportId the report's id
	 * @param model the model
	 * @param version the version
	 * @param modelSha256 the version's digest ({@code null}: not reported)
	 * @param datasetName the evaluation dataset's name
	 * @param datasetId its id
	 * @param datasetSha256 its digest
	 * @param threshold the decision threshold on the positive class's probability
	 * @param seed the bootstrap's seed
	 * @param softwareVersion the platform's version that computed the report
	 * @param createdAt when the report was written
	 * @param contentSha256 the SHA-256 of the content's canonical JSON
	 */
	public record Header(String reportId, String model, String version, String modelSha256, String datasetName,
			String datasetId, String datasetSha256, double threshold, long seed, String softwareVersion,
			String createdAt, String contentSha256) {
	}

	/**
	 * A limit on a metric, drawn into the charts where it has a place on the
	 * selection-rate or TPR scale and checked in the thresholds table.
	 *
	 * @param metric a metric name of the report (e.g. {@code four_fifths},
	 * {@code disparate_impact_ratio}, {@code demographic_parity_difference},
	 * {@code selection_rate}, {@code theil_index})
	 * @param attribute the attribute or intersection it applies to ({@code null}: all)
	 * @param min the lowest allowed value ({@code null}: none)
	 * @param max the highest allowed value ({@code null}: none)
	 */
	public record Threshold(String metric, String attribute, Double min, Double max) {

		public Threshold {
			if (metric == null || metric.isBlank()) {
				throw new IllegalArgumentException("a threshold needs a metric");
			}
			if (min == null && max == null) {
				throw new IllegalArgumentException("threshold on " + metric + " needs a min, a max or both");
			}
			if ((min != null && !Double.isFinite(min)) || (max != null && !Double.isFinite(max))) {
				throw new IllegalArgumentException("threshold on " + metric + " must have finite limits");
			}
		}

		boolean allows(double value) {
			return (this.min == null || value >= this.min) && (this.max == null || value <= this.max);
		}

		String describe() {
			if (this.min != null && this.max != null) {
				return number(this.min) + " to " + number(this.max);
			}
			return (this.min != null) ? ">= " + number(this.min) : "<= " + number(this.max);
		}

	}

	/** A threshold as a line on a chart's 0..1 scale. */
	record Line(double at, boolean tpr, String label) {
	}

	/** Lets the document close its writer without closing the caller's stream. */
	private static final class NonClosing extends java.io.FilterOutputStream {

		NonClosing(OutputStream out) {
			super(out);
		}

		@Override
		public void write(byte[] b, int off, int len) throws IOException {
			this.out.write(b, off, len);
		}

		@Override
		public void close() throws IOException {
			flush();
		}

	}

}
