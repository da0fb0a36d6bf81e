-- Bucket4j token-bucket state shared by every gateway replica (select-for-update proxy manager).
-- id: 'rate:<api key id>:<rps>/<burst>' (per-second rate with burst) or 'month:<tenant id>:<yyyy-MM>' (monthly quota).
-- state: Bucket4j's serialized bucket; expires_at: reserved for Bucket4j's expire-after-write (unused for now).
CREATE TABLE quota_buckets (
    id         VARCHAR(200) PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);
