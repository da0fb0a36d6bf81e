package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * An explainability report: immutable, computed by a job over a reference dataset. The
 * content is kept as platform-api sent it; the console's pages read what they know of it
 * and ignore the rest.
 *
 * @param id the report's id
 * @param model the model
 * @param version the version explained
 * @param datasetId the reference dataset
 * @param datasetSha256 the SHA-256 of that dataset
 * @param modelSha256 the SHA-256 of the version's files
 * @param method the explanation method
 * @param seed the seed of every random choice
 * @param sampleSize the number of rows explained
 * @param parameters the remaining parameters
 * @param contentSha256 the digest of the report's content
 * @param createdAt when it was stored
 * @param jobId the job that computed it
 * @param content features, partial dependence, quality, tokens, baseline and target;
 * absent from list items
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExplainabilityReport(String id, String model, String version,
		@JsonProperty("dataset_id") String datasetId, @JsonProperty("dataset_sha256") String datasetSha256,
		@JsonProperty("model_sha256") String modelSha256, String method, String seed,
		@JsonProperty("sample_size") Long sampleSize, JsonNode parameters,
		@JsonProperty("content_sha256") String contentSha256, @JsonProperty("created_at") String createdAt,
		@JsonProperty("job_id") String jobId, JsonNode content) {
}
