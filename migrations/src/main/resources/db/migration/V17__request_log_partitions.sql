-- request_log becomes a table partitioned by month (PARTITION BY RANGE (occurred_at)), so that retention drops
-- whole months (DROP of a partition: no DELETE, no bloat, no vacuum) instead of deleting rows.
--
-- Partitions: request_log_YYYY_MM holds [first instant of the month UTC, first instant of the next month UTC).
-- This migration creates one for every month the existing rows fall in, plus the current and the next month;
-- platform-api creates the following months ahead (at start-up and daily). request_log_default catches a row
-- whose month has no partition yet (so a write never fails for want of a partition); platform-api reports rows
-- found there and moves them into their month's partition when it creates it.
--
-- The primary key must contain the partition key: it is (id, occurred_at). id stays a random UUID made by the
-- writer, so it is still unique in practice; reads by id alone use each partition's primary-key index.
-- No foreign key references request_log.

LOCK TABLE request_log IN ACCESS EXCLUSIVE MODE;

CREATE TABLE request_log_partitioned (
    id                uuid        NOT NULL,
    request_id        text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    tenant_id         uuid        CONSTRAINT request_log_tenant_id_fkey REFERENCES tenants (id),
    api_key_id        uuid        CONSTRAINT request_log_api_key_id_fkey REFERENCES api_keys (id),
    model             text,
    model_version     text,
    method            text        NOT NULL,
    path              text        NOT NULL,
    status            integer     NOT NULL,
    latency_micros    bigint      NOT NULL,
    request_bytes     bigint      NOT NULL DEFAULT 0,
    response_bytes    bigint      NOT NULL DEFAULT 0,
    error_code        text,
    request_payload   bytea,
    response_payload  bytea,
    redactions        integer,
    CONSTRAINT request_log_status_valid CHECK (status BETWEEN 100 AND 599),
    CONSTRAINT request_log_sizes_valid CHECK (request_bytes >= 0 AND response_bytes >= 0 AND latency_micros >= 0),
    CONSTRAINT request_log_payload_needs_tenant CHECK (
        tenant_id IS NOT NULL OR (request_payload IS NULL AND response_payload IS NULL)),
    CONSTRAINT request_log_redactions_valid CHECK (redactions IS NULL OR redactions >= 0)
) PARTITION BY RANGE (occurred_at);

-- the months of the existing rows, the current month and the next one (UTC)
DO $$
DECLARE
    month timestamp;
BEGIN
    FOR month IN
        SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE 'UTC') FROM request_log
        UNION
        SELECT date_trunc('month', now() AT TIME ZONE 'UTC')
        UNION
        SELECT date_trunc('month', now() AT TIME ZONE 'UTC') + interval '1 month'
        ORDER BY 1
    LOOP
        EXECUTE format('CREATE TABLE %I PARTITION OF request_log_partitioned FOR VALUES FROM (%L) TO (%L)',
            'request_log_' || to_char(month, 'YYYY_MM'),
            to_char(month, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
            to_char(month + interval '1 month', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'));
    END LOOP;
END
$$;

CREATE TABLE request_log_default PARTITION OF request_log_partitioned DEFAULT;

INSERT INTO request_log_partitioned (id, request_id, occurred_at, tenant_id, api_key_id, model, model_version,
        method, path, status, latency_micros, request_bytes, response_bytes, error_code, request_payload,
        response_payload, redactions)
    SELECT id, request_id, occurred_at, tenant_id, api_key_id, model, model_version, method, path, status,
        latency_micros, request_bytes, response_bytes, error_code, request_payload, response_payload, redactions
    FROM request_log;

DROP TABLE request_log;

ALTER TABLE request_log_partitioned RENAME TO request_log;

-- indexes after the copy (cheaper); each is created on every partition, present and future
ALTER TABLE request_log ADD CONSTRAINT request_log_pkey PRIMARY KEY (id, occurred_at);
CREATE INDEX request_log_tenant_time_idx ON request_log (tenant_id, occurred_at DESC);
CREATE INDEX request_log_time_idx ON request_log (occurred_at DESC);
CREATE INDEX request_log_request_id_idx ON request_log (request_id);

ANALYZE request_log;
