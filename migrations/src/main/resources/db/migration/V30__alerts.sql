-- Alerts (platform-api module monitoring; docs/monitoring.md#alerts). A rule of the alerts section of
-- policies/monitoring.yaml that fires opens one alert per (rule, model, version); it is updated while the condition
-- holds and closed when it clears. At most one open alert per (rule, model, version).
-- version: the model version the condition was read for, '' for rules read over every version (error_rate,
--          p99_latency: answers no version gave count too).
-- evidence: what the condition was read from (e.g. the drifted inputs with their statistics), as JSON.
CREATE TABLE alerts (
    id             uuid             PRIMARY KEY,
    rule           text             NOT NULL,
    kind           text             NOT NULL CHECK (kind IN ('error_rate', 'p99_latency', 'drift', 'accuracy_drop',
                                                             'fairness')),
    model          text             NOT NULL,
    version        text             NOT NULL,
    state          text             NOT NULL CHECK (state IN ('open', 'closed')),
    comparison     text             NOT NULL CHECK (comparison IN ('above', 'below', 'verdict')),
    threshold      double precision,
    time_window    text             NOT NULL,
    value          double precision,
    last_value     double precision,
    evidence       jsonb            NOT NULL DEFAULT '{}'::jsonb,
    opened_at      timestamptz      NOT NULL,
    last_seen_at   timestamptz      NOT NULL,
    closed_at      timestamptz,
    CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (rule, model, version) WHERE state = 'open';
CREATE INDEX alerts_opened ON alerts (opened_at DESC, id);

-- Webhook deliveries: one row per (event, endpoint), retried with exponential backoff until delivered or out of
-- attempts. The endpoint is named by its index in warden.monitoring.alerts.webhooks and its URL (never its secret).
-- Pending rows survive a restart: any replica picks up a due row (FOR UPDATE SKIP LOCKED).
CREATE TABLE alert_deliveries (
    id               uuid        PRIMARY KEY,
    alert_id         uuid        NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    event            text        NOT NULL CHECK (event IN ('alert.opened', 'alert.closed')),
    event_id         uuid        NOT NULL,
    endpoint         integer     NOT NULL,
    url              text        NOT NULL,
    payload          text        NOT NULL,
    state            text        NOT NULL CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at) WHERE state = 'pending';
CREATE INDEX alert_deliveries_alert ON alert_deliveries (alert_id, created_at);

-- Every attempt of a delivery: its HTTP status (null when no answer came) and error.
CREATE TABLE alert_delivery_attempts (
    delivery_id    uuid        NOT NULL REFERENCES alert_deliveries (id) ON DELETE CASCADE,
    attempt        integer     NOT NULL,
    attempted_at   timestamptz NOT NULL,
    status_code    integer,
    error          text,
    next_attempt_at timestamptz,
    PRIMARY KEY (delivery_id, attempt)
);

-- When the rules were last evaluated (by whichever replica held the evaluation's advisory lock), so that replicas
-- together evaluate once per evaluate_every, and the rule names it evaluated (the open alerts of a rule that is no
-- longer in the policy are closed by the next evaluation).
CREATE TABLE alert_evaluations (
    id            boolean     PRIMARY KEY DEFAULT true CHECK (id),
    evaluated_at  timestamptz NOT NULL,
    rules         text[]      NOT NULL DEFAULT '{}'
);
