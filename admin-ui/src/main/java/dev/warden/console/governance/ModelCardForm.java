package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import tools.jackson.databind.JsonNode;

import org.springframework.util.MultiValueMap;

/**
 * The edit form of a model card: the sections an administrator writes (model details
 * other than what the platform knows, model parameters, considerations), with the Model
 * Card Toolkit's field names. Text fields are named {@code <section>.<field>}; the
 * entries of a repeated field {@code <section>.<field>[<i>].<subfield>}, with
 * {@value #BLANK_ROWS} empty entries after the filled ones to add more (no script
 * needed). An entry left empty is dropped, so emptying an entry removes it. The form
 * keeps the revision it was filled from, which the edit is sent as based on.
 *
 * @param revision the revision the form was filled from
 * @param comment why the card is changed
 * @param sections the form's sections, in the card's order
 */
record ModelCardForm(String revision, String comment, List<FormSection> sections) {

	static final int BLANK_ROWS = 2;

	/** Texts longer than this are written in a text area. */
	private static final int MAX_TEXT_FIELD = 80;

	private static final List<FormSection> LAYOUT = List.of(
			new FormSection("model_details", "Model details",
					List.of(new Text("overview", "Overview", true), new Text("documentation", "Documentation", true),
							new Text("version.diff", "Changes from the previous version", true)),
					List.of(new Repeated("owners", "Owners", List.of("name", "contact")),
							new Repeated("licenses", "Licences", List.of("identifier", "custom_text")),
							new Repeated("references", "References", List.of("reference")),
							new Repeated("citations", "Citations", List.of("style", "citation")))),
			new FormSection("model_parameters", "Model parameters",
					List.of(new Text("model_architecture", "Architecture", true),
							new Text("input_format", "Input format", true),
							new Text("output_format", "Output format", true)),
					List.of(new Repeated("data", "Data",
							List.of("name", "link", "sensitive_attributes", "description")))),
			new FormSection("considerations", "Considerations", List.of(),
					List.of(new Repeated("users", "Intended users", List.of("description")),
							new Repeated("use_cases", "Use cases", List.of("description")),
							new Repeated("limitations", "Limitations", List.of("description")),
							new Repeated("tradeoffs", "Trade-offs", List.of("description")),
							new Repeated("ethical_considerations", "Ethical considerations",
									List.of("name", "mitigation_strategy")))));

	/** The form filled from a card (or blank when the card is null). */
	static ModelCardForm of(JsonNode card, String revision) {
		List<FormSection> sections = new ArrayList<>();
		for (FormSection layout : LAYOUT) {
			JsonNode section = (card != null) ? card.path(layout.key()) : null;
			List<Text> texts = new ArrayList<>();
			for (Text text : layout.texts()) {
				String value = (section != null) ? Values.text(at(section, text.name())) : null;
				texts.add(text.with(layout.key(), (value != null) ? value : ""));
			}
			List<Repeated> lists = new ArrayList<>();
			for (Repeated repeated : layout.lists()) {
				List<List<String>> rows = new ArrayList<>();
				JsonNode entries = (section != null) ? section.path(repeated.name()) : null;
				for (JsonNode entry : Values.list(entries)) {
					List<String> row = new ArrayList<>();
					for (String field : repeated.fields()) {
						row.add(cell(entry, field));
					}
					rows.add(row);
				}
				lists.add(repeated.with(layout.key(), rows));
			}
			sections.add(new FormSection(layout.key(), layout.title(), texts, lists));
		}
		return new ModelCardForm(revision, "", sections);
	}

	/** The form as submitted, to be shown again when platform-api refuses the edit. */
	static ModelCardForm submitted(MultiValueMap<String, String> form) {
		List<FormSection> sections = new ArrayList<>();
		for (FormSection layout : LAYOUT) {
			List<Text> texts = new ArrayList<>();
			for (Text text : layout.texts()) {
				texts.add(text.with(layout.key(), value(form, layout.key() + "." + text.name())));
			}
			List<Repeated> lists = new ArrayList<>();
			for (Repeated repeated : layout.lists()) {
				List<List<String>> rows = new ArrayList<>();
				String prefix = layout.key() + "." + repeated.name() + "[";
				int count = 0;
				for (String name : form.keySet()) {
					if (name.startsWith(prefix) && name.indexOf(']') > prefix.length()) {
						try {
							count = Math.max(count,
									Integer.parseInt(name.substring(prefix.length(), name.indexOf(']'))) + 1);
						}
						catch (NumberFormatException ex) {
							// not an entry of this list
						}
					}
				}
				// a form post cannot name more entries than it has fields
				count = Math.min(count, form.size());
				for (int i = 0; i < count; i++) {
					List<String> row = new ArrayList<>();
					for (String field : repeated.fields()) {
						row.add(value(form, prefix + i + "]." + field));
					}
					if (row.stream().anyMatch((cell) -> !cell.isBlank())) {
						rows.add(row);
					}
				}
				lists.add(repeated.with(layout.key(), rows));
			}
			sections.add(new FormSection(layout.key(), layout.title(), texts, lists));
		}
		return new ModelCardForm(value(form, "revision").trim(), value(form, "comment"), sections);
	}

	/**
	 * The body of the edit: the sections with what is filled in (empty fields and entries
	 * left out), the revision the edit is based on (a number when it reads as one) and
	 * the comment.
	 */
	Map<String, Object> request() {
		Map<String, Object> body = new LinkedHashMap<>();
		for (FormSection section : this.sections) {
			Map<String, Object> fields = new LinkedHashMap<>();
			for (Text text : section.texts()) {
				if (!text.value().isBlank()) {
					put(fields, text.name(), text.value().strip());
				}
			}
			for (Repeated repeated : section.lists()) {
				List<Map<String, Object>> entries = new ArrayList<>();
				for (List<String> row : repeated.rows()) {
					Map<String, Object> entry = new LinkedHashMap<>();
					for (int i = 0; i < repeated.fields().size(); i++) {
						String value = row.get(i).strip();
						if (value.isEmpty()) {
							continue;
						}
						String field = repeated.fields().get(i);
						if (field.equals("sensitive_attributes")) {
							List<String> attributes = new ArrayList<>();
							// one per line: an attribute's description may hold a comma
							for (String attribute : value.split("\\R")) {
								if (!attribute.isBlank()) {
									attributes.add(attribute.strip());
								}
							}
							entry.put("sensitive", Map.of("sensitive_attributes", attributes));
						}
						else {
							entry.put(field, value);
						}
					}
					if (!entry.isEmpty()) {
						entries.add(entry);
					}
				}
				if (!entries.isEmpty()) {
					fields.put(repeated.name(), entries);
				}
			}
			body.put(section.key(), fields);
		}
		if (this.revision != null && !this.revision.isBlank()) {
			try {
				body.put("revision", Long.parseLong(this.revision.trim()));
			}
			catch (NumberFormatException ex) {
				body.put("revision", this.revision.trim());
			}
		}
		if (this.comment != null && !this.comment.isBlank()) {
			body.put("comment", this.comment.strip());
		}
		return body;
	}

	/** The field at a dotted path ({@code version.diff}) of a section. */
	private static JsonNode at(JsonNode section, String path) {
		JsonNode node = section;
		for (String part : path.split("\\.")) {
			node = node.path(part);
		}
		return node;
	}

	/** Puts a value at a dotted path, making the objects on the way. */
	@SuppressWarnings("unchecked")
	private static void put(Map<String, Object> fields, String path, String value) {
		String[] parts = path.split("\\.");
		Map<String, Object> object = fields;
		for (int i = 0; i < parts.length - 1; i++) {
			object = (Map<String, Object>) object.computeIfAbsent(parts[i],
					(key) -> new LinkedHashMap<String, Object>());
		}
		object.put(parts[parts.length - 1], value);
	}

	private static String cell(JsonNode entry, String field) {
		if (!entry.isObject()) {
			return (field.equals("description") || field.equals("reference")) ? String.valueOf(Values.text(entry)) : "";
		}
		if (field.equals("sensitive_attributes")) {
			List<String> attributes = new ArrayList<>();
			Values.list(entry.path("sensitive").path("sensitive_attributes"))
				.forEach((attribute) -> attributes.add(Values.text(attribute)));
			return String.join("\n", attributes);
		}
		String value = Values.text(entry.path(field));
		return (value != null) ? value : "";
	}

	private static String value(MultiValueMap<String, String> form, String name) {
		String value = form.getFirst(name);
		return (value != null) ? value : "";
	}

	/**
	 * A section of the form.
	 *
	 * @param key its key in the card ({@code model_details}, …)
	 * @param title its heading
	 * @param texts its text fields
	 * @param lists its repeated fields
	 */
	record FormSection(String key, String title, List<Text> texts, List<Repeated> lists) {
	}

	/**
	 * A text field.
	 *
	 * @param name the card's field
	 * @param label its label
	 * @param area whether it is written in a text area
	 * @param parameter the form parameter, {@code <section>.<field>}
	 * @param value what is in it
	 */
	record Text(String name, String label, boolean area, String parameter, String value) {

		Text(String name, String label, boolean area) {
			this(name, label, area, null, "");
		}

		Text with(String section, String value) {
			return new Text(this.name, this.label, this.area || value.length() > MAX_TEXT_FIELD,
					section + "." + this.name, value);
		}

	}

	/**
	 * A repeated field.
	 *
	 * @param name the card's field
	 * @param label its label
	 * @param fields the fields of an entry
	 * @param section the section's key
	 * @param rows the entries, then {@value #BLANK_ROWS} empty ones
	 */
	record Repeated(String name, String label, List<String> fields, String section, List<List<String>> rows) {

		Repeated(String name, String label, List<String> fields) {
			this(name, label, fields, null, List.of());
		}

		Repeated with(String section, List<List<String>> filled) {
			return new Repeated(this.name, this.label, this.fields, section, List.copyOf(filled));
		}

		/** The rows the form shows: the filled entries and the empty ones after them. */
		public List<List<Cell>> shownRows() {
			List<List<Cell>> shown = new ArrayList<>();
			for (int i = 0; i < this.rows.size() + BLANK_ROWS; i++) {
				List<Cell> cells = new ArrayList<>();
				for (int f = 0; f < this.fields.size(); f++) {
					String value = (i < this.rows.size()) ? this.rows.get(i).get(f) : "";
					cells.add(new Cell(this.section + "." + this.name + "[" + i + "]." + this.fields.get(f),
							fieldLabel(this.fields.get(f)), value));
				}
				shown.add(cells);
			}
			return shown;
		}

	}

	private static String fieldLabel(String field) {
		return field.equals("sensitive_attributes") ? "sensitive attributes (one per line)" : field.replace('_', ' ');
	}

	/**
	 * A field of an entry.
	 *
	 * @param parameter its form parameter
	 * @param label its label
	 * @param value what is in it
	 */
	record Cell(String parameter, String label, String value) {

		/** Whether the field is long text, written in a text area. */
		public boolean area() {
			return this.parameter.endsWith(".description") || this.parameter.endsWith(".mitigation_strategy")
					|| this.parameter.endsWith(".citation") || this.parameter.endsWith(".custom_text")
					|| this.parameter.endsWith(".sensitive_attributes");
		}

	}

}
