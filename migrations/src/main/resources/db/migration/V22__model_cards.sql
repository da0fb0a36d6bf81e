-- Model cards (platform-api module modelcard; docs/governance.md).

-- Every edit of a version's card is a new revision; revisions are never changed or deleted, so the history of who
-- wrote what, and why, stays. content holds the sections an administrator edits, with the Model Card Toolkit's
-- field names (model_details, model_parameters, considerations); the quantitative analysis is not stored here: it is
-- filled from the version's latest evaluation, fairness and explainability reports whenever the card is read.
CREATE TABLE model_card_revisions (
    model       text        NOT NULL,
    version     bigint      NOT NULL,
    revision    integer     NOT NULL,
    content     jsonb       NOT NULL,
    -- SHA-256 of the canonical JSON of content
    content_sha256 text     NOT NULL,
    -- why the card was changed (a free text the editor gives); 'shipped' for the card a reference model ships with
    comment     text,
    created_at  timestamptz NOT NULL,
    created_by  text        NOT NULL,
    PRIMARY KEY (model, version, revision),
    CONSTRAINT model_card_revisions_revision_positive CHECK (revision >= 1),
    CONSTRAINT model_card_revisions_version_valid CHECK (version >= 0),
    CONSTRAINT model_card_revisions_content_object CHECK (jsonb_typeof(content) = 'object')
);

CREATE TRIGGER model_card_revisions_no_update
    BEFORE UPDATE OR DELETE ON model_card_revisions
    FOR EACH ROW EXECUTE FUNCTION governance_report_immutable();

CREATE TRIGGER model_card_revisions_no_truncate
    BEFORE TRUNCATE ON model_card_revisions
    FOR EACH STATEMENT EXECUTE FUNCTION governance_report_immutable();
