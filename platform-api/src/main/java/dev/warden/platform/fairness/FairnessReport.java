package dev.warden.platform.fairness;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A fairness report as the admin API shows it. Reports are never changed once written.
 *
 * @param id its id
 * @param model the model
 * @param version the version (a string, as in the model catalogue)
 * @param datasetId the evaluation dataset
 * @param datasetSha256 the dataset's SHA-256 when the report was computed
 * @param modelSha256 the SHA-256 of the version's files as the worker computed it
 * ({@code null} when the worker did not say)
 * @param threshold the decision threshold on the positive class's probability
 * @param seed the bootstrap's seed
 * @param parameters every parameter of the check
 * @param content the results (docs/governance.md); left out of lists
 * @param contentSha256 the SHA-256 of the canonical JSON of {@code content}
 * @param createdAt when it was written
 * @param jobId the job that computed it
 */
public record FairnessReport(UUID id, String model, String version, UUID datasetId, String datasetSha256,
		String modelSha256, double threshold, long seed, JsonNode parameters, JsonNode content, String contentSha256,
		Instant createdAt, UUID jobId) {
}
