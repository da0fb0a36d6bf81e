package dev.warden.console.adminapi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What makes an uploaded CSV an evaluation dataset: the label column and its positive
 * value, the sensitive columns, a reference group for some of them and numeric bands for
 * others. Sent as the upload's query parameters {@code label}, {@code positive_label},
 * {@code sensitive} (repeated), {@code reference=<column>:<group>} (repeated) and
 * {@code bands=<column>:<c1>,<c2>,…} (repeated).
 *
 * @param label the label column
 * @param positiveLabel the label value that counts as the positive outcome
 * @param sensitive the sensitive columns, in order
 * @param references the declared reference group per column, in order
 * @param bands the band cut points per numeric column, as typed, in order
 */
public record EvaluationSpec(String label, String positiveLabel, List<String> sensitive, Map<String, String> references,
		Map<String, List<String>> bands) {

	public EvaluationSpec {
		sensitive = List.copyOf(sensitive);
		references = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(references));
		bands = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bands));
	}

}
