-- Model catalogue, synchronised from the inference workers (GET /v1/models, /v1/models/{m}/metadata).
CREATE TABLE models (
    id             uuid        PRIMARY KEY,
    name           text        NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    discovered_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT models_name_unique UNIQUE (name)
);

CREATE TABLE model_versions (
    id              uuid        PRIMARY KEY,
    model_id        uuid        NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version         bigint      NOT NULL,
    state           text        NOT NULL,
    -- TF Serving shape: {"serving_default": {"inputs": {...}, "outputs": {...}, "method_name": "..."}}
    signature_defs  jsonb       NOT NULL DEFAULT '{}'::jsonb,
    created_at      timestamptz NOT NULL DEFAULT now(),
    discovered_at   timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT model_versions_unique UNIQUE (model_id, version),
    CONSTRAINT model_versions_version_positive CHECK (version >= 0)
);
