package dev.warden.platform.explainability;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A reference dataset as the admin API shows it (never its rows).
 *
 * @param id its id
 * @param model the model it belongs to
 * @param name its name, unique per model among the datasets not deleted
 * @param source {@code upload} (a CSV uploaded by an administrator) or {@code shipped} (a
 * dataset shipped with the worker)
 * @param columns the model's inputs, by name: the first cells of every stored row
 * @param rowCount rows
 * @param sha256 SHA-256 of the CSV bytes as received
 * @param createdAt when it was registered
 * @param createdBy who registered it ({@code system} for the automatic registrations)
 * @param evaluation the evaluation spec of an evaluation dataset (its stored rows then
 * also hold the label and the sensitive columns, after the inputs), {@code null} for a
 * plain reference dataset
 */
public record ReferenceDataset(UUID id, String model, String name, String source, List<Column> columns, long rowCount,
		String sha256, Instant createdAt, String createdBy, EvaluationSpec evaluation) {

	/**
	 * One column.
	 *
	 * @param name the model input it feeds
	 * @param dtype the input's TensorFlow dtype
	 */
	public record Column(String name, String dtype) {
	}

}
