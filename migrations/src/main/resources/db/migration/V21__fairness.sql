-- Fairness checks (platform-api module fairness; docs/governance.md).

-- Evaluation datasets are reference datasets that also carry a label and sensitive attributes. evaluation is NULL for
-- a dataset without them; otherwise
--   {"label": "<column>", "positive_label": "<value>",
--    "sensitive": [{"name": "sex", "reference": "Male"},
--                  {"name": "age", "bands": [25, 60], "reference": "25 to <60"}, ...]}
-- Every stored row holds the model's columns (reference_datasets.columns, in that order), then the label, then the
-- sensitive attributes in the order of "sensitive": the extra cells are never sent to a model.
ALTER TABLE reference_datasets ADD COLUMN evaluation jsonb;
ALTER TABLE reference_datasets ADD CONSTRAINT reference_datasets_evaluation_object
    CHECK (evaluation IS NULL OR jsonb_typeof(evaluation) = 'object');

-- One job queue for every kind of governance report: the explainability runner claims, leases, fences and cancels
-- fairness checks exactly as it does explanation reports. A fairness job's report is in fairness_reports.
ALTER TABLE explainability_jobs ADD COLUMN kind text NOT NULL DEFAULT 'explanation';
ALTER TABLE explainability_jobs ADD CONSTRAINT explainability_jobs_kind_valid
    CHECK (kind IN ('explanation', 'fairness'));
ALTER TABLE explainability_jobs DROP CONSTRAINT explainability_jobs_report_fk;
ALTER TABLE explainability_jobs DROP CONSTRAINT explainability_jobs_done_has_report;
ALTER TABLE explainability_jobs ADD COLUMN fairness_report_id uuid;
ALTER TABLE explainability_jobs ADD CONSTRAINT explainability_jobs_done_has_report
    CHECK ((state = 'done') = (COALESCE(report_id, fairness_report_id) IS NOT NULL));
ALTER TABLE explainability_jobs ADD CONSTRAINT explainability_jobs_report_of_kind
    CHECK ((kind = 'explanation' OR report_id IS NULL) AND (kind = 'fairness' OR fairness_report_id IS NULL));
ALTER TABLE explainability_jobs
    ADD CONSTRAINT explainability_jobs_report_fk FOREIGN KEY (report_id) REFERENCES explainability_reports (id);

-- Fairness reports: immutable, like explainability reports. content_sha256 is the SHA-256 of the canonical JSON of
-- content, which holds everything that defines the report (model and dataset digests, threshold, seed, resamples,
-- software version, results) and nothing that differs between two runs (no id, time or job id).
CREATE TABLE fairness_reports (
    id              uuid             PRIMARY KEY,
    model           text             NOT NULL,
    version         bigint           NOT NULL,
    dataset_id      uuid             NOT NULL REFERENCES reference_datasets (id),
    dataset_sha256  text             NOT NULL,
    model_sha256    text,
    threshold       double precision NOT NULL,
    seed            bigint           NOT NULL,
    parameters      jsonb            NOT NULL,
    content         jsonb            NOT NULL,
    content_sha256  text             NOT NULL,
    created_at      timestamptz      NOT NULL,
    job_id          uuid             NOT NULL REFERENCES explainability_jobs (id),
    CONSTRAINT fairness_reports_threshold_valid CHECK (threshold >= 0 AND threshold <= 1)
);

CREATE INDEX fairness_reports_version ON fairness_reports (model, version, created_at DESC);

ALTER TABLE explainability_jobs
    ADD CONSTRAINT explainability_jobs_fairness_report_fk
        FOREIGN KEY (fairness_report_id) REFERENCES fairness_reports (id);

CREATE FUNCTION governance_report_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are immutable (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER fairness_reports_no_update
    BEFORE UPDATE OR DELETE ON fairness_reports
    FOR EACH ROW EXECUTE FUNCTION governance_report_immutable();

CREATE TRIGGER fairness_reports_no_truncate
    BEFORE TRUNCATE ON fairness_reports
    FOR EACH STATEMENT EXECUTE FUNCTION governance_report_immutable();
