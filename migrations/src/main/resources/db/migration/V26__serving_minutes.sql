-- Serving health: per-minute aggregates of the data plane per tenant, model and answering version. Every gateway
-- replica counts in memory and adds its deltas every few seconds (warden.monitoring.serving.flush-interval) with one
-- INSERT ... ON CONFLICT DO UPDATE that adds counts, histograms element-wise and code -> count maps key-wise, so the
-- rows are the sum over all replicas. No payload, key id, request id or client address is stored here.
-- minute:           the first instant of the UTC minute the request arrived in.
-- version:          the version that answered (X-Model-Version), '' when none did (refused by the gateway, no worker).
-- status_Nxx:       answers by status class.
-- errors:           {"<error code>": count} of the answers with an error code (4xx and 5xx).
-- quota_rejections: {"<limit>": count} of the calls a quota refused (rate, key_monthly, monthly, rows, bytes).
-- latency_buckets:  43 counts of a fixed log-spaced histogram of latency_micros (arrival to the request-log row);
--                   bucket k < 41 holds latencies up to round(50 * 2^(k/2)) microseconds (50 us ... 52.4 s), bucket
--                   41 up to 60 s, bucket 42 everything longer (docs/monitoring.md).
-- rows_*:           rows (instances) of predict/classify/regress/infer/explain requests as counted by the row-limit
--                   check: how many requests had them counted, their sum and maximum.
-- No foreign key to tenants: tenants are never deleted, and a per-row check on every flushed row buys nothing the
-- gateway (which writes only verified tenant ids) does not already guarantee.
CREATE TABLE serving_minutes (
    minute              timestamptz NOT NULL,
    tenant_id           uuid        NOT NULL,
    model               text        NOT NULL,
    version             text        NOT NULL,
    requests            bigint      NOT NULL,
    status_1xx          bigint      NOT NULL,
    status_2xx          bigint      NOT NULL,
    status_3xx          bigint      NOT NULL,
    status_4xx          bigint      NOT NULL,
    status_5xx          bigint      NOT NULL,
    errors              jsonb       NOT NULL,
    quota_rejections    jsonb       NOT NULL,
    latency_buckets     bigint[]    NOT NULL,
    latency_micros_sum  bigint      NOT NULL,
    latency_micros_max  bigint      NOT NULL,
    rows_requests       bigint      NOT NULL,
    rows_sum            bigint      NOT NULL,
    rows_max            bigint      NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, minute, tenant_id, version),
    CONSTRAINT serving_minutes_whole_minute CHECK (mod(extract(epoch FROM minute), 60) = 0),
    CONSTRAINT serving_minutes_histogram CHECK (cardinality(latency_buckets) = 43),
    CONSTRAINT serving_minutes_maps CHECK (jsonb_typeof(errors) = 'object' AND jsonb_typeof(quota_rejections) = 'object'),
    CONSTRAINT serving_minutes_counts_valid CHECK (requests >= 0 AND status_1xx >= 0 AND status_2xx >= 0
        AND status_3xx >= 0 AND status_4xx >= 0 AND status_5xx >= 0 AND latency_micros_sum >= 0
        AND latency_micros_max >= 0 AND rows_requests >= 0 AND rows_sum >= 0 AND rows_max >= 0)
);

-- Retention deletes by minute (WHERE minute < cutoff) once a day; rows arrive roughly in minute order, so a BRIN
-- index finds them without the write cost of a B-tree on every flush.
CREATE INDEX serving_minutes_minute ON serving_minutes USING brin (minute);

-- Element-wise sum of two count arrays (a missing element counts as 0).
CREATE FUNCTION serving_add_buckets(a bigint[], b bigint[]) RETURNS bigint[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
    FROM unnest(a, b) WITH ORDINALITY AS t(x, y, i)
$$;

-- Key-wise sum of two {"key": count} objects.
CREATE FUNCTION serving_add_counts(a jsonb, b jsonb) RETURNS jsonb
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT coalesce(jsonb_object_agg(key, total), '{}'::jsonb)
    FROM (SELECT key, sum(value::bigint) AS total
          FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS e
          GROUP BY key) AS s
$$;
