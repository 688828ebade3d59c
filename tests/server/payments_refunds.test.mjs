// Refunds by the provider's policy (issue 16 item 3), against the Stripe test
// server (stripe_test_server.mjs), SQLite and PostgreSQL: a client's cancellation under
// each policy at its boundaries, paid in full and by deposit; a provider's
// cancellation and a decline (everything back), a no-show (nothing); a
// refund Stripe fails; replayed refund webhooks; the refunds job retried
// after a crash; and a booking without payment (no refund row, no refund
// words in its mail). Each refund is a `refunds` row written with the
// status change and sent by the refunds job with its own Idempotency-Key;
// a succeeded refund fires the provider's webhook `payment.refunded` once.
//
// The paid bookings: the last test goes through the booking flow itself
// (HELD, the PaymentIntent, Stripe's payment_intent.succeeded). The others
// were written before that flow was merged and need bookings of exact
// policies, times and amounts in numbers: each is made unpaid, its
// PaymentIntent is created and paid at the Stripe test server, and the
// `payments` row is written into the SQLite file as the flow writes it once
// Stripe reports the payment (status succeeded, amount_received).
// Everything after that (the cancel, the refund row, the job, Stripe's
// refund and its webhooks) is the real path.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BACKEND, NOW, admin, book, cleanupAll, client, freshDatabase, providerConfig, putProvider, request, slotAt, startServer, tempDir, until, webhookReceiver } from './harness.mjs';
import { createIntent, startStripeTestServer } from './stripe_test_server.mjs';

after(cleanupAll);

const WEBHOOK = '/v1/payments/stripe/webhook';
const TIERS = [{ hours_before: 48, percent: 80 }, { hours_before: 0, percent: 10 }];

async function stripeServer() {
  const stripe = await startStripeTestServer();
  after(() => stripe.stop());
  return stripe;
}

const stripeEnv = (stripe) => ({ SLOTWISE_STRIPE_SECRET_KEY: stripe.secretKey, SLOTWISE_STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, SLOTWISE_STRIPE_PUBLISHABLE_KEY: 'pk_test_slotwiserefunds0123456789' });
const mailDirOf = (db) => (BACKEND === 'sqlite' ? path.join(path.dirname(db.url.slice('sqlite:'.length)), 'mail') : null);

// A server that sends decided refunds every second and takes Stripe's webhooks.
async function refundServer(db, stripe, { now = NOW, args = [] } = {}) {
  const mailDir = mailDirOf(db) ?? tempDir('slotwise-mail-');
  const server = await startServer(db, {
    now, env: stripeEnv(stripe),
    args: ['--allow-private-targets', '--stripe-api-base', stripe.url, '--job-poll', '0.2', '--payment-refunds-every', '1',
      ...(mailDirOf(db) ? [] : ['--mail-dir', mailDir]), ...args],
  });
  stripe.configureWebhooks({ url: server.url + WEBHOOK });
  server.mailDir = mailDir;
  return server;
}

// The booking's payment, taken at Stripe, and its row as the booking flow writes it (see the top).
async function pay(db, stripe, booking, { mode = 'full', amount }) {
  const intent = await createIntent(stripe, amount, { slotwise_booking: booking.id, slotwise_provider: booking.provider });
  stripe.succeed(intent.id);
  await stripe.settled();
  db.sql(`INSERT INTO payments (booking_id, provider_id, mode, amount, currency, intent_id, status, amount_received, expires_at, paid_at, created_at, updated_at)
          VALUES ('${booking.id}', '${booking.provider}', '${mode}', ${amount}, 'EUR', '${intent.id}', 'succeeded', ${amount}, 0, 0, 0, 0)`);
  return intent;
}

const refundRows = (db, bookingId) => db.sql(`SELECT id, amount, currency, reason, status, idempotency_key, COALESCE(refund_id, ''), COALESCE(failure_reason, '')
  FROM refunds WHERE booking_id = '${bookingId}' ORDER BY created_at, id`).map(([id, amount, currency, reason, status, key, refundId, failure]) =>
  ({ id, amount: Number(amount), currency, reason, status, key, refundId, failure }));
const refundedAmount = (db, bookingId) => Number(db.sql(`SELECT refunded_amount FROM payments WHERE booking_id = '${bookingId}'`)[0][0]);
const refundsAtStripe = (stripe, intentId) => [...stripe.refunds.values()].filter((r) => r.payment_intent === intentId);
const refundPosts = (stripe, key) => stripe.requests.filter((q) => q.method === 'POST' && q.path === '/v1/refunds' && q.idempotencyKey === key);
const webhookMessages = (db, bookingId, type) => Number(db.sql(`SELECT COUNT(*) FROM webhook_messages WHERE event_type = '${type}' AND body LIKE '%"id":"${bookingId}"%'`)[0][0]);

const cancelByClient = (base, b, reason) =>
  request(base, 'POST', `/v1/bookings/${b.id}/cancel?token=${b.manage_token}`, { body: reason ? { reason } : {} });

// A provider's webhook endpoint: every delivery, parsed.
// Every .eml in the folder, parsed by Python's email package.
function mails(dir) {
  if (!fs.existsSync(dir)) return [];
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => path.join(dir, f));
  if (!files.length) return [];
  return JSON.parse(execFileSync('python3', [path.resolve('mail/booking_mail_parse.py'), ...files], { encoding: 'utf8', maxBuffer: 64 << 20 }));
}
const mailTo = (dir, address, subject) => until(`a mail to ${address} matching ${subject}`,
  () => mails(dir).find((m) => m.to.includes(address) && subject.test(m.subject)), 30000);

test("a client's cancellation refunds the policy's share of what was paid, at each policy's boundaries, in full and by deposit", { timeout: 240000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  // The clock of the cancellations: T0 exactly, and one minute later (just inside the next, smaller tier).
  const T0 = '2026-11-23T12:00:00Z';
  const startIn = (minutes) => new Date(Date.parse(T0) + minutes * 60000).toISOString().replace('.000Z', 'Z');
  const cases = [
    // policy, minutes before the start at T0, refund of 10000 paid at T0 / at T0 + 1 min, of a 2500 deposit at T0 / T0 + 1 min
    ['flexible', 'flexible', 1440, [10000, 0], [2500, 0]],
    ['moderate', 'moderate', 7200, [10000, 5000], [2500, 1250]],
    ['moderate', 'moderate', 1440, [5000, 0], [1250, 0]],
    ['strict', 'strict', 20160, [5000, 0], [1250, 0]],
    ['custom', TIERS, 2880, [8000, 1000], [2000, 250]],
  ];
  const booking = await startServer(db);
  const made = [];
  let n = 1;
  for (const [name, policy] of [['flexible', 'flexible'], ['moderate', 'moderate'], ['strict', 'strict'], ['custom', TIERS]])
    for (const side of ['at', 'in'])
      for (const mode of ['full', 'deposit']) {
        const service = { ...providerConfig().services[0], cancellation_policy: policy };
        await putProvider(booking.url, `${name}-${side}-${mode}`, providerConfig({ services: [service] }));
      }
  for (const [name, , minutes, full, deposit] of cases)
    for (const [side, i] of [['at', 0], ['in', 1]])
      for (const [mode, amounts] of [['full', full], ['deposit', deposit]]) {
        const r = await book(booking.url, { provider: `${name}-${side}-${mode}`, service: 's30', start: startIn(minutes), client: client(n++) });
        assert.equal(r.status, 201, r.text);
        const intent = await pay(db, stripe, r.json.booking, { mode, amount: mode === 'full' ? 10000 : 2500 });
        made.push({ booking: r.json.booking, intent, side, expected: amounts[i], what: `${name} ${minutes} min ${side} ${mode}` });
      }
  await booking.stop();

  // The cancellations at T0 on a server that also sends the refunds (its
  // clock runs from T0: these come first, well within that minute); those a
  // minute later on one without Stripe (the row waits for the sender).
  const atT0 = await refundServer(db, stripe, { now: T0 });
  let later = null;
  for (const m of [...made.filter((x) => x.side === 'at'), ...made.filter((x) => x.side === 'in')]) {
    // No jobs there: every server runs the refunds job now (a provider's own
    // keys need no operator key), and a process a minute ahead would move
    // the shared recurring job a minute into the sender's future.
    if (m.side === 'in' && !later) later = await startServer(db, { now: startIn(1), args: ['--job-threads', '0'] });
    const r = await cancelByClient(m.side === 'at' ? atT0.url : later.url, m.booking, 'cannot come');
    assert.equal(r.status, 200, `${m.what}: ${r.text}`);
    assert.deepEqual(r.json.booking.refund, { amount: m.expected, currency: 'EUR', paid: true }, m.what);
    const rows = refundRows(db, m.booking.id);
    if (m.expected === 0) {
      assert.deepEqual(rows, [], `${m.what}: nothing owed, no refund row`);
      continue;
    }
    assert.equal(rows.length, 1, m.what);
    const [row] = rows;
    assert.match(row.id, /^rf_[a-z2-7]+$/);
    assert.deepEqual([row.amount, row.currency, row.reason, row.key], [m.expected, 'EUR', 'cancelled_by_client', `slotwise-refund-${row.id}`], m.what);
    m.row = row;
  }
  await later.stop();

  // The sender: each refund once at Stripe, with its key and row id; the payment counts it.
  const owed = made.filter((m) => m.expected > 0);
  await until('every refund succeeded', () => owed.every((m) => refundRows(db, m.booking.id)[0].status === 'succeeded'), 60000);
  for (const m of owed) {
    const atStripe = refundsAtStripe(stripe, m.intent.id);
    assert.equal(atStripe.length, 1, m.what);
    assert.deepEqual([atStripe[0].amount, atStripe[0].metadata.slotwise_refund, atStripe[0].status], [m.expected, m.row.id, 'succeeded'], m.what);
    // Each call for this payment carried the row's fixed key. Usually there is
    // one; a second send of the same row (a run that overlapped a slow
    // answer) is the replay the key exists for, and Stripe keeps one refund.
    const posts = stripe.requests.filter((q) => q.method === 'POST' && q.path === '/v1/refunds' && q.params?.payment_intent === m.intent.id);
    assert.ok(refundPosts(stripe, m.row.key).length >= 1, `${m.what}: sent`);
    assert.deepEqual(posts.map((q) => q.idempotencyKey).filter((k) => k !== m.row.key), [], `${m.what}: only the row's key`);
    assert.equal(refundRows(db, m.booking.id)[0].refundId, atStripe[0].id);
    await until(`${m.what}: refunded_amount`, () => refundedAmount(db, m.booking.id) === m.expected);
  }
  for (const m of made.filter((x) => x.expected === 0)) assert.deepEqual(refundsAtStripe(stripe, m.intent.id), [], m.what);
});

test('a provider cancellation and a decline refund everything, a no-show nothing; payment.refunded fires once, replayed refund webhooks change nothing', { timeout: 240000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  const hooks = await webhookReceiver();
  after(hooks.close);
  const server = await refundServer(db, stripe);
  const deposit = { ...providerConfig().services[0], id: 'dep', name: 'Deposit checkup', cancellation_policy: 'strict' };
  await putProvider(server.url, 'p1', providerConfig({ services: [...providerConfig().services, deposit] }));
  const hook = await request(server.url, 'POST', '/v1/providers/p1/webhooks', { headers: admin, body: { url: hooks.url, events: ['payment.refunded', 'booking.cancelled'] } });
  assert.equal(hook.status, 201, hook.text);

  // CONFIRMED, strict policy, 2 hours ahead: a client would get nothing, the provider's cancel gives all of the deposit.
  const confirmed = (await book(server.url, { provider: 'p1', service: 'dep', start: slotAt(0, 300), client: client(1) })).json.booking;
  const confirmedIntent = await pay(db, stripe, confirmed, { mode: 'deposit', amount: 3000 });
  const cancelled = await request(server.url, 'POST', `/v1/bookings/${confirmed.id}/cancel`, { headers: admin, body: { reason: 'closed today' } });
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.deepEqual(cancelled.json.booking.refund, { amount: 3000, currency: 'EUR', paid: true });
  assert.deepEqual(refundRows(db, confirmed.id).map((r) => [r.amount, r.reason]), [[3000, 'cancelled_by_provider']]);

  // A PENDING request (the video service asks the provider), paid in full, declined.
  const pending = (await book(server.url, { provider: 'p1', service: 'video', start: slotAt(2, 120), client: client(2) })).json.booking;
  assert.equal(pending.status, 'PENDING');
  const pendingIntent = await pay(db, stripe, pending, { amount: 4000 });
  const declined = await request(server.url, 'POST', `/v1/bookings/${pending.id}/decline`, { headers: admin, body: { reason: 'fully booked' } });
  assert.equal(declined.status, 200, declined.text);
  assert.equal(declined.json.booking.status, 'DECLINED');
  assert.deepEqual(declined.json.booking.refund, { amount: 4000, currency: 'EUR', paid: true });
  assert.deepEqual(refundRows(db, pending.id).map((r) => [r.amount, r.reason]), [[4000, 'declined_by_provider']]);

  // Both sent, Stripe's webhooks counted, and one payment.refunded each.
  for (const [b, intent, amount] of [[confirmed, confirmedIntent, 3000], [pending, pendingIntent, 4000]]) {
    await until(`${b.id} refunded`, () => refundRows(db, b.id)[0].status === 'succeeded' && refundedAmount(db, b.id) === amount);
    assert.deepEqual(refundsAtStripe(stripe, intent.id).map((r) => r.amount), [amount]);
  }
  const refundedHooks = () => hooks.got.filter((d) => d.json.type === 'payment.refunded');
  await until('two payment.refunded deliveries', () => refundedHooks().length >= 2);
  for (const b of [confirmed, pending]) {
    const [d] = refundedHooks().filter((x) => x.json.data.booking.id === b.id);
    assert.ok(d, b.id);
    assert.match(d.id, new RegExp(`^evt_${b.id}_\\d+$`));
    assert.equal(d.json.data.booking.refund.paid, true);
  }
  await until('the booking.cancelled delivery', () => hooks.got.some((d) => d.json.type === 'booking.cancelled'));
  assert.equal(webhookMessages(db, confirmed.id, 'booking.cancelled'), 1, 'the cancellation itself, once');

  // Stripe's own retries of every refund event: taken as duplicates, nothing counted twice, no second payment.refunded.
  await stripe.settled();
  const refundEvents = stripe.events.filter((e) => /^(refund\.|charge\.refund)/.test(e.type));
  assert.ok(refundEvents.length >= 6, refundEvents.map((e) => e.type).join());
  for (const e of refundEvents) {
    const again = await stripe.resend(e.id);
    assert.equal(again.status, 200, e.type);
    assert.equal(JSON.parse(stripe.deliveries.at(-1).answer).duplicate, true, e.type);
  }
  for (const [b, amount] of [[confirmed, 3000], [pending, 4000]]) {
    assert.equal(refundedAmount(db, b.id), amount);
    // A webhook is queued in the transaction that applies the event: after the 200 above, none was.
    assert.equal(webhookMessages(db, b.id, 'payment.refunded'), 1, b.id);
  }

  // A no-show, later that day: paid, nothing back, no row, no call.
  const noShow = (await book(server.url, { provider: 'p1', service: 's30', start: slotAt(0, 240), client: client(3) })).json.booking;
  const noShowIntent = await pay(db, stripe, noShow, { amount: 10000 });
  const evening = await startServer(db, { now: '2026-11-23T15:00:00Z' });
  const r = await request(evening.url, 'POST', `/v1/bookings/${noShow.id}/no-show`, { headers: admin });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.booking.refund, { amount: 0, currency: 'EUR', paid: true });
  assert.deepEqual(refundRows(db, noShow.id), []);
  assert.deepEqual(refundsAtStripe(stripe, noShowIntent.id), []);

  // The client's cancellation mail of the provider's cancel speaks of the money that goes back.
  const mail = await mailTo(server.mailDir, client(1).email, /^Booking cancelled/);
  assert.match(mail.text, /Refund: EUR 30\.00/, mail.text);
});

test('a refund that Stripe fails: the row says so, nothing is counted, no payment.refunded', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  const server = await refundServer(db, stripe);
  await putProvider(server.url, 'p1');
  const b = (await book(server.url, { provider: 'p1', service: 's30', start: slotAt(1, 180), client: client(1) })).json.booking;
  const intent = await pay(db, stripe, b, { amount: 10000 });
  stripe.setRefundsPending(true);
  const r = await request(server.url, 'POST', `/v1/bookings/${b.id}/cancel`, { headers: admin });
  assert.deepEqual(r.json.booking.refund, { amount: 10000, currency: 'EUR', paid: true });
  await until('the refund pending at Stripe', () => refundRows(db, b.id)[0].status === 'pending');
  const [atStripe] = refundsAtStripe(stripe, intent.id);
  stripe.settleRefund(atStripe.id, 'fail');
  await stripe.settled();
  await until('the refund failed', () => refundRows(db, b.id)[0].status === 'failed');
  assert.equal(refundRows(db, b.id)[0].failure, 'expired_or_canceled_card');
  assert.equal(refundedAmount(db, b.id), 0);
  assert.equal(webhookMessages(db, b.id, 'payment.refunded'), 0);
  assert.equal(refundPosts(stripe, refundRows(db, b.id)[0].key).length, 1, 'a failed refund is not sent again by itself');
});

test('the refunds job after a crash between Stripe\'s answer and our commit: the same key, the same refund, once', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  // Cancelled on a server without Stripe: the refund row waits, requested.
  const first = await startServer(db);
  await putProvider(first.url, 'p1');
  const b = (await book(first.url, { provider: 'p1', service: 's30', start: slotAt(10, 180), client: client(1) })).json.booking;
  const intent = await pay(db, stripe, b, { amount: 10000 });
  const r = await cancelByClient(first.url, b);
  assert.deepEqual(r.json.booking.refund, { amount: 10000, currency: 'EUR', paid: true });
  await first.stop();
  const [row] = refundRows(db, b.id);
  assert.equal(row.status, 'requested');
  // The job's call reached Stripe and Stripe refunded, but the process died
  // before its commit and Stripe's webhooks were lost: at Stripe, exactly
  // the request the job makes (refund_decisions.h, payments.h).
  const body = new URLSearchParams({ payment_intent: intent.id, amount: String(row.amount), 'metadata[slotwise_refund]': row.id });
  const lost = await fetch(`${stripe.url}/v1/refunds`, {
    method: 'POST', body, headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded', 'idempotency-key': row.key },
  });
  assert.equal(lost.status, 200);
  const refund = await lost.json();
  assert.equal(refundRows(db, b.id)[0].status, 'requested');

  // Restarted: the job asks again with the same key and gets the same refund back.
  const server = await refundServer(db, stripe);
  await until('the row settled', () => refundRows(db, b.id)[0].status === 'succeeded');
  assert.equal(refundRows(db, b.id)[0].refundId, refund.id);
  assert.equal(refundsAtStripe(stripe, intent.id).length, 1, 'one refund at Stripe');
  const posts = refundPosts(stripe, row.key);
  assert.deepEqual(posts.map((q) => [q.status, q.replayed]), [[200, false], [200, true]]);
  await until('refunded_amount', () => refundedAmount(db, b.id) === 10000);
  assert.equal(webhookMessages(db, b.id, 'payment.refunded'), 0, 'no endpoint registered: nothing queued');
  await server.stop();
});

test('a booking without payment: refund 0 and paid false, no refund row, no refund words in the mail', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  const server = await refundServer(db, stripe);
  await putProvider(server.url, 'p1');
  const b = (await book(server.url, { provider: 'p1', service: 's30', start: slotAt(10, 180), client: client(7) })).json.booking;
  const r = await cancelByClient(server.url, b, 'ill');
  assert.equal(r.status, 200, r.text);
  // Moderate and 10 days ahead: the policy would give all of a payment, but nothing was paid.
  assert.deepEqual(r.json.booking.refund, { amount: 0, currency: 'EUR', paid: false });
  const read = await request(server.url, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`);
  assert.deepEqual(read.json.booking.refund, { amount: 0, currency: 'EUR', paid: false }, 'the same when read later');
  assert.deepEqual(refundRows(db, b.id), []);
  assert.deepEqual(db.sql(`SELECT COUNT(*) FROM bookings WHERE id = '${b.id}' AND refund_amount IS NULL`), [['1']]);
  const mail = await mailTo(server.mailDir, client(7).email, /^Booking cancelled/);
  assert.ok(!/refund/i.test(mail.text) && !/refund/i.test(mail.html ?? ''), mail.text);
  assert.deepEqual(stripe.requests.filter((q) => q.path === '/v1/refunds'), []);
});

test('through the booking flow itself: a deposit paid at Stripe, the client cancels, and sees the refund move in payment.refunds', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  const server = await refundServer(db, stripe);
  const service = { ...providerConfig().services[0], payment: { mode: 'deposit', deposit: { amount: 2500, currency: 'EUR' } } };
  await putProvider(server.url, 'p1', providerConfig({ services: [service] }));
  // Moderate, 3 days ahead: half of what was paid.
  const made = await book(server.url, { provider: 'p1', service: 's30', start: slotAt(3, 120), client: client(9) });
  assert.equal(made.status, 201, made.text);
  const b = made.json.booking;
  assert.equal(b.status, 'HELD');
  const [intent] = [...stripe.intents.values()].filter((i) => i.metadata.slotwise_booking === b.id);
  assert.equal(intent.amount, 2500);
  stripe.succeed(intent.id);
  const read = () => request(server.url, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`);
  await until('the booking paid and confirmed', async () => {
    const r = await read();
    return r.json.booking.status === 'CONFIRMED' && r.json.booking.payment.amount_received === 2500;
  });

  const cancelled = await cancelByClient(server.url, b, 'moving away');
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.deepEqual(cancelled.json.booking.refund, { amount: 1250, currency: 'EUR', paid: true });
  const [asked] = cancelled.json.booking.payment.refunds;
  assert.deepEqual([asked.amount, asked.currency, asked.reason, asked.status], [1250, 'EUR', 'cancelled_by_client', 'requested']);
  assert.match(asked.id, /^rf_/);

  // The client's own view follows the refund to Stripe's success.
  const settled = await until('the refund succeeded in the client view', async () => {
    const r = await read();
    const p = r.json.booking.payment;
    return p.refunds[0]?.status === 'succeeded' && p.refunded_amount === 1250 ? r.json.booking : null;
  });
  assert.deepEqual(settled.refund, { amount: 1250, currency: 'EUR', paid: true });
  assert.deepEqual(refundsAtStripe(stripe, intent.id).map((r) => [r.amount, r.metadata.slotwise_refund]), [[1250, asked.id]]);
  const mail = await mailTo(server.mailDir, client(9).email, /^Booking cancelled/);
  assert.match(mail.text, /Refund: EUR 12\.50/, mail.text);
});
