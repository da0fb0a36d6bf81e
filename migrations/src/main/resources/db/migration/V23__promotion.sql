-- Promotion gated by policy with four-eyes approval (platform-api module promotion; docs/governance.md).

-- Every content of policies/promotion.yaml that came into force, once per change however many replicas load it
-- (recorded under an advisory lock; the change is audited as promotion.policy.reloaded in the same transaction).
-- source: file (the policies directory), packaged (the copy in the jar) or built-in (no file: the built-in defaults).
CREATE TABLE promotion_policy_versions (
    id          bigserial   PRIMARY KEY,
    sha256      text        NOT NULL,
    source      text        NOT NULL,
    -- the policy as parsed: every model entry with the defaults applied
    policy      jsonb       NOT NULL,
    loaded_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT promotion_policy_versions_source_valid CHECK (source IN ('file', 'packaged', 'built-in')),
    CONSTRAINT promotion_policy_versions_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$')
);

-- A request to make a version the stable version or a canary above the weight an administrator may set directly.
--   pending    evaluated, every failed rule overridden with a justification; waits for approval
--   approved   approved by enough other administrators and applied to the routing (applied_at) in that transaction
--   rejected   rejected by another administrator (decision_comment says why)
--   refused    a rule failed without an override when it was requested: stored for the record, never applicable
--   withdrawn  withdrawn by its requester
--   superseded another request for the same model and target was applied first (superseded_by)
-- rule_results: the latest evaluation, rule by rule
--   [{"rule": "fairness.four_fifths_ratio.sex", "status": "passed" | "failed" | "overridden",
--     "observed": {"value": 0.62, "ci_low": 0.58, "ci_high": 0.66, "group": "Female"}, "threshold": {"min": 0.8},
--     "report_id": "...", "message": "...", "override": {"justification": "...", "by": "...", "at": "..."}}, ...]
-- overrides: [{"rule": "...", "justification": "...", "by": "...", "at": "..."}] as the requester gave them.
CREATE TABLE promotion_requests (
    id               uuid        PRIMARY KEY,
    model            text        NOT NULL,
    version          bigint      NOT NULL,
    target           text        NOT NULL,
    canary_weight    integer,
    state            text        NOT NULL,
    comment          text,
    rule_results     jsonb       NOT NULL,
    overrides        jsonb       NOT NULL DEFAULT '[]'::jsonb,
    -- the SHA-256 of promotion.yaml as it was when the rules were last evaluated
    policy_sha256    text        NOT NULL,
    evaluated_at     timestamptz NOT NULL,
    requested_by     text        NOT NULL,
    requested_at     timestamptz NOT NULL,
    decided_by       text,
    decided_at       timestamptz,
    decision_comment text,
    applied_at       timestamptz,
    superseded_by    uuid        REFERENCES promotion_requests (id),
    CONSTRAINT promotion_requests_target_valid CHECK (target IN ('stable', 'canary')),
    CONSTRAINT promotion_requests_weight_valid CHECK (
        (target = 'stable' AND canary_weight IS NULL)
        OR (target = 'canary' AND canary_weight BETWEEN 1 AND 100)),
    CONSTRAINT promotion_requests_state_valid
        CHECK (state IN ('pending', 'approved', 'rejected', 'refused', 'withdrawn', 'superseded')),
    CONSTRAINT promotion_requests_version_valid CHECK (version >= 0),
    CONSTRAINT promotion_requests_rules_array CHECK (jsonb_typeof(rule_results) = 'array'),
    CONSTRAINT promotion_requests_overrides_array CHECK (jsonb_typeof(overrides) = 'array'),
    CONSTRAINT promotion_requests_decided CHECK ((state IN ('pending', 'refused')) = (decided_at IS NULL)),
    CONSTRAINT promotion_requests_applied CHECK ((state = 'approved') = (applied_at IS NOT NULL)),
    CONSTRAINT promotion_requests_superseded CHECK ((state = 'superseded') = (superseded_by IS NOT NULL))
);

CREATE INDEX promotion_requests_list ON promotion_requests (requested_at DESC, id);
CREATE INDEX promotion_requests_version ON promotion_requests (model, version, requested_at DESC);
CREATE INDEX promotion_requests_pending ON promotion_requests (model, target) WHERE state = 'pending';

-- Approvals of a request, one per administrator; never changed or deleted.
CREATE TABLE promotion_approvals (
    request_id   uuid        NOT NULL REFERENCES promotion_requests (id),
    approved_by  text        NOT NULL,
    comment      text,
    approved_at  timestamptz NOT NULL,
    PRIMARY KEY (request_id, approved_by)
);

CREATE TRIGGER promotion_approvals_no_update
    BEFORE UPDATE OR DELETE ON promotion_approvals
    FOR EACH ROW EXECUTE FUNCTION governance_report_immutable();

CREATE TRIGGER promotion_approvals_no_truncate
    BEFORE TRUNCATE ON promotion_approvals
    FOR EACH STATEMENT EXECUTE FUNCTION governance_report_immutable();
