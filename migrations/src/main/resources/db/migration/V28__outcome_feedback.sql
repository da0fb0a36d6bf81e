-- Outcome feedback and live quality (docs/monitoring.md, "Outcome feedback and live quality").
--
-- A tenant reports the true outcome of earlier predictions (POST /v1/models/{m}:feedback, key operation
-- 'feedback'). The gateway reads the tenant's own request-log row of each request id, decrypts its logged answer
-- inside the platform to take the predicted class of every row, and stores one feedback_outcomes row per request
-- id plus additive counts in feedback_windows.

-- The new key operation.
ALTER TABLE api_keys
    DROP CONSTRAINT api_keys_scope_operations_valid,
    ADD CONSTRAINT api_keys_scope_operations_valid CHECK (
        cardinality(scope_operations) > 0
        AND scope_operations <@ ARRAY['predict', 'explain', 'metadata', 'feedback']::text[]);

-- One row per request id that got feedback (the first feedback for a request id counts; a repeat is refused).
-- predicted_at:  occurred_at of the prediction's request-log row (the windows are those of the prediction).
-- version:       the version that answered the prediction ('' when the log does not say).
-- row_count:     rows (instances) of the prediction, one label each.
-- outcome:       Tink AEAD under the tenant's data key of {"predicted": [class per row], "labels": [label per row]},
--                associated data "warden-feedback/1:<tenant>:<model>:<request id>:outcome".
-- attributes:    the sensitive attributes, kept apart from the outcome and from the request log: AEAD under the
--                tenant's data key of [{"name": "value", ...} per row], associated data
--                "warden-feedback/1:<tenant>:<model>:<request id>:attributes"; NULL when none were given.
-- Deleting the tenant destroys its data key: both columns can never be decrypted again (crypto-shredding).
-- No foreign key to tenants or api_keys: the gateway writes only ids it has just verified (as in request_log).
CREATE TABLE feedback_outcomes (
    tenant_id     uuid        NOT NULL,
    model         text        NOT NULL,
    request_id    text        NOT NULL,
    version       text        NOT NULL,
    predicted_at  timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    api_key_id    uuid        NOT NULL,
    row_count     integer     NOT NULL,
    outcome       bytea       NOT NULL,
    attributes    bytea,
    PRIMARY KEY (tenant_id, model, request_id),
    CONSTRAINT feedback_outcomes_rows_valid CHECK (row_count > 0)
);

-- Retention deletes by predicted_at; rows arrive roughly in that order.
CREATE INDEX feedback_outcomes_predicted_at ON feedback_outcomes USING brin (predicted_at);

-- Additive confusion counts per model, answering version, hour of the prediction (UTC), tenant, sensitive attribute
-- and group value, of the binary decision "the positive class or not" (the fairness checks' definitions). The row
-- with attribute '' and group_value '' counts every row, with or without attributes. Written by one
-- INSERT ... ON CONFLICT DO UPDATE that adds counts, in the transaction that stores the feedback_outcomes rows.
-- A deleted tenant's rows are deleted in the transaction that deletes it.
CREATE TABLE feedback_windows (
    model         text        NOT NULL,
    window_start  timestamptz NOT NULL,
    tenant_id     uuid        NOT NULL,
    version       text        NOT NULL,
    attribute     text        NOT NULL,
    group_value   text        NOT NULL,
    tp            bigint      NOT NULL,
    fp            bigint      NOT NULL,
    tn            bigint      NOT NULL,
    fn            bigint      NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model, window_start, tenant_id, version, attribute, group_value),
    CONSTRAINT feedback_windows_whole_hour CHECK (mod(extract(epoch FROM window_start), 3600) = 0),
    CONSTRAINT feedback_windows_counts_valid CHECK (tp >= 0 AND fp >= 0 AND tn >= 0 AND fn >= 0),
    CONSTRAINT feedback_windows_overall CHECK ((attribute = '') = (group_value = ''))
);

CREATE INDEX feedback_windows_window_start ON feedback_windows USING brin (window_start);
CREATE INDEX feedback_windows_tenant ON feedback_windows (tenant_id);
