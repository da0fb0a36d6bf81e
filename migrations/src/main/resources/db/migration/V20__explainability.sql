-- Explainability reports (platform-api module explainability; docs/explainability.md).

-- When the catalogue first saw a version AVAILABLE on a worker: set once, never cleared. The transition from NULL is
-- what queues a version's first explainability report job (trained, uploaded and discovered versions alike). Versions
-- that were AVAILABLE before this migration count as new at the first sync after it.
ALTER TABLE model_versions ADD COLUMN first_available_at timestamptz;

-- Reference datasets: rows a model's reports are computed on, one or more per model. The rows are kept only
-- encrypted, in chunks (reference_dataset_chunks), under a data keyset of the dataset's own (AES256_GCM, Tink),
-- wrapped by the key-encryption key like the tenants' data keys. Deleting a dataset destroys its keyset and its
-- chunks (crypto-shredding); the row stays as a tombstone (deleted_at) so that reports and jobs keep its digest.
CREATE TABLE reference_datasets (
    id          uuid        PRIMARY KEY,
    model       text        NOT NULL,
    name        text        NOT NULL,
    source      text        NOT NULL,
    -- [{"name": "age", "dtype": "DT_FLOAT"}, ...] in the order of the stored rows
    columns     jsonb       NOT NULL,
    row_count   bigint      NOT NULL,
    chunk_count integer     NOT NULL,
    -- SHA-256 of the bytes received (an upload) or of the shipped CSV as the worker streamed it (decompressed)
    sha256      text        NOT NULL,
    data_key    bytea,
    kek_id      text        NOT NULL,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    deleted_at  timestamptz,
    deleted_by  text,
    CONSTRAINT reference_datasets_source_valid CHECK (source IN ('upload', 'shipped')),
    CONSTRAINT reference_datasets_columns_array CHECK (jsonb_typeof(columns) = 'array'),
    CONSTRAINT reference_datasets_counts_valid CHECK (row_count >= 0 AND chunk_count >= 0),
    CONSTRAINT reference_datasets_key_or_deleted CHECK ((data_key IS NULL) = (deleted_at IS NOT NULL))
);

-- a name is taken once per model among the datasets that are not deleted
CREATE UNIQUE INDEX reference_datasets_live_name ON reference_datasets (model, name) WHERE deleted_at IS NULL;
CREATE INDEX reference_datasets_model ON reference_datasets (model, created_at);

-- ciphertext = Tink AEAD of the chunk's rows, associated data "warden-reference-dataset/1:<dataset id>:<chunk_no>"
CREATE TABLE reference_dataset_chunks (
    dataset_id  uuid    NOT NULL REFERENCES reference_datasets (id),
    chunk_no    integer NOT NULL,
    row_count   integer NOT NULL,
    ciphertext  bytea   NOT NULL,
    PRIMARY KEY (dataset_id, chunk_no),
    CONSTRAINT reference_dataset_chunks_valid CHECK (chunk_no >= 0 AND row_count > 0)
);

-- Report jobs. A runner on any gateway replica claims a queued job (SELECT ... FOR UPDATE SKIP LOCKED), holds it
-- with a lease it renews while it works, and fences every later write with claim_token; a running job whose lease
-- expired (its replica died) is queued again.
CREATE TABLE explainability_jobs (
    id               uuid        PRIMARY KEY,
    model            text        NOT NULL,
    version          bigint      NOT NULL,
    dataset_id       uuid        NOT NULL REFERENCES reference_datasets (id),
    parameters       jsonb       NOT NULL,
    state            text        NOT NULL,
    rows_done        bigint      NOT NULL DEFAULT 0,
    rows_total       bigint,
    error            text,
    report_id        uuid,
    attempt          integer     NOT NULL DEFAULT 1,
    cancel_requested boolean     NOT NULL DEFAULT false,
    -- set for jobs queued automatically: one per (model, version, dataset, parameters)
    auto_key         text,
    created_by       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    started_at       timestamptz,
    finished_at      timestamptz,
    -- the gateway replica and runner that holds (or last held) the job
    runner           text,
    claim_token      uuid,
    lease_expires_at timestamptz,
    CONSTRAINT explainability_jobs_state_valid
        CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    CONSTRAINT explainability_jobs_version_positive CHECK (version >= 0),
    CONSTRAINT explainability_jobs_attempt_positive CHECK (attempt >= 1),
    CONSTRAINT explainability_jobs_rows_valid CHECK (rows_done >= 0 AND (rows_total IS NULL OR rows_total >= 0)),
    CONSTRAINT explainability_jobs_running_leased
        CHECK (state <> 'running' OR (claim_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CONSTRAINT explainability_jobs_done_has_report CHECK ((state = 'done') = (report_id IS NOT NULL)),
    CONSTRAINT explainability_jobs_auto_key_unique UNIQUE (auto_key)
);

CREATE INDEX explainability_jobs_queue ON explainability_jobs (created_at, id) WHERE state = 'queued';
CREATE INDEX explainability_jobs_running ON explainability_jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX explainability_jobs_list ON explainability_jobs (created_at DESC, id);
CREATE INDEX explainability_jobs_version ON explainability_jobs (model, version);

-- Reports: immutable. content_sha256 is the SHA-256 of the canonical JSON of content, which holds everything that
-- defines the report (model and dataset digests, method, seed, sample size, parameters, results) and nothing that
-- differs between two runs of the same job (no id, time or job id), so a rerun with the same seed reproduces it.
CREATE TABLE explainability_reports (
    id              uuid        PRIMARY KEY,
    model           text        NOT NULL,
    version         bigint      NOT NULL,
    dataset_id      uuid        NOT NULL REFERENCES reference_datasets (id),
    dataset_sha256  text        NOT NULL,
    model_sha256    text,
    method          text        NOT NULL,
    seed            bigint      NOT NULL,
    sample_size     bigint      NOT NULL,
    parameters      jsonb       NOT NULL,
    content         jsonb       NOT NULL,
    content_sha256  text        NOT NULL,
    created_at      timestamptz NOT NULL,
    job_id          uuid        NOT NULL REFERENCES explainability_jobs (id)
);

CREATE INDEX explainability_reports_version ON explainability_reports (model, version, created_at DESC);

ALTER TABLE explainability_jobs
    ADD CONSTRAINT explainability_jobs_report_fk FOREIGN KEY (report_id) REFERENCES explainability_reports (id);

-- Rows of explainability_reports are written once: UPDATE, DELETE and TRUNCATE are refused.
CREATE FUNCTION explainability_reports_immutable() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'explainability reports are immutable (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER explainability_reports_no_update
    BEFORE UPDATE OR DELETE ON explainability_reports
    FOR EACH ROW EXECUTE FUNCTION explainability_reports_immutable();

CREATE TRIGGER explainability_reports_no_truncate
    BEFORE TRUNCATE ON explainability_reports
    FOR EACH STATEMENT EXECUTE FUNCTION explainability_reports_immutable();
