package dev.warden.console.adminapi;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * A model's reference dataset, the rows a report explains: uploaded as CSV or imported
 * from a dataset shipped with the worker. The rows themselves never leave platform-api.
 *
 * @param id the dataset's id
 * @param model the model it belongs to
 * @param name the name given at upload, or the shipped dataset's name
 * @param source {@code upload} or {@code shipped}
 * @param columns the columns, as names or as objects with a {@code name} (and
 * {@code dtype}); see {@link #columnNames()}
 * @param rowCount the number of rows
 * @param sha256 the SHA-256 of the data as received
 * @param createdAt when it was registered
 * @param createdBy who registered it
 * @param evaluation the evaluation spec of an evaluation dataset ({@code {"label",
 * "positive_label", "sensitive": [{"name", "reference", "bands"}]}}), null for a dataset
 * without one
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReferenceDataset(String id, String model, String name, String source, JsonNode columns,
		@JsonProperty("row_count") Long rowCount, String sha256, @JsonProperty("created_at") String createdAt,
		@JsonProperty("created_by") String createdBy, JsonNode evaluation) {

	/**
	 * Whether the dataset is an evaluation dataset: it has a label, so fairness checks
	 * can run on it.
	 */
	public boolean hasEvaluationSpec() {
		return this.evaluation != null && this.evaluation.isObject() && this.evaluation.path("label").isString();
	}

	/**
	 * The name a dataset uploaded from a file gets when the user gives none: the file's
	 * name without directories and extension, or {@code fallback}.
	 */
	public static String nameFor(String fileName, String fallback) {
		if (fileName == null || fileName.isBlank()) {
			return fallback;
		}
		String name = fileName.replace('\\', '/');
		name = name.substring(name.lastIndexOf('/') + 1);
		int dot = name.lastIndexOf('.');
		name = (dot > 0) ? name.substring(0, dot) : name;
		return name.isBlank() ? fallback : name;
	}

	/** The columns' names, in the order sent. */
	public List<String> columnNames() {
		List<String> names = new ArrayList<>();
		if (this.columns != null) {
			for (JsonNode column : this.columns.values()) {
				JsonNode name = column.isObject() ? column.path("name") : column;
				if (name.isValueNode() && !name.isNull()) {
					names.add(name.asString());
				}
			}
		}
		return names;
	}

}
