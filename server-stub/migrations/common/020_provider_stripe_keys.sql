-- A provider's own Stripe account (issue 16 item 5, README "Payments"):
-- entered in the dashboard (PUT /v1/providers/{id}/stripe), it takes the
-- provider's payments instead of the operator's. One row per provider.
-- The secret key and the webhook signing secret are sealed (AES-256-GCM, a
-- key derived from the server secret, "<provider id>:<column>" as
-- associated data, so a sealed value copied to another row or column does
-- not open): a copy of the database takes no payments and forges no
-- webhook. The publishable key is public by design (the widget hands it to
-- Stripe.js) and is kept as it is, with the secret key's last four
-- characters, so that reads for showing never open a secret. `livemode`: 1
-- for live keys, 0 for test keys (never mixed in one row).
CREATE TABLE provider_stripe_accounts (
    provider_id            TEXT PRIMARY KEY REFERENCES providers (id) ON DELETE CASCADE,
    secret_key_sealed      TEXT NOT NULL,
    secret_key_last4       TEXT NOT NULL,
    publishable_key        TEXT NOT NULL,
    webhook_secret_sealed  TEXT,
    livemode               BIGINT NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
