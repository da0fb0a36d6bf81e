package dev.warden.console.audit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * An audit event's details as lines a person reads, not a raw map: nested values are
 * named by their path ({@code quota.requests_per_minute}), lists of plain values are
 * joined, and a {@code before}/{@code after} pair (how platform-api records a change)
 * becomes one line per field that changed, with its old and new value, followed by the
 * fields that stayed as they were.
 */
final class AuditDetails {

	/** No value, as shown. */
	static final String NONE = "none";

	private AuditDetails() {
	}

	/**
	 * One line of the details.
	 *
	 * @param name the field's path
	 * @param value its value (the new value of a change)
	 * @param before the old value of a change, or {@code null} when the line is not a
	 * change
	 */
	record Line(String name, String value, String before) {

		/** Whether the line is a change from {@code before} to {@code value}. */
		public boolean change() {
			return this.before != null;
		}

	}

	static List<Line> of(Map<String, Object> details) {
		List<Line> lines = new ArrayList<>();
		if (details == null) {
			return lines;
		}
		Object before = details.get("before");
		Object after = details.get("after");
		boolean change = before instanceof Map<?, ?> && after instanceof Map<?, ?>;
		if (change) {
			Map<String, String> old = new LinkedHashMap<>();
			Map<String, String> now = new LinkedHashMap<>();
			flatten("", before, old);
			flatten("", after, now);
			Set<String> names = new LinkedHashSet<>(old.keySet());
			names.addAll(now.keySet());
			List<Line> same = new ArrayList<>();
			for (String name : names) {
				String was = old.getOrDefault(name, NONE);
				String is = now.getOrDefault(name, NONE);
				if (Objects.equals(was, is)) {
					same.add(new Line(name, is, null));
				}
				else {
					lines.add(new Line(name, is, was));
				}
			}
			lines.addAll(same);
		}
		Map<String, String> rest = new LinkedHashMap<>();
		details.forEach((name, value) -> {
			if (!(change && (name.equals("before") || name.equals("after")))) {
				flatten(name, value, rest);
			}
		});
		rest.forEach((name, value) -> lines.add(new Line(name, value, null)));
		return lines;
	}

	private static void flatten(String path, Object value, Map<String, String> into) {
		if (value instanceof Map<?, ?> map) {
			if (map.isEmpty()) {
				into.put(path.isEmpty() ? "(none)" : path, NONE);
				return;
			}
			map.forEach(
					(name, inner) -> flatten(path.isEmpty() ? String.valueOf(name) : path + "." + name, inner, into));
		}
		else if (value instanceof List<?> list) {
			if (list.stream().anyMatch((item) -> item instanceof Map<?, ?> || item instanceof List<?>)) {
				for (int i = 0; i < list.size(); i++) {
					flatten(path + "[" + (i + 1) + "]", list.get(i), into);
				}
			}
			else {
				into.put(path,
						list.isEmpty() ? NONE : String.join(", ", list.stream().map(AuditDetails::text).toList()));
			}
		}
		else {
			into.put(path, text(value));
		}
	}

	private static String text(Object value) {
		return (value == null) ? NONE : String.valueOf(value);
	}

}
