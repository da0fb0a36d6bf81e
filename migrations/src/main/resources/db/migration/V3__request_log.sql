-- One row per data-plane request. Metadata is in clear; payloads are encrypted with the tenant's data key
-- (Tink AEAD, associated data = "warden-request-log:" || request_id || ":request" / ":response").
-- Payloads are NULL when the tenant is unknown (e.g. 401) or the body was empty.
CREATE TABLE request_log (
    id                uuid        PRIMARY KEY,
    request_id        text        NOT NULL,
    occurred_at       timestamptz NOT NULL,
    tenant_id         uuid        REFERENCES tenants (id),
    api_key_id        uuid        REFERENCES api_keys (id),
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
    CONSTRAINT request_log_status_valid CHECK (status BETWEEN 100 AND 599),
    CONSTRAINT request_log_sizes_valid CHECK (request_bytes >= 0 AND response_bytes >= 0 AND latency_micros >= 0),
    CONSTRAINT request_log_payload_needs_tenant CHECK (
        tenant_id IS NOT NULL OR (request_payload IS NULL AND response_payload IS NULL))
);

CREATE INDEX request_log_tenant_time_idx ON request_log (tenant_id, occurred_at DESC);
CREATE INDEX request_log_time_idx ON request_log (occurred_at DESC);
CREATE INDEX request_log_request_id_idx ON request_log (request_id);
