-- Payments through Stripe (issue 16, api.md "Payments (Stripe)"): what a
-- booking owes and what Stripe has taken, the Stripe events already applied,
-- and the refunds asked for. Amounts are in the currency's smallest unit, as
-- Stripe counts them; times are Unix seconds.

-- One row per paid booking. `mode` is the service's at booking time (full or
-- deposit), `amount` what this booking asks for. `intent_id` is NULL until
-- Stripe has answered the create call (the request carries an
-- Idempotency-Key derived from the booking, so a crash before the answer is
-- committed only means asking again and getting the same intent back).
-- `status` follows the PaymentIntent as far as we have heard:
-- creating -> requires_payment_method -> succeeded | canceled, and
-- `expires_at` is when a HELD booking that has not been paid lets its time go.
-- `refunded_amount` is the sum of the refunds Stripe reported as succeeded.
CREATE TABLE payments (
    booking_id       TEXT PRIMARY KEY REFERENCES bookings (id) ON DELETE CASCADE,
    provider_id      TEXT NOT NULL REFERENCES providers (id),
    mode             TEXT NOT NULL CHECK (mode IN ('full', 'deposit')),
    amount           BIGINT NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL,
    intent_id        TEXT UNIQUE,
    client_secret    TEXT,
    status           TEXT NOT NULL CHECK (status IN ('creating', 'requires_payment_method', 'processing', 'succeeded', 'canceled', 'failed')),
    amount_received  BIGINT NOT NULL DEFAULT 0,
    refunded_amount  BIGINT NOT NULL DEFAULT 0 CHECK (refunded_amount >= 0),
    expires_at       BIGINT NOT NULL,
    paid_at          BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
-- The expiry and reconciliation jobs look for payments still open by age.
CREATE INDEX payments_open_by_expiry ON payments (status, expires_at);

-- Each Stripe event applied once: the webhook handler inserts the event id in
-- the same transaction as the state change it causes, so a replayed or
-- duplicated delivery finds the id and changes nothing.
CREATE TABLE stripe_events (
    event_id     TEXT PRIMARY KEY,
    event_type   TEXT NOT NULL,
    object_id    TEXT,
    created      BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    outcome      TEXT NOT NULL
);

-- Each refund asked of Stripe. `idempotency_key` is fixed when the refund is
-- decided (before the call), so the refund job may call again after a crash
-- and get the same refund. `refund_id` is Stripe's re_... once it answered.
CREATE TABLE refunds (
    id               TEXT PRIMARY KEY,
    booking_id       TEXT NOT NULL REFERENCES payments (booking_id) ON DELETE CASCADE,
    amount           BIGINT NOT NULL CHECK (amount > 0),
    currency         TEXT NOT NULL,
    reason           TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    refund_id        TEXT UNIQUE,
    status           TEXT NOT NULL CHECK (status IN ('requested', 'pending', 'succeeded', 'failed', 'canceled')),
    failure_reason   TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX refunds_by_booking ON refunds (booking_id, created_at);

-- A service's payment setting (api.md: "payment": {"mode", "deposit"?}),
-- one row per service whose mode is not none, replaced with the provider's
-- configuration like the services themselves.
CREATE TABLE service_payments (
    provider_id       TEXT NOT NULL REFERENCES providers (id),
    service_id        TEXT NOT NULL,
    mode              TEXT NOT NULL CHECK (mode IN ('full', 'deposit')),
    deposit_amount    BIGINT,
    deposit_currency  TEXT,
    PRIMARY KEY (provider_id, service_id)
);
