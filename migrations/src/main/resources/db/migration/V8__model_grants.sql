-- Model grants (issue 4): models belong to the platform and are granted to tenants, either to all tenants
-- (granted_to_all) or to the tenants listed in model_grants. Existing and discovered models default to "all",
-- so that tenants keep calling the models they could call before this migration.
ALTER TABLE models
    ADD COLUMN granted_to_all    boolean     NOT NULL DEFAULT true,
    ADD COLUMN grants_updated_at timestamptz;

CREATE TABLE model_grants (
    model_id    uuid        NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    tenant_id   uuid        NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (model_id, tenant_id)
);

CREATE INDEX model_grants_tenant ON model_grants (tenant_id);
