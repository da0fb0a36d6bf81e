-- Per-key quota overrides, stricter than the tenant's plan when they are set (NULL = the plan's value).
-- The gateway enforces min(plan, override) per field, so a plan lowered later still wins.
-- quota_updated_at: when the override last changed; it versions the key's Bucket4j configuration.
ALTER TABLE api_keys
    ADD COLUMN quota_requests_per_second  bigint,
    ADD COLUMN quota_burst                bigint,
    ADD COLUMN quota_requests_per_month   bigint,
    ADD COLUMN quota_max_request_bytes    bigint,
    ADD COLUMN quota_max_rows_per_request bigint,
    ADD COLUMN quota_updated_at           timestamptz,
    ADD CONSTRAINT api_keys_quota_positive CHECK (
        (quota_requests_per_second IS NULL OR quota_requests_per_second > 0)
        AND (quota_burst IS NULL OR quota_burst > 0)
        AND (quota_requests_per_month IS NULL OR quota_requests_per_month > 0)
        AND (quota_max_request_bytes IS NULL OR quota_max_request_bytes > 0)
        AND (quota_max_rows_per_request IS NULL OR quota_max_rows_per_request > 0)),
    ADD CONSTRAINT api_keys_quota_rate_pair CHECK (
        (quota_requests_per_second IS NULL) = (quota_burst IS NULL)
        AND (quota_burst IS NULL OR quota_burst >= quota_requests_per_second));

-- quota_buckets ids from now on (see V7): 'rate:<api key id>' (configuration versioned, not in the id),
-- 'month-count:<tenant id>:<yyyy-MM>' and 'key-month-count:<api key id>:<yyyy-MM>' (monthly counters).

-- Every distinct content of policies/quotas.yaml the gateways have loaded, newest last. A replica that loads a
-- file records it here under an advisory lock unless the newest row already has the same SHA-256, so a change is
-- recorded (and audited) once however many replicas reload it. loaded_at versions the Bucket4j configurations
-- derived from the plans.
CREATE TABLE quota_plan_versions (
    id        bigserial   PRIMARY KEY,
    sha256    text        NOT NULL,
    plans     jsonb       NOT NULL,
    loaded_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    CONSTRAINT quota_plan_versions_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$')
);
