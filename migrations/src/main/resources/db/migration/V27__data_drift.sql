-- Data drift (platform-api module monitoring; docs/monitoring.md#data-drift). Only aggregates are stored: bin edges and
-- categories of the reference data, and counts in those bins from live traffic. No raw request value, answer or text
-- is stored here.

-- A third kind of job in the report queue: a version's reference profile, computed from its reference dataset and the
-- version's predictions of it. Its result is in drift_reference_profiles.
ALTER TABLE explainability_jobs DROP CONSTRAINT explainability_jobs_kind_valid;
ALTER TABLE explainability_jobs ADD CONSTRAINT explainability_jobs_kind_valid
    CHECK (kind IN ('explanation', 'fairness', 'profile'));
ALTER TABLE explainability_jobs ADD COLUMN profile_report_id uuid;
ALTER TABLE explainability_jobs DROP CONSTRAINT explainability_jobs_done_has_report;
ALTER TABLE explainability_jobs ADD CONSTRAINT explainability_jobs_done_has_report
    CHECK ((state = 'done') = (COALESCE(report_id, fairness_report_id, profile_report_id) IS NOT NULL));
ALTER TABLE explainability_jobs DROP CONSTRAINT explainability_jobs_report_of_kind;
ALTER TABLE explainability_jobs ADD CONSTRAINT explainability_jobs_report_of_kind
    CHECK ((kind = 'explanation' OR report_id IS NULL) AND (kind = 'fairness' OR fairness_report_id IS NULL)
        AND (kind = 'profile' OR profile_report_id IS NULL));

-- Reference profiles: per input feature its kind and bins (numeric: quantile edges; categorical: the categories seen
-- at least k times; text: token-count edges and hash buckets) with the reference's counts, and the same for the
-- prediction (class and score). layout_size is the length of the count vector of every live chunk of the profile.
-- A new profile of a version (a re-run, another dataset) is a new row; the newest is the one in force.
CREATE TABLE drift_reference_profiles (
    id              uuid        PRIMARY KEY,
    model           text        NOT NULL,
    version         bigint      NOT NULL,
    dataset_id      uuid        NOT NULL REFERENCES reference_datasets (id),
    dataset_sha256  text        NOT NULL,
    model_sha256    text,
    layout_size     integer     NOT NULL CHECK (layout_size > 0),
    profile         jsonb       NOT NULL CHECK (jsonb_typeof(profile) = 'object'),
    created_by      text        NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX drift_reference_profiles_version ON drift_reference_profiles (model, version, created_at DESC);

-- Live profiles: per model version, reference profile and chunk (its first instant, UTC; chunks of
-- warden.monitoring.drift.chunk), counts in exactly the profile's bins, added up by every gateway replica's flush
-- (INSERT ... ON CONFLICT DO UPDATE with element-wise sums), so a row is the sum over all replicas.
-- samples:        answers observed and counted (rows of the requests, not requests).
-- requests:       requests observed and counted.
-- skipped:        requests not observed because the observation queue was full (so sample sizes stay honest).
-- counts:         the count vector; its layout is the profile's (docs/monitoring.md).
-- new_categories: {"<feature>": {"<value>": count}} for categorical values the reference does not have, only those
--                 seen at least k times in one replica's flush of the chunk; the rest are in the feature's "other".
CREATE TABLE drift_live_chunks (
    model           text        NOT NULL,
    version         bigint      NOT NULL,
    profile_id      uuid        NOT NULL REFERENCES drift_reference_profiles (id) ON DELETE CASCADE,
    chunk           timestamptz NOT NULL,
    requests        bigint      NOT NULL CHECK (requests >= 0),
    samples         bigint      NOT NULL CHECK (samples >= 0),
    skipped         bigint      NOT NULL CHECK (skipped >= 0),
    counts          bigint[]    NOT NULL,
    new_categories  jsonb       NOT NULL CHECK (jsonb_typeof(new_categories) = 'object'),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, version, profile_id, chunk)
);
CREATE INDEX drift_live_chunks_chunk ON drift_live_chunks USING brin (chunk);

-- {"<feature>": {"<value>": count}} added key-wise, two levels deep.
CREATE FUNCTION drift_add_categories(a jsonb, b jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(jsonb_object_agg(feature, serving_add_counts(coalesce(a -> feature, '{}'::jsonb),
                                                                 coalesce(b -> feature, '{}'::jsonb))), '{}'::jsonb)
    FROM (SELECT jsonb_object_keys(a) AS feature UNION SELECT jsonb_object_keys(b)) AS f
$$;

-- policies/monitoring.yaml as loaded, one row per distinct content (audited as monitoring.policy.reloaded).
CREATE TABLE monitoring_policy_versions (
    id         bigserial   PRIMARY KEY,
    sha256     text        NOT NULL,
    source     text        NOT NULL,
    policy     jsonb       NOT NULL,
    loaded_at  timestamptz NOT NULL DEFAULT now()
);
