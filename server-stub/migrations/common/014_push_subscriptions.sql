-- Web Push subscriptions (issue 12): the browsers of an account that asked
-- to be told of booking events (POST /v1/me/push-subscriptions, the shape of
-- PushSubscription.toJSON()). p256dh and auth are base64url as the browser
-- gave them. One row per account and endpoint: a browser that subscribes
-- again replaces its keys. A push service's 404 or 410 deletes the row.
CREATE TABLE push_subscriptions (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    endpoint    TEXT NOT NULL,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    user_agent  TEXT
);
CREATE UNIQUE INDEX push_subscriptions_account_endpoint ON push_subscriptions (account_id, endpoint);
