-- Refunds by the provider's policy (issue 16): a booking's `refund_amount`
-- is what actually goes back to the client, the policy's share of what
-- Stripe took, and NULL when no money was taken (the API then shows
-- "refund": {"amount": 0, "paid": false}). Bookings ended before payments
-- existed hold the policy's share of a price that was never paid: that was
-- no money back, so it becomes NULL.
UPDATE bookings SET refund_amount = NULL
WHERE refund_amount IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = bookings.id AND p.amount_received > 0);
