-- The model store in PostgreSQL (module model; docs/models.md#sharing-versions-between-machines): the archive of
-- every model version, so that workers on other machines fetch it from the platform instead of reading a shared
-- directory. A version is written once (by the upload that numbers it, or by the import of a version found in a
-- gateway's directory store) and never changed; the primary key makes two gateways that pick the same number fail
-- instead of storing two different archives under one version.
-- sha256, size_bytes: of the archive (a deterministic zip of the version directory), not of the uploaded file.
CREATE TABLE model_store_archives (
    model        text        NOT NULL,
    version      bigint      NOT NULL,
    sha256       text        NOT NULL,
    size_bytes   bigint      NOT NULL,
    chunks       integer     NOT NULL,
    source       text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, version),
    CONSTRAINT model_store_archives_version_valid CHECK (version >= 0),
    CONSTRAINT model_store_archives_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    CONSTRAINT model_store_archives_size_valid CHECK (size_bytes > 0),
    CONSTRAINT model_store_archives_chunks_valid CHECK (chunks > 0),
    CONSTRAINT model_store_archives_source_valid CHECK (source IN ('upload', 'import'))
);

-- The archive's bytes in chunks of at most 1 MiB (seq 0, 1, ...), so that storing and serving a version hold one
-- chunk in memory at a time. The archive is already compressed: kept out of line without another compression.
CREATE TABLE model_store_chunks (
    model    text    NOT NULL,
    version  bigint  NOT NULL,
    seq      integer NOT NULL,
    data     bytea   NOT NULL,
    PRIMARY KEY (model, version, seq),
    FOREIGN KEY (model, version) REFERENCES model_store_archives (model, version) ON DELETE CASCADE,
    CONSTRAINT model_store_chunks_seq_valid CHECK (seq >= 0),
    CONSTRAINT model_store_chunks_size_valid CHECK (octet_length(data) BETWEEN 1 AND 1048576)
);
ALTER TABLE model_store_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
