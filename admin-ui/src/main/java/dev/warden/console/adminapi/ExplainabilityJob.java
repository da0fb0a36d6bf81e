package dev.warden.console.adminapi;

import java.util.Locale;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import tools.jackson.databind.JsonNode;

/**
 * A report job: background work in platform-api that explains a version's reference data
 * and stores the report.
 *
 * @param id the job's id
 * @param model the model
 * @param version the version
 * @param datasetId the reference dataset explained
 * @param state {@code queued}, {@code running}, {@code done}, {@code failed} or
 * {@code cancelled}
 * @param rowsDone rows explained so far
 * @param rowsTotal rows to explain, or null while unknown
 * @param error why a failed job failed, or null
 * @param reportId the report a done job produced, or null
 * @param attempt the attempt number, from 1; a retry is a new attempt
 * @param parameters the parameters the job runs with (method, seed, sample size, …)
 * @param createdBy who started it ({@code system} for automatic jobs)
 * @param createdAt when it was queued
 * @param startedAt when it started running, or null
 * @param finishedAt when it finished, or null
 * @param kind {@code explanation} (a report job) or {@code fairness} (a fairness check);
 * null from a platform-api that knows only report jobs
 * @param phase of a running job: {@code loading} while its version is being loaded, then
 * the computation's phase; null otherwise
 * @param fairnessReportId the fairness report a done fairness check produced, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ExplainabilityJob(String id, String model, String version, @JsonProperty("dataset_id") String datasetId,
		String state, @JsonProperty("rows_done") Long rowsDone, @JsonProperty("rows_total") Long rowsTotal,
		String error, @JsonProperty("report_id") String reportId, Integer attempt, JsonNode parameters,
		@JsonProperty("created_by") String createdBy, @JsonProperty("created_at") String createdAt,
		@JsonProperty("started_at") String startedAt, @JsonProperty("finished_at") String finishedAt, String kind,
		String phase, @JsonProperty("fairness_report_id") String fairnessReportId) {

	private static final Set<String> ACTIVE = Set.of("queued", "running");

	private static final Set<String> RETRYABLE = Set.of("failed", "cancelled");

	/** Whether the job is a fairness check rather than an explainability report job. */
	public boolean fairnessCheck() {
		return "fairness".equalsIgnoreCase(this.kind);
	}

	/** Whether the job is queued or running, so it can be cancelled. */
	public boolean cancellable() {
		return this.state != null && ACTIVE.contains(this.state.toLowerCase(Locale.ROOT));
	}

	/** Whether the job failed or was cancelled, so it can be retried. */
	public boolean retryable() {
		return this.state != null && RETRYABLE.contains(this.state.toLowerCase(Locale.ROOT));
	}

	/** Whether the job states how many rows it has to explain. */
	public boolean hasProgress() {
		return this.rowsTotal != null && this.rowsTotal > 0;
	}

	/** Rows done as a whole percentage of the total, 0 while the total is unknown. */
	public long percentDone() {
		if (!hasProgress()) {
			return 0;
		}
		long done = (this.rowsDone != null) ? Math.max(0, this.rowsDone) : 0;
		return Math.min(100, done * 100 / this.rowsTotal);
	}

}
