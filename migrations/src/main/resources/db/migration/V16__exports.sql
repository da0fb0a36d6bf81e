-- Compliance exports (audit trail, request-log metadata). The export file is streamed to the client and not kept;
-- this row keeps what was asked and, once the last byte is written, the signed manifest (SHA-256 of the file, row
-- count, audit chain head) that lets anyone verify the file offline with the installation's public key.
CREATE TABLE exports (
    id            uuid        PRIMARY KEY,
    export_type   text        NOT NULL,
    format        text        NOT NULL,
    tenant_id     uuid        REFERENCES tenants (id),
    range_from    timestamptz NOT NULL,
    range_to      timestamptz NOT NULL,
    requested_by  text        NOT NULL,
    requested_at  timestamptz NOT NULL,
    status        text        NOT NULL,
    completed_at  timestamptz,
    row_count     bigint,
    sha256        text,
    manifest      text,
    failure       text,
    CONSTRAINT exports_type_valid CHECK (export_type IN ('audit', 'request-log')),
    CONSTRAINT exports_format_valid CHECK (format IN ('csv', 'ndjson', 'pdf')),
    CONSTRAINT exports_range_valid CHECK (range_from < range_to),
    CONSTRAINT exports_status_valid CHECK (status IN ('running', 'completed', 'failed')),
    CONSTRAINT exports_completed_has_manifest CHECK ((status = 'completed') = (manifest IS NOT NULL))
);

CREATE INDEX exports_requested_at_idx ON exports (requested_at DESC);
