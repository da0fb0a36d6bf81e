-- One source of truth for which model versions the workers load: the platform derives a desired state (per model the
-- aspired versions: stable, canary, pins, holds, or the newest versions of a model with no stable version) from these
-- tables and the catalogue, and the workers converge to it.
--
-- serving_state: the generation of the desired state, one row. A replica that derives a different document than the
-- one whose digest is stored takes the row lock, derives it again and, if it still differs, raises the generation and
-- stores the new digest. Workers ignore a document older than the one they follow, so an answer from a replica that
-- has not seen a change yet never undoes it. Generations are at least the database clock in microseconds, so a fresh
-- database (a new data directory) starts above anything a running worker may still follow.
CREATE TABLE serving_state (
    id          smallint    PRIMARY KEY DEFAULT 1,
    generation  bigint      NOT NULL,
    digest      text,
    changed_at  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT serving_state_one_row CHECK (id = 1),
    CONSTRAINT serving_state_generation_positive CHECK (generation > 0)
);

INSERT INTO serving_state (id, generation) VALUES (1, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint);

-- model_version_holds: a version kept loaded on every worker for a purpose other than routing (an evaluation, report
-- generation), until the holder releases it. One hold per holder and version.
CREATE TABLE model_version_holds (
    model_id    uuid        NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    version     bigint      NOT NULL,
    holder      text        NOT NULL,
    reason      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    created_by  text        NOT NULL,
    PRIMARY KEY (model_id, version, holder),
    CONSTRAINT model_version_holds_version_positive CHECK (version > 0),
    CONSTRAINT model_version_holds_holder_valid CHECK (holder ~ '^[A-Za-z0-9._:-]{1,64}$'),
    CONSTRAINT model_version_holds_reason_length CHECK (reason IS NULL OR length(reason) <= 500)
);

-- model_route_fallbacks: a routed version (stable or canary) of a model that no worker can serve, so that calls naming
-- no version are answered by another version. The row exists while the fallback lasts; inserting and deleting it is
-- how the replicas agree to audit each transition once.
CREATE TABLE model_route_fallbacks (
    model_id        uuid        NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    routed_version  bigint      NOT NULL,
    reason          text        NOT NULL,
    since           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_id, routed_version)
);

-- The generation of the desired state a registered worker reported following: 0 = none yet (it follows its own
-- version policy until the platform's answer arrives), NULL = a worker that does not report one at all.
ALTER TABLE worker_registrations ADD COLUMN desired_generation bigint,
    ADD CONSTRAINT worker_registrations_desired_generation CHECK (desired_generation >= 0);
