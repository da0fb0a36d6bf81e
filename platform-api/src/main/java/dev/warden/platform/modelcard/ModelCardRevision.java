package dev.warden.platform.modelcard;

import java.time.Instant;

import io.swagger.v3.oas.annotations.media.Schema;
import tools.jackson.databind.JsonNode;

/**
 * One revision of a version's card: the edited sections as they were written. Revisions
 * are never changed or deleted.
 *
 * @param model the model
 * @param version the version (a string, as in the model catalogue)
 * @param revision its number, from 1
 * @param content {@code model_details}, {@code model_parameters} and
 * {@code considerations} as edited; left out of lists ({@code null})
 * @param contentSha256 the SHA-256 of the canonical JSON of {@code content}
 * @param comment why it was written ({@code shipped}, {@code carried over from version N}
 * or the editor's comment)
 * @param createdAt when
 * @param createdBy who ({@code system} for the revision a card starts with)
 */
public record ModelCardRevision(String model, String version, int revision,
		@Schema(type = "object", description = "the edited sections") JsonNode content, String contentSha256,
		String comment, Instant createdAt, String createdBy) {
}
