-- request_log keeps tenant_id and api_key_id as plain identifiers, without foreign keys.
--
-- Every inserted row ran two referential-integrity checks (SELECT ... FOR KEY SHARE on the tenant and on the
-- API key): two extra queries and two row locks per logged request, and, with two request-log writer
-- connections committing batches at once, a multixact on the same tenant row in nearly every batch. The gateway
-- writes only identifiers it has just verified, tenants and API keys are never deleted (they are suspended and
-- revoked, and the rows stay), and the log is evidence that must outlive any change to them, so the checks bought
-- nothing that the application does not already guarantee.
ALTER TABLE request_log DROP CONSTRAINT request_log_tenant_id_fkey;
ALTER TABLE request_log DROP CONSTRAINT request_log_api_key_id_fkey;
