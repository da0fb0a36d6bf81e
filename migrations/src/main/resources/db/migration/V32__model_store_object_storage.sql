-- The model store's archives in S3-compatible object storage (module model; docs/models.md#where-the-archives-live-postgresql-or-s3).
-- The row of every version stays here, whichever store holds its bytes, so numbering and the primary key's refusal of
-- a number taken twice are the same for both; archive_store says where the bytes are:
--   postgresql: in model_store_chunks (V31), chunks > 0;
--   s3:         one object in the configured bucket under object_key (content-addressed,
--               <prefix>/<model>/<version>/<sha256>.zip), no chunk rows, chunks = 0.
-- A gateway reads a version from the store its row names and writes new ones to the store it is configured with,
-- so a deployment that switches stores keeps serving the versions stored before.
ALTER TABLE model_store_archives
    ADD COLUMN archive_store text NOT NULL DEFAULT 'postgresql',
    ADD COLUMN object_key    text;

ALTER TABLE model_store_archives DROP CONSTRAINT model_store_archives_chunks_valid;

ALTER TABLE model_store_archives
    ADD CONSTRAINT model_store_archives_archive_store_valid CHECK (archive_store IN ('postgresql', 's3')),
    ADD CONSTRAINT model_store_archives_chunks_valid CHECK (
        (archive_store = 'postgresql' AND chunks > 0 AND object_key IS NULL)
        OR (archive_store = 's3' AND chunks = 0 AND object_key IS NOT NULL
            -- content-addressed: the key ends with <model>/<version>/<sha256>.zip of this row
            AND (object_key = model || '/' || version || '/' || sha256 || '.zip'
                 OR right(object_key, length(model || '/' || version || '/' || sha256 || '.zip') + 1)
                    = '/' || model || '/' || version || '/' || sha256 || '.zip')));
