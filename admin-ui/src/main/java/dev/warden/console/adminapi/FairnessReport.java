package dev.warden.console.adminapi;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * A fairness report: immutable, computed by a fairness check of a model version over an
 * evaluation dataset. The content (groups, metrics with intervals, disparities,
 * suppressed groups, definitions) is kept as platform-api sent it; the console's pages
 * read what they know of it.
 *
 * @param id the report's id
 * @param model the model
 * @param version the version checked
 * @param datasetId the evaluation dataset
 * @param datasetSha256 the SHA-256 of that dataset
 * @param modelSha256 the SHA-256 of the version's files, or null when the worker did not
 * say
 * @param threshold the decision threshold on the positive class's probability
 * @param seed the bootstrap's seed
 * @param parameters every parameter of the check
 * @param content the results; absent from list items
 * @param contentSha256 the SHA-256 of the canonical JSON of the content
 * @param createdAt when it was stored
 * @param jobId the check (job) that computed it
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record FairnessReport(String id, String model, String version, @JsonProperty("dataset_id") String datasetId,
		@JsonProperty("dataset_sha256") String datasetSha256, @JsonProperty("model_sha256") String modelSha256,
		Double threshold, String seed, JsonNode parameters, JsonNode content,
		@JsonProperty("content_sha256") String contentSha256, @JsonProperty("created_at") String createdAt,
		@JsonProperty("job_id") String jobId) {
}
