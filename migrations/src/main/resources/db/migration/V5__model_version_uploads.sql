-- Versions uploaded through the admin API (POST /api/admin/models/{model}/versions). Versions found in the
-- model store by other means (e.g. `warden train`) keep these columns NULL. The catalogue sync from the worker
-- never writes them, so it cannot clobber what the upload recorded.
ALTER TABLE model_versions
    ADD COLUMN sha256       text,
    ADD COLUMN size_bytes   bigint,
    ADD COLUMN uploaded_by  text,
    ADD COLUMN uploaded_at  timestamptz,
    ADD COLUMN archive_format text,
    ADD CONSTRAINT model_versions_sha256_format CHECK (sha256 IS NULL OR sha256 ~ '^[0-9a-f]{64}$'),
    ADD CONSTRAINT model_versions_size_valid CHECK (size_bytes IS NULL OR size_bytes > 0),
    ADD CONSTRAINT model_versions_archive_format_valid CHECK (archive_format IS NULL OR archive_format IN ('zip', 'tar.gz')),
    ADD CONSTRAINT model_versions_upload_complete CHECK (
        (sha256 IS NULL AND size_bytes IS NULL AND uploaded_by IS NULL AND uploaded_at IS NULL AND archive_format IS NULL)
        OR (sha256 IS NOT NULL AND size_bytes IS NOT NULL AND uploaded_by IS NOT NULL AND uploaded_at IS NOT NULL
            AND archive_format IS NOT NULL));
