package dev.warden.platform.modelcard.internal;

import java.awt.Color;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.lowagie.text.Document;
import com.lowagie.text.DocumentException;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.Rectangle;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import tools.jackson.databind.JsonNode;

/**
 * A card's export as a PDF (A4, OpenPDF): a title block (model, version, revision,
 * digest, provenance, completeness), a warning at the top when a governance section
 * records an override, then the sections: model details, model parameters, the
 * quantitative analysis (every metric with its interval and source report; flagged
 * disparities marked), considerations, governance (each contributor's section; its
 * {@code overrides} in a marked box, whatever they say), completeness, and the EU AI Act
 * Annex IV mapping as a table. Text only (no images), so every word is searchable.
 * Characters outside Windows-1252 (the built-in Helvetica's encoding) are not drawn.
 */
public final class CardPdf {

	private static final Font TITLE = new Font(Font.HELVETICA, 15, Font.BOLD);

	private static final Font HEADING = new Font(Font.HELVETICA, 12, Font.BOLD);

	private static final Font SUBHEADING = new Font(Font.HELVETICA, 9, Font.BOLD);

	private static final Font LABEL = new Font(Font.HELVETICA, 8, Font.BOLD);

	private static final Font TEXT = new Font(Font.HELVETICA, 8);

	private static final Font ALERT_TITLE = new Font(Font.HELVETICA, 10, Font.BOLD, new Color(0x9b, 0x1c, 0x1c));

	private static final Color ALERT_BORDER = new Color(0xc0, 0x39, 0x2b);

	private static final Color ALERT_FILL = new Color(0xfd, 0xed, 0xec);

	private static final Color HEADER_FILL = new Color(0xe8, 0xee, 0xf4);

	private static final Color FLAG_FILL = new Color(0xff, 0xf3, 0xcd);

	/** Most rows a governance section is flattened into. */
	private static final int MAX_GOVERNANCE_ROWS = 300;

	private CardPdf() {
	}

	/** Renders the export of a card ({@code ModelCards.export}). */
	public static byte[] render(JsonNode export) {
		ByteArrayOutputStream out = new ByteArrayOutputStream();
		Document document = new Document(PageSize.A4, 36, 36, 36, 36);
		try {
			PdfWriter.getInstance(document, out);
			String name = export.path("model").asString("") + " version " + export.path("version").asString("");
			document.addTitle("Model card " + name);
			document.addCreator("Warden");
			document.open();
			document.add(new Paragraph("Model card: " + name, TITLE));
			document.add(titleBlock(export));
			JsonNode overrides = export.path("overrides");
			if (!overrides.isEmpty()) {
				document.add(alert("OVERRIDE RECORDED",
						List.of(overrides.size() + " override(s) recorded for this version in: "
								+ String.join(", ", sectionsOf(overrides)) + ". See section 5, Governance.")));
			}
			JsonNode card = export.path("model_card");
			modelDetails(document, card.path("model_details"));
			modelParameters(document, card.path("model_parameters"));
			quantitative(document, card.path("quantitative_analysis"), export.path("quantitative_details"));
			considerations(document, card.path("considerations"));
			governance(document, export.path("governance"));
			completeness(document, export.path("completeness"));
			annexIv(document, export.path("annex_iv"));
			document.close();
		}
		catch (DocumentException ex) {
			throw new IllegalStateException("the model card PDF could not be rendered", ex);
		}
		return out.toByteArray();
	}

	private static List<String> sectionsOf(JsonNode overrides) {
		List<String> sections = new ArrayList<>();
		for (JsonNode override : overrides) {
			String section = override.path("section").asString("?");
			if (!sections.contains(section)) {
				sections.add(section);
			}
		}
		return sections;
	}

	private static PdfPTable titleBlock(JsonNode export) {
		PdfPTable table = table(1.3f, 4f);
		table.setSpacingBefore(6);
		JsonNode provenance = export.path("provenance");
		row(table, "Model", export.path("model").asString(""));
		row(table, "Version", export.path("version").asString("") + ", dated "
				+ export.path("model_card").path("model_details").path("version").path("date").asString("unknown"));
		row(table, "Card revision",
				export.path("revision").asInt(0) + " by " + export.path("revision_created_by").asString("?") + " at "
						+ export.path("revision_created_at").asString("?") + ": "
						+ export.path("revision_comment").asString(""));
		row(table, "Content SHA-256", export.path("content_sha256").asString(""));
		row(table, "Archive SHA-256", text(provenance.path("archive_sha256"), "not uploaded through the admin API"));
		row(table, "Files SHA-256", text(provenance.path("files_sha256").path("value"), "not reported") + " ("
				+ text(provenance.path("files_sha256").path("source"), "no report") + ")");
		row(table, "Uploaded by", text(provenance.path("uploaded_by"), "not uploaded through the admin API"));
		JsonNode completeness = export.path("completeness");
		row(table, "Completeness", completeness.path("complete").asBoolean(false) ? "complete"
				: "incomplete: " + completeness.path("missing").size() + " field(s) missing (section 6)");
		row(table, "Exported", export.path("exported_at").asString(""));
		return table;
	}

	private static void modelDetails(Document document, JsonNode details) throws DocumentException {
		document.add(heading("1. Model details"));
		PdfPTable table = table(1.3f, 4f);
		row(table, "Name", text(details.path("name"), ""));
		row(table, "Overview", text(details.path("overview"), "(missing)"));
		row(table, "Documentation", text(details.path("documentation"), "(none)"));
		row(table, "Owners", lines(details.path("owners"), "name", "contact"));
		JsonNode version = details.path("version");
		row(table, "Version", text(version.path("name"), "") + ", " + text(version.path("date"), "no date")
				+ (Completeness.blank(version.get("diff")) ? "" : "\nChanges: " + version.path("diff").asString("")));
		StringBuilder licences = new StringBuilder();
		for (JsonNode licence : details.path("licenses")) {
			licences.append((licences.length() > 0) ? "\n" : "")
				.append(Completeness.blank(licence.get("identifier")) ? licence.path("custom_text").asString("")
						: licence.path("identifier").asString(""));
		}
		row(table, "Licences", (licences.length() > 0) ? licences.toString() : "(missing)");
		row(table, "References", lines(details.path("references"), "reference", null));
		row(table, "Citations", lines(details.path("citations"), "citation", "style"));
		document.add(table);
	}

	private static void modelParameters(Document document, JsonNode parameters) throws DocumentException {
		document.add(heading("2. Model parameters"));
		PdfPTable table = table(1.3f, 4f);
		row(table, "Architecture", text(parameters.path("model_architecture"), "(missing)"));
		row(table, "Input format", text(parameters.path("input_format"), "(missing)"));
		row(table, "Output format", text(parameters.path("output_format"), "(missing)"));
		document.add(table);
		JsonNode data = parameters.path("data");
		for (JsonNode dataset : data) {
			document.add(subheading("Data: " + text(dataset.path("name"), "(unnamed)")));
			PdfPTable rows = table(1.3f, 4f);
			row(rows, "Link", text(dataset.path("link"), "(none)"));
			List<String> sensitive = new ArrayList<>();
			dataset.path("sensitive").path("sensitive_attributes").forEach((s) -> sensitive.add(s.asString("")));
			row(rows, "Sensitive", sensitive.isEmpty() ? "(none listed)" : String.join(", ", sensitive));
			row(rows, "Description", text(dataset.path("description"), "(none)"));
			document.add(rows);
		}
		if (data.isEmpty()) {
			document.add(new Paragraph("No dataset is described (missing).", TEXT));
		}
	}

	private static void quantitative(Document document, JsonNode analysis, JsonNode details) throws DocumentException {
		document.add(heading("3. Quantitative analysis"));
		JsonNode sources = details.path("sources");
		List<String> described = new ArrayList<>();
		for (Map.Entry<String, JsonNode> source : sources.properties()) {
			if (source.getValue().isObject()) {
				described.add(source.getKey().replace('_', ' ') + " " + source.getValue().path("id").asString("")
						+ " of " + source.getValue().path("created_at").asString("") + " (content SHA-256 "
						+ source.getValue().path("content_sha256").asString("") + ")");
			}
		}
		if (!described.isEmpty()) {
			document.add(new Paragraph(
					"Computed when the card was exported from: " + String.join("; ", described)
							+ ". Each metric names its report; Source gives the JSON pointer of the number in it.",
					TEXT));
		}
		if (!Completeness.blank(details.get("note"))) {
			document.add(new Paragraph(details.path("note").asString(""), TEXT));
		}
		JsonNode metrics = analysis.path("performance_metrics");
		if (!metrics.isEmpty()) {
			PdfPTable table = table(2.2f, 2.4f, 1f, 1.6f, 2.6f);
			table.setHeaderRows(1);
			for (String header : List.of("Metric", "Slice", "Value", "Interval", "Source")) {
				PdfPCell cell = new PdfPCell(new Phrase(header, LABEL));
				cell.setBackgroundColor(HEADER_FILL);
				cell.setPadding(2);
				table.addCell(cell);
			}
			for (JsonNode metric : metrics) {
				boolean flagged = metric.path("flagged").asBoolean(false);
				String type = metric.path("type").asString("")
						+ (metric.has("feature") ? " (" + metric.path("feature").asString("") + ")" : "")
						+ (flagged ? "\nFLAGGED: " + metric.path("flag").asString("") : "");
				JsonNode ci = metric.path("confidence_interval");
				String interval = ci.path("lower_bound").isNumber()
						? "[" + number(ci.path("lower_bound")) + ", " + number(ci.path("upper_bound")) + "]" : "-";
				JsonNode source = metric.path("source");
				for (String value : List.of(type, text(metric.path("slice"), "overall"), number(metric.path("value")),
						interval, source.path("report").asString("") + " " + source.path("id").asString("") + " "
								+ source.path("path").asString(""))) {
					PdfPCell cell = new PdfPCell(new Phrase(value, TEXT));
					cell.setPadding(2);
					if (flagged) {
						cell.setBackgroundColor(FLAG_FILL);
					}
					table.addCell(cell);
				}
			}
			document.add(table);
		}
		listOf(document, "Groups suppressed by the fairness check", details.path("suppressed_groups"), "slice",
				"reason");
		listOf(document, "Metrics the reports leave undefined", details.path("undefined_metrics"), "type", "reason");
	}

	private static void listOf(Document document, String title, JsonNode entries, String name, String reason)
			throws DocumentException {
		if (entries.isEmpty()) {
			return;
		}
		document.add(subheading(title));
		PdfPTable table = table(2f, 4f);
		for (JsonNode entry : entries) {
			String label = entry.path(name).asString("")
					+ (entry.has("slice") && !name.equals("slice") ? " " + text(entry.path("slice"), "") : "");
			row(table, label, entry.path(reason).asString(""));
		}
		document.add(table);
	}

	private static void considerations(Document document, JsonNode considerations) throws DocumentException {
		document.add(heading("4. Considerations"));
		PdfPTable table = table(1.3f, 4f);
		row(table, "Users", lines(considerations.path("users"), "description", null));
		row(table, "Use cases", lines(considerations.path("use_cases"), "description", null));
		row(table, "Limitations", lines(considerations.path("limitations"), "description", null));
		row(table, "Trade-offs", lines(considerations.path("tradeoffs"), "description", null));
		StringBuilder risks = new StringBuilder();
		for (JsonNode risk : considerations.path("ethical_considerations")) {
			risks.append((risks.length() > 0) ? "\n\n" : "")
				.append(text(risk.path("name"), "(unnamed)"))
				.append("\nMitigation: ")
				.append(text(risk.path("mitigation_strategy"), "(missing)"));
		}
		row(table, "Ethical considerations", (risks.length() > 0) ? risks.toString() : "(missing)");
		document.add(table);
	}

	private static void governance(Document document, JsonNode governance) throws DocumentException {
		document.add(heading("5. Governance"));
		if (governance.isEmpty()) {
			document.add(new Paragraph("No module recorded anything about this version.", TEXT));
			return;
		}
		for (Map.Entry<String, JsonNode> section : governance.properties()) {
			document.add(subheading(section.getKey()));
			JsonNode value = section.getValue();
			JsonNode overrides = value.path("overrides");
			if (!Completeness.blank(overrides) && !(overrides.isContainer() && overrides.isEmpty())) {
				List<String> lines = new ArrayList<>();
				if (overrides.isArray()) {
					for (JsonNode override : overrides) {
						lines.add(String.join("\n", flatten(override)));
					}
				}
				else {
					lines.add(String.join("\n", flatten(overrides)));
				}
				document.add(alert("OVERRIDE", lines));
			}
			PdfPTable table = table(2f, 4f);
			List<String[]> rows = new ArrayList<>();
			flatten("", value, rows, true);
			for (String[] row : rows) {
				row(table, row[0], row[1]);
			}
			if (!rows.isEmpty()) {
				document.add(table);
			}
		}
	}

	private static void completeness(Document document, JsonNode completeness) throws DocumentException {
		document.add(heading("6. Completeness"));
		if (completeness.path("complete").asBoolean(false)) {
			document.add(new Paragraph("The card has every field a complete card needs.", TEXT));
			return;
		}
		PdfPTable table = table(2f, 4f);
		for (JsonNode missing : completeness.path("missing")) {
			row(table, missing.path("path").asString(""), missing.path("reason").asString(""));
		}
		document.add(table);
	}

	private static void annexIv(Document document, JsonNode annex) throws DocumentException {
		document.add(heading("7. EU AI Act Annex IV mapping"));
		document.add(new Paragraph(annex.path("scope").asString(""), TEXT));
		PdfPTable table = table(0.4f, 2.6f, 0.9f, 2.6f, 2.6f);
		table.setHeaderRows(1);
		for (String header : List.of("", "Annex IV section", "Status", "Covered by", "Missing")) {
			PdfPCell cell = new PdfPCell(new Phrase(header, LABEL));
			cell.setBackgroundColor(HEADER_FILL);
			cell.setPadding(2);
			table.addCell(cell);
		}
		for (JsonNode section : annex.path("sections")) {
			List<String> covered = new ArrayList<>();
			section.path("covered_by").forEach((c) -> covered.add(c.asString("")));
			List<String> missing = new ArrayList<>();
			section.path("missing").forEach((m) -> missing.add(m.asString("")));
			for (String value : List.of("(" + section.path("section").asInt(0) + ")",
					section.path("title").asString(""), section.path("status").asString(""), String.join("\n", covered),
					String.join("\n", missing))) {
				PdfPCell cell = new PdfPCell(new Phrase(value, TEXT));
				cell.setPadding(2);
				table.addCell(cell);
			}
		}
		document.add(table);
	}

	/** A box with a red border and a light red background. */
	private static PdfPTable alert(String title, List<String> lines) {
		PdfPTable box = new PdfPTable(1);
		box.setWidthPercentage(100);
		box.setSpacingBefore(6);
		box.setSpacingAfter(4);
		Paragraph content = new Paragraph();
		content.add(new Phrase(title + "\n", ALERT_TITLE));
		for (String line : lines) {
			content.add(new Phrase(line + "\n", TEXT));
		}
		PdfPCell cell = new PdfPCell(content);
		cell.setBorder(Rectangle.BOX);
		cell.setBorderWidth(2f);
		cell.setBorderColor(ALERT_BORDER);
		cell.setBackgroundColor(ALERT_FILL);
		cell.setPadding(6);
		box.addCell(cell);
		return box;
	}

	private static List<String> flatten(JsonNode node) {
		List<String[]> rows = new ArrayList<>();
		flatten("", node, rows, false);
		return rows.stream().map((row) -> row[0].isEmpty() ? row[1] : row[0] + ": " + row[1]).toList();
	}

	private static void flatten(String prefix, JsonNode node, List<String[]> rows, boolean skipOverrides) {
		if (rows.size() >= MAX_GOVERNANCE_ROWS) {
			return;
		}
		if (node.isObject()) {
			for (Map.Entry<String, JsonNode> entry : node.properties()) {
				if (skipOverrides && prefix.isEmpty() && entry.getKey().equals("overrides")) {
					continue;
				}
				flatten(prefix.isEmpty() ? entry.getKey() : prefix + "." + entry.getKey(), entry.getValue(), rows,
						false);
			}
		}
		else if (node.isArray()) {
			for (int i = 0; i < node.size(); i++) {
				flatten(prefix + "[" + i + "]", node.get(i), rows, false);
			}
		}
		else {
			rows.add(new String[] { prefix, node.isNull() ? "null" : node.asString("") });
		}
		if (rows.size() == MAX_GOVERNANCE_ROWS) {
			rows.add(new String[] { "…", "(cut at " + MAX_GOVERNANCE_ROWS + " values; the JSON export has all)" });
		}
	}

	private static Paragraph heading(String text) {
		Paragraph paragraph = new Paragraph(text, HEADING);
		paragraph.setSpacingBefore(12);
		paragraph.setSpacingAfter(4);
		return paragraph;
	}

	private static Paragraph subheading(String text) {
		Paragraph paragraph = new Paragraph(text, SUBHEADING);
		paragraph.setSpacingBefore(6);
		paragraph.setSpacingAfter(2);
		return paragraph;
	}

	private static PdfPTable table(float... widths) {
		PdfPTable table = new PdfPTable(widths);
		table.setWidthPercentage(100);
		table.setHorizontalAlignment(Element.ALIGN_LEFT);
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

	private static String lines(JsonNode entries, String field, String second) {
		StringBuilder text = new StringBuilder();
		for (JsonNode entry : entries) {
			text.append((text.length() > 0) ? "\n" : "").append("- ").append(entry.path(field).asString(""));
			if (second != null && !Completeness.blank(entry.get(second))) {
				text.append(" (").append(entry.path(second).asString("")).append(')');
			}
		}
		return (text.length() > 0) ? text.toString() : "(none)";
	}

	private static String text(JsonNode value, String otherwise) {
		return Completeness.blank(value) ? otherwise : value.asString(otherwise);
	}

	private static String number(JsonNode value) {
		if (!value.isNumber()) {
			return "-";
		}
		return String.format(Locale.ROOT, "%.4f", value.doubleValue());
	}

}
