-- Usage metering: request counts and volumes per tenant, API key, model, UTC day and outcome. Every gateway
-- replica aggregates in memory and adds its deltas every few seconds with one INSERT ... ON CONFLICT DO UPDATE,
-- so the rows are the sum over all replicas.
-- model:   '' when the call names no model (listing, health, usage).
-- outcome: '' for an answer below 400, else the error code the request log records (e.g. rate_limited,
--          model_not_found, worker_unavailable); 4xx outcomes are rejections, 5xx outcomes are errors.
-- rows:    rows (instances) of predict/infer requests answered 2xx.
CREATE TABLE usage_daily (
    day                 date        NOT NULL,
    tenant_id           uuid        NOT NULL REFERENCES tenants (id),
    api_key_id          uuid        NOT NULL REFERENCES api_keys (id),
    model               text        NOT NULL,
    outcome             text        NOT NULL,
    requests            bigint      NOT NULL,
    errors              bigint      NOT NULL,
    rows                bigint      NOT NULL,
    request_bytes       bigint      NOT NULL,
    response_bytes      bigint      NOT NULL,
    latency_micros_sum  bigint      NOT NULL,
    latency_micros_max  bigint      NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, day, api_key_id, model, outcome),
    CONSTRAINT usage_daily_counts_valid CHECK (requests >= 0 AND errors >= 0 AND rows >= 0
        AND request_bytes >= 0 AND response_bytes >= 0 AND latency_micros_sum >= 0 AND latency_micros_max >= 0)
);
