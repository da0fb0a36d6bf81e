-- Who the actor of an audit event is, in words: actor stays the access token's subject (for Keycloak a UUID), and the
-- event now also records the user name the token carries (warden.security.username-claim, e.g. preferred_username)
-- and the token's issuer. Both are NULL for events written before this migration, for system events and for tokens
-- without such a claim. They are part of the hashed canonical form only when not NULL, so the hashes of existing
-- events do not change (docs/security.md, "Canonical form").
ALTER TABLE audit_events
    ADD COLUMN actor_name   text,
    ADD COLUMN actor_issuer text;
