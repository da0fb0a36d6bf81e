package dev.warden.platform.explainability;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A report as the admin API shows it. Reports are never changed once written.
 *
 * @param id its id
 * @param model the model
 * @param version the version (a string, as in the model catalogue)
 * @param datasetId the reference dataset
 * @param datasetSha256 the dataset's SHA-256 when the report was computed
 * @param modelSha256 the SHA-256 of the version's files as the worker computed it
 * ({@code null} when the worker did not say)
 * @param method the attribution method the explanations name
 * @param seed the seed
 * @param sampleSize rows asked for
 * @param parameters every parameter of the computation
 * @param content the results (see docs/explainability.md); left out of lists
 * @param contentSha256 the SHA-256 of the canonical JSON of {@code content}
 * @param createdAt when it was written
 * @param jobId the job that computed it
 */
public record ExplainabilityReport(UUID id, String model, String version, UUID datasetId, String datasetSha256,
		String modelSha256, String method, long seed, long sampleSize, JsonNode parameters, JsonNode content,
		String contentSha256, Instant createdAt, UUID jobId) {
}
