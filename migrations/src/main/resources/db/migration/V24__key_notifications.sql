-- Every gateway replica keeps the API keys it may verify in memory and listens on the channel
-- 'warden_keys' for changes (dev.warden.platform.apikey.internal.KeyIndex). These triggers notify it,
-- in the transaction of the change, whatever code or statement makes it: the payload is 'k:<key_id>'
-- (the lookup id of a changed key) or 't:<tenant id>' (a changed tenant: its keys are reloaded).
-- A notification is delivered only if the transaction commits. Writes of last_used_at alone do not
-- notify (the trigger lists the columns that matter to verification).

CREATE FUNCTION warden_notify_key() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('warden_keys', 'k:' || OLD.key_id);
        RETURN OLD;
    END IF;
    PERFORM pg_notify('warden_keys', 'k:' || NEW.key_id);
    IF TG_OP = 'UPDATE' AND OLD.key_id IS DISTINCT FROM NEW.key_id THEN
        PERFORM pg_notify('warden_keys', 'k:' || OLD.key_id);
    END IF;
    RETURN NEW;
END
$$;

CREATE FUNCTION warden_notify_tenant() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('warden_keys', 't:' || OLD.id);
        RETURN OLD;
    END IF;
    PERFORM pg_notify('warden_keys', 't:' || NEW.id);
    RETURN NEW;
END
$$;

CREATE TRIGGER api_keys_notify
    AFTER INSERT OR DELETE OR UPDATE OF key_id, key_hash, tenant_id, status, expires_at, scope_models,
        scope_operations, quota_requests_per_second, quota_burst, quota_requests_per_month,
        quota_max_request_bytes, quota_max_rows_per_request, quota_updated_at
    ON api_keys FOR EACH ROW EXECUTE FUNCTION warden_notify_key();

CREATE TRIGGER tenants_notify
    AFTER INSERT OR DELETE OR UPDATE OF name, plan, status, updated_at
    ON tenants FOR EACH ROW EXECUTE FUNCTION warden_notify_tenant();
