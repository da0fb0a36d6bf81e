-- Tenants: each owns a data key (a Tink AES256_GCM keyset) stored encrypted under the master key
-- with associated data = the tenant id (UTF-8 of its canonical UUID string).
CREATE TABLE tenants (
    id          uuid        PRIMARY KEY,
    name        text        NOT NULL,
    plan        text        NOT NULL DEFAULT 'free',
    status      text        NOT NULL DEFAULT 'active',
    data_key    bytea       NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT tenants_name_unique UNIQUE (name),
    CONSTRAINT tenants_name_valid CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    CONSTRAINT tenants_plan_format CHECK (plan ~ '^[a-z0-9_-]{1,32}$'),
    CONSTRAINT tenants_status_valid CHECK (status IN ('active', 'suspended'))
);

-- API keys: the raw key (wdn_<key_id>_<secret>) is never stored; only its SHA-256 hash.
CREATE TABLE api_keys (
    id            uuid        PRIMARY KEY,
    tenant_id     uuid        NOT NULL REFERENCES tenants (id),
    key_id        text        NOT NULL,
    key_hash      bytea       NOT NULL,
    prefix        text        NOT NULL,
    name          text        NOT NULL,
    status        text        NOT NULL DEFAULT 'active',
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    CONSTRAINT api_keys_key_id_unique UNIQUE (key_id),
    CONSTRAINT api_keys_key_id_format CHECK (key_id ~ '^[A-Za-z0-9]{12}$'),
    CONSTRAINT api_keys_hash_length CHECK (octet_length(key_hash) = 32),
    CONSTRAINT api_keys_status_valid CHECK (status IN ('active', 'revoked')),
    CONSTRAINT api_keys_revoked_consistent CHECK ((status = 'revoked') = (revoked_at IS NOT NULL)),
    CONSTRAINT api_keys_name_not_blank CHECK (length(btrim(name)) > 0)
);

CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id);
