package dev.warden.console.governance;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.databind.JsonNode;

/**
 * A part of a card or a request the console has no special layout for, shown as it came:
 * the scalar fields of an object as name and value pairs, and each array of objects as a
 * table whose columns are the objects' fields (nested values as compact JSON). Lets the
 * pages show what a newer platform-api adds without dropping it.
 *
 * @param pairs the object's fields that are not arrays of objects, as text
 * @param tables one per array of objects
 */
record JsonTable(List<Pair> pairs, List<Table> tables) {

	/** The fields of {@code object}, except those named in {@code leaveOut}. */
	static JsonTable of(JsonNode object, Set<String> leaveOut) {
		List<Pair> pairs = new ArrayList<>();
		List<Table> tables = new ArrayList<>();
		if (object != null && object.isObject()) {
			for (Map.Entry<String, JsonNode> field : object.properties()) {
				if (leaveOut.contains(field.getKey()) || Values.blank(field.getValue())) {
					continue;
				}
				Table table = table(field.getKey(), field.getValue());
				if (table != null) {
					tables.add(table);
				}
				else {
					pairs.add(new Pair(field.getKey(), Values.text(field.getValue())));
				}
			}
		}
		return new JsonTable(pairs, tables);
	}

	/** An array of objects as a table; null for anything else. */
	static Table table(String name, JsonNode array) {
		if (!array.isArray() || array.isEmpty()) {
			return null;
		}
		Set<String> columns = new LinkedHashSet<>();
		for (JsonNode row : array.values()) {
			if (!row.isObject()) {
				return null;
			}
			row.properties().forEach((field) -> columns.add(field.getKey()));
		}
		List<List<String>> rows = new ArrayList<>();
		for (JsonNode row : array.values()) {
			List<String> cells = new ArrayList<>();
			for (String column : columns) {
				cells.add(Values.text(row.path(column)));
			}
			rows.add(cells);
		}
		return new Table(name, List.copyOf(columns), rows);
	}

	public boolean empty() {
		return this.pairs.isEmpty() && this.tables.isEmpty();
	}

	/**
	 * A field shown as text.
	 *
	 * @param name the field
	 * @param value its value as text
	 */
	record Pair(String name, String value) {
	}

	/**
	 * An array of objects.
	 *
	 * @param name the field holding it
	 * @param columns the objects' fields, in the order first seen
	 * @param rows one per object, a cell per column (null when the object lacks it)
	 */
	record Table(String name, List<String> columns, List<List<String>> rows) {
	}

}
