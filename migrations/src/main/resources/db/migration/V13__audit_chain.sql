-- Tamper-evident audit trail: every event gets a sequence number in one linear chain, the SHA-256 of its
-- canonical content (which includes the previous event's hash) and the request context it came from.
-- The canonical serialisation is documented in docs/security.md ("Audit trail").
ALTER TABLE audit_events
    ADD COLUMN seq            bigint,
    ADD COLUMN prev_hash      text,
    ADD COLUMN hash           text,
    ADD COLUMN actor_roles    text[] NOT NULL DEFAULT '{}',
    ADD COLUMN client_address text,
    ADD COLUMN user_agent     text,
    ADD COLUMN request_id     text;

-- Events written before the chain existed get sequence numbers in the order they happened; their hashes are
-- filled in by the application under the chain lock before the next event is appended ("sealing").
UPDATE audit_events e SET seq = o.n
  FROM (SELECT id, row_number() OVER (ORDER BY occurred_at, id) AS n FROM audit_events) o
 WHERE e.id = o.id;

ALTER TABLE audit_events ALTER COLUMN seq SET NOT NULL;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_unique UNIQUE (seq);
ALTER TABLE audit_events ADD CONSTRAINT audit_events_seq_positive CHECK (seq > 0);

-- The head of the chain: one row, locked (SELECT ... FOR UPDATE) by every append in the appending transaction,
-- so that appends from any number of transactions and gateway replicas form one linear chain. hash NULL with
-- seq > 0 means the events up to seq still have to be sealed.
CREATE TABLE audit_chain_head (
    id    boolean PRIMARY KEY DEFAULT true,
    seq   bigint  NOT NULL,
    hash  text,
    CONSTRAINT audit_chain_head_single_row CHECK (id)
);
INSERT INTO audit_chain_head (id, seq, hash)
SELECT true, coalesce(max(seq), 0), NULL FROM audit_events;

-- Signed digests: each covers the events after the previous digest up to last_seq, names the chain's hash at
-- last_seq, links to the previous digest by its hash and is signed with the installation's Ed25519 key (Tink).
CREATE TABLE audit_digests (
    number           bigint      PRIMARY KEY,
    first_seq        bigint      NOT NULL,
    last_seq         bigint      NOT NULL,
    event_count      bigint      NOT NULL,
    head_hash        text        NOT NULL,
    prev_digest_hash text        NOT NULL,
    created_at       timestamptz NOT NULL,
    key_id           text        NOT NULL,
    digest_hash      text        NOT NULL,
    signature        bytea       NOT NULL,
    CONSTRAINT audit_digests_number_positive CHECK (number > 0)
);
