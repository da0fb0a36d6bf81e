-- Request-log settings changed at run time by an administrator (PUT /api/admin/settings/request-log), shared by every
-- gateway replica, which re-reads them periodically (warden.request-log.settings-refresh-interval). No row = each
-- replica uses its configuration (warden.request-log.fail-open). Every change is also in audit_events.
CREATE TABLE request_log_settings (
    id          boolean     PRIMARY KEY DEFAULT true,
    fail_open   boolean     NOT NULL,
    updated_at  timestamptz NOT NULL,
    updated_by  text        NOT NULL,
    CONSTRAINT request_log_settings_single_row CHECK (id)
);
