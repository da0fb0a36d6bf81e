-- The console's shared state (platform-api module consolestate; docs/security.md#console-state). The console does
-- not reach PostgreSQL; every console replica keeps here, through platform-api's internal API, what the replicas
-- must share. Secrets and session contents are stored encrypted with the master AEAD (the key-encryption key named
-- by kek_id), with associated data that binds each value to its row.

-- The embedded authorization server's signing keys (RSA, RS256). private_jwk: the private JWK (JSON), encrypted with
-- associated data 'warden-console-signing-key:' || kid. A key signs from activates_at on (it is published before);
-- retires_at is set when its successor activates, and the row is deleted once retires_at is past.
CREATE TABLE console_signing_keys (
    kid          text        PRIMARY KEY,
    private_jwk  bytea       NOT NULL,
    kek_id       text        NOT NULL,
    created_at   timestamptz NOT NULL,
    activates_at timestamptz NOT NULL,
    retires_at   timestamptz,
    CHECK (retires_at IS NULL OR retires_at > activates_at)
);
CREATE INDEX console_signing_keys_activates ON console_signing_keys (activates_at);

-- HTTP sessions, by sid = lowercase hex SHA-256 of the session id (the id itself never leaves the console).
-- attributes: the console's serialized attribute map, encrypted with associated data 'warden-console-session:' || sid.
CREATE TABLE console_sessions (
    sid                  text        PRIMARY KEY CHECK (sid ~ '^[0-9a-f]{64}$'),
    principal            text,
    created_at           timestamptz NOT NULL,
    last_accessed_at     timestamptz NOT NULL,
    max_inactive_seconds integer     NOT NULL CHECK (max_inactive_seconds > 0),
    expires_at           timestamptz NOT NULL,
    attributes           bytea       NOT NULL,
    kek_id               text        NOT NULL
);
CREATE INDEX console_sessions_expires ON console_sessions (expires_at);

-- OAuth2 authorizations of the embedded authorization server. data: the console's serialized authorization,
-- encrypted with associated data 'warden-console-authorization:' || id.
CREATE TABLE console_authorizations (
    id                   text        PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9._-]{1,100}$'),
    registered_client_id text        NOT NULL,
    principal            text        NOT NULL,
    expires_at           timestamptz NOT NULL,
    data                 bytea       NOT NULL,
    kek_id               text        NOT NULL,
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_authorizations_expires ON console_authorizations (expires_at);

-- Lowercase hex SHA-256 of every token value an authorization has (state, code, access, refresh, ID token, device and
-- user codes): finds an authorization by a token without storing the token. A hash belongs to one authorization.
CREATE TABLE console_authorization_tokens (
    token_hash       text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    authorization_id text NOT NULL REFERENCES console_authorizations (id) ON DELETE CASCADE
);
CREATE INDEX console_authorization_tokens_authorization ON console_authorization_tokens (authorization_id);
