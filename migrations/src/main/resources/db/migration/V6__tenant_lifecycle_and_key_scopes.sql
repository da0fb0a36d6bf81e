-- Tenant lifecycle (issue 4): tenants can be suspended and deleted. A deleted tenant stays as a tombstone row
-- (status 'deleted') so that request-log metadata and audit events keep pointing at a real row; its keys are
-- revoked when it is deleted, and its name becomes free for a new tenant.
ALTER TABLE tenants
    DROP CONSTRAINT tenants_status_valid,
    DROP CONSTRAINT tenants_name_unique,
    ADD COLUMN updated_at timestamptz,
    ADD COLUMN deleted_at timestamptz,
    ADD CONSTRAINT tenants_status_valid CHECK (status IN ('active', 'suspended', 'deleted')),
    ADD CONSTRAINT tenants_deleted_consistent CHECK ((status = 'deleted') = (deleted_at IS NOT NULL));

CREATE UNIQUE INDEX tenants_live_name_unique ON tenants (name) WHERE status <> 'deleted';

-- API key scopes: which models (NULL = every model granted to the tenant) and which operations.
ALTER TABLE api_keys
    ADD COLUMN scope_models     text[],
    ADD COLUMN scope_operations text[] NOT NULL DEFAULT ARRAY['predict', 'explain', 'metadata']::text[],
    ADD CONSTRAINT api_keys_scope_operations_valid CHECK (
        cardinality(scope_operations) > 0
        AND scope_operations <@ ARRAY['predict', 'explain', 'metadata']::text[]),
    ADD CONSTRAINT api_keys_scope_models_valid CHECK (scope_models IS NULL OR cardinality(scope_models) > 0);
