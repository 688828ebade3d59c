-- Google and Microsoft calendars connect through OAuth 2.0 (issue 15,
-- domain/calendar_oauth.*): POST /v1/providers/{id}/calendars with kind
-- google|microsoft leaves one row here and sends the provider's browser to
-- the service; the callback proves itself with `state`, which is stored only
-- as its SHA-256 (a copy of the database cannot finish anyone's
-- connection). The PKCE code verifier is sealed (AES-256-GCM, the state
-- hash as associated data). A row is used once: the callback deletes it,
-- and rows past expires_at are refused and swept.
CREATE TABLE calendar_oauth_states (
    state_sha256     TEXT PRIMARY KEY,
    provider_id      TEXT NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
    kind             TEXT NOT NULL,
    connection_id    TEXT NOT NULL,
    verifier_sealed  TEXT NOT NULL,
    redirect_uri     TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    expires_at       BIGINT NOT NULL
);
CREATE INDEX calendar_oauth_states_expiry ON calendar_oauth_states (expires_at);
