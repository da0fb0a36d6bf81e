-- Tenant data-key lifecycle: rotation, key-encryption key (KEK) tracking and crypto-shredding.
--  * kek_id: which key-encryption key wrapped data_key ('local' = the local key file / WARDEN_MASTER_KEY, or the
--    KMS key URI such as 'aws-kms://arn:aws:kms:...'); rows written before this version were wrapped by the local key.
--  * data_key_rotated_at: last time a new primary key was added to the tenant's keyset.
--  * data_key_destroyed_at: when the keyset was destroyed (crypto-shredding on tenant deletion): data_key is NULL
--    from then on and the tenant's encrypted request-log payloads can never be decrypted again.
ALTER TABLE tenants
    ALTER COLUMN data_key DROP NOT NULL,
    ADD COLUMN kek_id                text        NOT NULL DEFAULT 'local',
    ADD COLUMN data_key_rotated_at   timestamptz,
    ADD COLUMN data_key_destroyed_at timestamptz;

-- Tenants deleted before this version kept their data key; deletion now destroys it, so do it for them too.
UPDATE tenants SET data_key = NULL, data_key_destroyed_at = now() WHERE status = 'deleted';

ALTER TABLE tenants
    ADD CONSTRAINT tenants_data_key_present_or_destroyed CHECK ((data_key IS NULL) = (data_key_destroyed_at IS NOT NULL)),
    ADD CONSTRAINT tenants_data_key_destroyed_only_when_deleted CHECK (data_key_destroyed_at IS NULL OR status = 'deleted');

-- How many values (e-mail addresses, phone numbers, card numbers) were redacted from a row's payloads before
-- encryption, per policies/logging.yaml; NULL = no redaction was applied (rows written before, or no payload).
ALTER TABLE request_log
    ADD COLUMN redactions integer,
    ADD CONSTRAINT request_log_redactions_valid CHECK (redactions IS NULL OR redactions >= 0);
