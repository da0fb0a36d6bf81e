-- Routing over inference worker replicas.
--
-- worker_registrations: workers that register themselves with heartbeats (POST /internal/platform/workers/heartbeat).
-- Every gateway replica reads the live rows (expires_at > now(), the database clock, so replicas agree); a row
-- expires when three heartbeats in a row are missed. models holds what the worker reported as AVAILABLE:
-- {"<model>": {"versions": [1, 2], "labels": {"stable": 1}}}.
CREATE TABLE worker_registrations (
    worker_id           text        PRIMARY KEY,
    url                 text        NOT NULL,
    models              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    heartbeat_interval  interval    NOT NULL,
    registered_at       timestamptz NOT NULL DEFAULT now(),
    last_heartbeat_at   timestamptz NOT NULL DEFAULT now(),
    expires_at          timestamptz NOT NULL,
    CONSTRAINT worker_registrations_id_valid CHECK (worker_id ~ '^[A-Za-z0-9._-]{1,64}$')
);

CREATE INDEX worker_registrations_expires ON worker_registrations (expires_at);

-- model_routes: which version answers a call that names no version. stable_version NULL = whatever the worker
-- serves as latest; a canary sends canary_weight percent of those calls (chosen by request id) to canary_version.
CREATE TABLE model_routes (
    model_id        uuid        PRIMARY KEY REFERENCES models (id) ON DELETE CASCADE,
    stable_version  bigint,
    canary_version  bigint,
    canary_weight   integer     NOT NULL DEFAULT 0,
    updated_at      timestamptz NOT NULL DEFAULT now(),
    updated_by      text        NOT NULL,
    CONSTRAINT model_routes_weight_range CHECK (canary_weight BETWEEN 0 AND 100),
    CONSTRAINT model_routes_canary_complete CHECK ((canary_version IS NULL) = (canary_weight = 0)),
    CONSTRAINT model_routes_versions_positive CHECK (coalesce(stable_version, 0) >= 0 AND coalesce(canary_version, 0) >= 0)
);

-- model_pins: a tenant or one API key always gets one version of a model (wins over the canary; a key's pin wins
-- over its tenant's).
CREATE TABLE model_pins (
    model_id      uuid        NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    subject_type  text        NOT NULL,
    subject_id    uuid        NOT NULL,
    version       bigint      NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    created_by    text        NOT NULL,
    PRIMARY KEY (model_id, subject_id),
    CONSTRAINT model_pins_subject_type CHECK (subject_type IN ('tenant', 'api_key')),
    CONSTRAINT model_pins_version_positive CHECK (version >= 0)
);
