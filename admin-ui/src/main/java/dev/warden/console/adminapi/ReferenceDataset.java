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
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ReferenceDataset(String id, String model, String name, String source, JsonNode columns,
		@JsonProperty("row_count") Long rowCount, String sha256, @JsonProperty("created_at") String createdAt,
		@JsonProperty("created_by") String createdBy) {

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
