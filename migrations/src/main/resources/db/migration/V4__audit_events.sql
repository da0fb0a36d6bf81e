-- Append-only audit trail of control-plane writes (admin API, bootstrap).
CREATE TABLE audit_events (
    id           uuid        PRIMARY KEY,
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    actor        text        NOT NULL,
    action       text        NOT NULL,
    target_type  text        NOT NULL,
    target_id    text,
    details      jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT audit_events_actor_not_blank CHECK (length(btrim(actor)) > 0),
    CONSTRAINT audit_events_action_not_blank CHECK (length(btrim(action)) > 0)
);

CREATE INDEX audit_events_time_idx ON audit_events (occurred_at DESC);
CREATE INDEX audit_events_target_idx ON audit_events (target_type, target_id);
