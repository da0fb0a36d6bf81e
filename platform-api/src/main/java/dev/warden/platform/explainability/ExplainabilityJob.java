package dev.warden.platform.explainability;

import java.time.Instant;
import java.util.UUID;

import tools.jackson.databind.JsonNode;

/**
 * A report job as the admin API shows it.
 *
 * @param id its id
 * @param kind what it computes: {@code explanation} (an explainability report),
 * {@code fairness} (a fairness check) or {@code profile} (a reference profile for data
 * drift)
 * @param model the model
 * @param version the version explained (a string, as in the model catalogue)
 * @param datasetId the reference dataset
 * @param state {@code queued}, {@code running}, {@code done}, {@code failed} or
 * {@code cancelled}
 * @param phase of a running job: {@code loading} while it waits for a worker to load its
 * version (the job holds it loaded), then {@code explaining} (an explanation job) or
 * {@code computing} (another kind); {@code null} otherwise
 * @param rowsDone rows explained (or, for a fairness check, predicted) so far (updated at
 * every chunk)
 * @param rowsTotal rows the job explains (known once it runs)
 * @param error why it failed, or {@code null}
 * @param reportId the explainability report, once an explanation job is done
 * @param fairnessReportId the fairness report, once a fairness check is done
 * @param profileReportId the reference profile ({@code drift_reference_profiles}), once a
 * profile job is done
 * @param attempt 1, then one more for every retry (and every re-queue after a lost lease)
 * @param parameters every parameter the report is computed with
 * @param createdBy who asked for it ({@code system} for the automatic jobs)
 * @param createdAt when it was queued
 * @param startedAt when its current attempt started
 * @param finishedAt when it ended
 */
public record ExplainabilityJob(UUID id, String kind, String model, String version, UUID datasetId, String state,
		String phase, long rowsDone, Long rowsTotal, String error, UUID reportId, UUID fairnessReportId,
		UUID profileReportId, int attempt, JsonNode parameters, String createdBy, Instant createdAt, Instant startedAt,
		Instant finishedAt) {
}
