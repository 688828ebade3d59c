// The paid booking flow (issue 16), end to end against the Stripe test server
// (stripe_test_server.mjs): POST /v1/bookings for a paid service makes a HELD
// booking and its PaymentIntent (one per booking, whatever is retried), the
// client's page can resume the payment form, Stripe's signed
// payment_intent.succeeded moves the booking on (CONFIRMED or PENDING) and
// announces it, an unpaid hold expires (time free, intent cancelled), a late
// payment is refunded, Stripe down or refusing at creation gets a clear
// problem, and a server killed while Stripe is answering loses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { admin, book, cleanupAll, client, freshDatabase, NOW, problem, providerConfig, putProvider, request, slotAt, startServer, tempDir, until, webhookReceiver } from './harness.mjs';
import { startStripeTestServer } from './stripe_test_server.mjs';

const WEBHOOK = '/v1/payments/stripe/webhook';
const PUBLISHABLE = 'pk_test_slotwiseflow0123456789';

const paidConfig = () => {
  const config = providerConfig();
  config.services = config.services.map((s) =>
    s.id === 's30' ? { ...s, payment: { mode: 'full' } }
      : s.id === 'video' ? { ...s, payment: { mode: 'deposit', deposit: { amount: 1500, currency: 'EUR' } } } : s);
  return config;
};

const shifted = (minutes) => new Date(Date.parse(NOW) + minutes * 60000).toISOString().replace('.000Z', 'Z');

async function paymentServer(db, stripe, { now, secretKey = stripe.secretKey, mailDir = tempDir('slotwise-payflow-mail-'), args = [] } = {}) {
  const server = await startServer(db, {
    now,
    env: { SLOTWISE_STRIPE_SECRET_KEY: secretKey, SLOTWISE_STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, SLOTWISE_STRIPE_PUBLISHABLE_KEY: PUBLISHABLE },
    args: ['--allow-private-targets', '--stripe-api-base', stripe.url, '--job-poll', '0.2', '--payment-refunds-every', '1',
      '--webhook-retry-gaps', '1,1,1', '--mail-dir', mailDir, ...args],
  });
  stripe.configureWebhooks({ url: server.url + WEBHOOK, hold: false });
  server.mailDir = mailDir;
  return server;
}

const createCalls = (stripe, bookingId) => stripe.requests.filter((q) => q.method === 'POST' && q.path === '/v1/payment_intents' &&
  q.idempotencyKey === `slotwise-booking-${bookingId}-intent`);
const intentOf = (stripe, bookingId) => [...stripe.intents.values()].filter((i) => i.metadata.slotwise_booking === bookingId);
const getBooking = (base, b) => request(base, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`);
const storedStatus = (db, id) => db.sql(`SELECT status FROM bookings WHERE id = '${id}'`)[0]?.[0];
const mailsTo = (dir, address) => (fs.existsSync(dir) ? fs.readdirSync(dir) : []).filter((f) => f.endsWith('.eml'))
  .map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).filter((m) => m.includes(`To: ${address}`) || m.includes(`<${address}>`));

let stripe, receiver, db, srv;
before(async () => {
  stripe = await startStripeTestServer();
  receiver = await webhookReceiver();
  db = await freshDatabase();
  srv = await paymentServer(db, stripe);
  await putProvider(srv.url, 'p1', paidConfig());
  const hook = await request(srv.url, 'POST', '/v1/providers/p1/webhooks', {
    body: { url: receiver.url, events: ['booking.created', 'booking.expired', 'payment.succeeded'] }, headers: admin });
  assert.equal(hook.status, 201, hook.text);
});
after(async () => { await stripe?.stop(); await receiver?.close(); await cleanupAll(); });

test('pay then confirm: full payment to CONFIRMED, a deposit to PENDING; the answer, its replay and the client read carry the payment', { timeout: 120000 }, async () => {
  const start = slotAt(2, 180);
  const body = { provider: 'p1', service: 's30', start, client: client(11) };
  const key = 'flow-full-1';
  const r = await book(srv.url, body, key);
  assert.equal(r.status, 201, r.text);
  const b = r.json.booking;
  assert.equal(b.status, 'HELD');
  const intents = intentOf(stripe, b.id);
  assert.equal(intents.length, 1);
  const intent = intents[0];
  assert.deepEqual({ amount: intent.amount, currency: intent.currency, metadata: intent.metadata },
    { amount: 10000, currency: 'eur', metadata: { slotwise_booking: b.id, slotwise_provider: 'p1' } });
  assert.deepEqual(createCalls(stripe, b.id).map((q) => q.status), [200], 'created once, with the key derived from the booking');
  const expiresAt = Date.parse(b.payment.expires_at);
  assert.ok(expiresAt - Date.parse(NOW) >= 15 * 60000 && expiresAt - Date.parse(NOW) < 16 * 60000, b.payment.expires_at);
  assert.deepEqual(b.payment, {
    mode: 'full', amount: 10000, currency: 'EUR', status: 'requires_payment_method', expires_at: b.payment.expires_at,
    amount_received: 0, refunded_amount: 0, refunds: [], client_secret: intent.client_secret, publishable_key: PUBLISHABLE,
  });
  assert.equal(b.expires_at, b.payment.expires_at);
  assert.ok(b.manage_token);

  // The hold blocks its time.
  const taken = await book(srv.url, { ...body, client: client(12) });
  problem(taken, 409, 'SLOT_TAKEN');

  // The same request again: the same booking and intent, nothing new at Stripe.
  const replay = await book(srv.url, body, key);
  assert.equal(replay.status, 201, replay.text);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.json.booking.id, b.id);
  assert.equal(replay.json.booking.manage_token, b.manage_token);
  assert.equal(replay.json.booking.payment.client_secret, intent.client_secret);
  assert.equal(replay.json.booking.payment.publishable_key, PUBLISHABLE);
  assert.equal(intentOf(stripe, b.id).length, 1);
  assert.equal(createCalls(stripe, b.id).length, 1, 'a stored intent is not asked for again');

  // The client's page, reloaded, can show the payment form again; the provider never sees its secret.
  const read = await getBooking(srv.url, b);
  assert.equal(read.status, 200, read.text);
  assert.equal(read.json.booking.payment.client_secret, intent.client_secret);
  assert.equal(read.json.booking.payment.publishable_key, PUBLISHABLE);
  const listed = await request(srv.url, 'GET', '/v1/providers/p1/bookings?from=2026-11-25&to=2026-11-25', { headers: admin });
  const mine = listed.json.bookings.find((x) => x.id === b.id);
  assert.equal(mine.payment.status, 'requires_payment_method');
  assert.equal(mine.payment.client_secret, undefined);
  assert.equal(mine.payment.publishable_key, undefined);
  assert.ok(!listed.text.includes(intent.client_secret));

  // Stripe.js confirms the card; Stripe's webhook moves the booking on.
  stripe.succeed(intent.id);
  await until('the booking CONFIRMED', async () => (await getBooking(srv.url, b)).json.booking.status === 'CONFIRMED');
  const paid = (await getBooking(srv.url, b)).json.booking;
  assert.equal(paid.payment.status, 'succeeded');
  assert.equal(paid.payment.amount_received, 10000);
  assert.equal(paid.payment.client_secret, undefined, 'no secret once paid');
  assert.equal(paid.expires_at, undefined);
  const event = stripe.eventsOf('payment_intent.succeeded').find((e) => e.data.object.id === intent.id);
  assert.deepEqual(db.sql(`SELECT outcome FROM stripe_events WHERE event_id = '${event.id}'`), [['payment_succeeded']]);

  // Announced as a booking made now: booking.created (CONFIRMED, paid), then payment.succeeded, and the mails.
  await until('booking.created and payment.succeeded at the provider', () => receiver.of('booking.created', b.id).length && receiver.of('payment.succeeded', b.id).length);
  const created = receiver.of('booking.created', b.id)[0].data.booking;
  assert.equal(created.status, 'CONFIRMED');
  assert.equal(created.payment.status, 'succeeded');
  assert.equal(created.payment.amount_received, 10000);
  assert.equal(created.payment.client_secret, undefined);
  assert.equal(receiver.of('payment.succeeded', b.id)[0].data.booking.payment.amount_received, 10000);
  await until('the booking mail to the client', () => mailsTo(srv.mailDir, client(11).email).length > 0);

  // Stripe's "Resend" of the same event: a duplicate; nothing is announced twice.
  assert.equal((await stripe.resend(event.id)).status, 200);
  assert.equal(JSON.parse(stripe.deliveries.at(-1).answer).duplicate, true);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.equal(receiver.of('booking.created', b.id).length, 1);
  assert.equal(receiver.of('payment.succeeded', b.id).length, 1);

  // A deposit for a service the provider confirms: PENDING once paid.
  const v = await book(srv.url, { provider: 'p1', service: 'video', start: slotAt(2, 300), client: client(13) });
  assert.equal(v.status, 201, v.text);
  const vb = v.json.booking;
  assert.equal(vb.status, 'HELD');
  assert.deepEqual([vb.payment.mode, vb.payment.amount, vb.payment.currency], ['deposit', 1500, 'EUR']);
  const vIntent = intentOf(stripe, vb.id)[0];
  assert.equal(vIntent.amount, 1500);
  stripe.succeed(vIntent.id);
  await until('the deposit booking PENDING', async () => (await getBooking(srv.url, vb)).json.booking.status === 'PENDING');
  const [[pendingUntil]] = db.sql(`SELECT expires_at FROM bookings WHERE id = '${vb.id}'`);
  assert.ok(Number(pendingUntil) * 1000 > Date.parse(NOW) + 60 * 60000, 'a request waits for the provider now');
  await until('its booking.created', () => receiver.of('booking.created', vb.id).length === 1);
  assert.equal(receiver.of('booking.created', vb.id)[0].data.booking.status, 'PENDING');
});

test("webhooks with a bad signature or too old change nothing; reordered and replayed ones apply once", { timeout: 120000 }, async () => {
  const r = await book(srv.url, { provider: 'p1', service: 's30', start: slotAt(3, 180), client: client(21) });
  assert.equal(r.status, 201, r.text);
  const b = r.json.booking;
  const intent = intentOf(stripe, b.id)[0];

  // A declined card first, then the good one; every delivery held.
  stripe.configureWebhooks({ hold: true, events: ['payment_intent.payment_failed', 'payment_intent.succeeded'] });
  stripe.fail(intent.id);
  stripe.succeed(intent.id);
  const succeeded = stripe.eventsOf('payment_intent.succeeded').find((e) => e.data.object.id === intent.id);
  stripe.configureWebhooks({ hold: false, events: ['*'] });
  // Not signed by Stripe's secret, or signed too long ago: refused, nothing applied.
  stripe.configureWebhooks({ wrongSecretNext: 1 });
  assert.equal((await stripe.resend(succeeded.id)).status, 400);
  stripe.configureWebhooks({ timestampOffsetNext: -400 });
  assert.equal((await stripe.resend(succeeded.id)).status, 400);
  assert.equal(storedStatus(db, b.id), 'HELD');
  assert.deepEqual(db.sql(`SELECT count(*) FROM stripe_events WHERE event_id = '${succeeded.id}'`), [['0']]);
  // The held deliveries arrive reversed: the success before the failure.
  const released = await stripe.release({ order: 'reverse' });
  assert.ok(released.every((d) => d.status === 200), JSON.stringify(released));
  assert.equal(storedStatus(db, b.id), 'CONFIRMED');
  assert.deepEqual(db.sql(`SELECT status, amount_received FROM payments WHERE booking_id = '${b.id}'`), [['succeeded', '10000']]);
  // Replays of both: duplicates.
  for (const e of stripe.events.filter((x) => x.data.object.id === intent.id && x.type.startsWith('payment_intent.')))
    assert.equal((await stripe.resend(e.id)).status, 200);
  assert.equal(storedStatus(db, b.id), 'CONFIRMED');
  await until('one booking.created', () => receiver.of('booking.created', b.id).length === 1);
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(receiver.of('booking.created', b.id).length, 1);
  assert.equal(receiver.of('payment.succeeded', b.id).length, 1);
  assert.deepEqual(db.sql(`SELECT count(*) FROM refunds WHERE booking_id = '${b.id}'`), [['0']]);
});

test('Stripe down at creation: 503 with Retry-After, the hold kept; the same request resumes with one intent', { timeout: 120000 }, async () => {
  const body = { provider: 'p1', service: 's30', start: slotAt(4, 180), client: client(31) };
  const key = 'flow-down-1';
  stripe.failNext(500);
  const down = await book(srv.url, body, key);
  problem(down, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
  assert.ok(Number(down.headers['retry-after']) > 0, 'Retry-After');
  const [[id, status]] = db.sql(`SELECT b.id, b.status FROM bookings b WHERE b.client_email = '${client(31).email}'`);
  assert.equal(status, 'HELD', 'the time stays held for the retry');
  assert.deepEqual(db.sql(`SELECT status, COALESCE(intent_id, '') FROM payments WHERE booking_id = '${id}'`), [['creating', '']]);
  problem(await book(srv.url, { ...body, client: client(32) }), 409, 'SLOT_TAKEN');

  stripe.failNext('drop');
  problem(await book(srv.url, body, key), 503, 'PAYMENT_PROVIDER_UNAVAILABLE');

  const again = await book(srv.url, body, key);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.json.booking.id, id);
  assert.equal(again.json.booking.status, 'HELD');
  const intents = intentOf(stripe, id);
  assert.equal(intents.length, 1, 'one intent at Stripe');
  assert.equal(again.json.booking.payment.client_secret, intents[0].client_secret);
  assert.ok(again.json.booking.manage_token);
  assert.ok(createCalls(stripe, id).length >= 2 && createCalls(stripe, id).every((q) => q.idempotencyKey === `slotwise-booking-${id}-intent`));
});

test('Stripe refusing the call (a wrong key): 503 at once, the time released, the replay answers the same', { timeout: 120000 }, async () => {
  const otherDb = await freshDatabase();
  const wrong = await paymentServer(otherDb, stripe, { secretKey: 'sk_test_not_the_right_one_0123456789' });
  await putProvider(wrong.url, 'p1', paidConfig());
  const body = { provider: 'p1', service: 's30', start: slotAt(4, 240), client: client(41) };
  const refused = await book(wrong.url, body, 'flow-refused-1');
  problem(refused, 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
  assert.equal(refused.headers['retry-after'], undefined, 'retrying cannot help');
  const [[id, status]] = otherDb.sql(`SELECT id, status FROM bookings WHERE client_email = '${client(41).email}'`);
  assert.equal(status, 'EXPIRED');
  assert.match(otherDb.sql(`SELECT status, last_error FROM payments WHERE booking_id = '${id}'`)[0].join(' '), /^failed STRIPE_AUTHENTICATION/);
  problem(await book(wrong.url, body, 'flow-refused-1'), 503, 'PAYMENT_PROVIDER_UNAVAILABLE');
  // The time is free again.
  const slots = await request(wrong.url, 'GET', `/v1/providers/p1/slots?service=s30&from=2026-11-27&to=2026-11-27`);
  assert.ok(slots.json.slots.some((s) => s.start === body.start), 'the released time is offered again');
  await wrong.stop();
});

test('no Stripe account (or one without a publishable key): a paid service is refused 422 PAYMENT_NOT_AVAILABLE, never booked unpaid', async () => {
  const plainDb = await freshDatabase();
  const plain = await startServer(plainDb, { args: ['--allow-private-targets'] });
  await putProvider(plain.url, 'p1', paidConfig());
  problem(await book(plain.url, { provider: 'p1', service: 's30', start: slotAt(1, 180), client: client(51) }), 422, 'PAYMENT_NOT_AVAILABLE');
  assert.deepEqual(plainDb.sql('SELECT count(*) FROM bookings'), [['0']]);
  await plain.stop();
  const halfDb = await freshDatabase();
  const half = await startServer(halfDb, { env: { SLOTWISE_STRIPE_SECRET_KEY: stripe.secretKey }, args: ['--allow-private-targets', '--stripe-api-base', stripe.url] });
  await putProvider(half.url, 'p1', paidConfig());
  problem(await book(half.url, { provider: 'p1', service: 's30', start: slotAt(1, 180), client: client(52) }), 422, 'PAYMENT_NOT_AVAILABLE');
  assert.deepEqual(halfDb.sql('SELECT count(*) FROM bookings'), [['0']]);
  await half.stop();
});

test('an unpaid hold expires: its time free, booking.expired sent, its intent cancelled; a payment after that is refunded', { timeout: 120000 }, async () => {
  const expDb = await freshDatabase();
  let server = await paymentServer(expDb, stripe, { args: ['--payment-hold-minutes', '5'] });
  await putProvider(server.url, 'p1', paidConfig());
  const hook = await request(server.url, 'POST', '/v1/providers/p1/webhooks', { body: { url: receiver.url, events: ['booking.expired', 'booking.created'] }, headers: admin });
  assert.equal(hook.status, 201, hook.text);
  const start = slotAt(5, 180);
  const unpaid = (await book(server.url, { provider: 'p1', service: 's30', start, client: client(61) })).json.booking;
  const late = (await book(server.url, { provider: 'p1', service: 's30', start: slotAt(5, 300), client: client(62) })).json.booking;
  assert.equal(unpaid.status, 'HELD');
  assert.equal(late.status, 'HELD');
  const held = Date.parse(unpaid.payment.expires_at) - Date.parse(NOW);
  assert.ok(held >= 5 * 60000 && held < 6 * 60000, `--payment-hold-minutes 5: ${unpaid.payment.expires_at}`);
  const slotsOf = async (base) => (await request(base, 'GET', '/v1/providers/p1/slots?service=s30&from=2026-11-28&to=2026-11-28')).json.slots.map((s) => s.start);
  assert.ok(!(await slotsOf(server.url)).includes(start), 'held time is not offered');
  // The second is paid at Stripe in time, but Stripe's webhook is late.
  const lateIntent = intentOf(stripe, late.id)[0];
  stripe.configureWebhooks({ hold: true });
  stripe.succeed(lateIntent.id);

  // Six minutes on, by the server's clock: the expiry jobs are due.
  await server.stop();
  // (The reconciliation would find the payment too; here Stripe's webhook is what tells.)
  server = await paymentServer(expDb, stripe, { now: shifted(6), args: ['--payment-reconcile-after', '3600'] });
  stripe.configureWebhooks({ hold: true });
  await until('the unpaid hold EXPIRED', () => storedStatus(expDb, unpaid.id) === 'EXPIRED');
  assert.ok((await slotsOf(server.url)).includes(start), 'the time is offered again');
  const unpaidIntent = intentOf(stripe, unpaid.id)[0];
  await until('its intent cancelled at Stripe', () => unpaidIntent.status === 'canceled' &&
    expDb.sql(`SELECT status FROM payments WHERE booking_id = '${unpaid.id}'`)[0][0] === 'canceled');
  const cancels = stripe.requests.filter((q) => q.path === `/v1/payment_intents/${unpaidIntent.id}/cancel`);
  assert.deepEqual(cancels.map((q) => [q.idempotencyKey, q.status]), [[`slotwise-booking-${unpaid.id}-cancel`, 200]]);
  await until('booking.expired at the provider', () => receiver.of('booking.expired', unpaid.id).length === 1);
  assert.equal(receiver.of('booking.expired', unpaid.id)[0].data.booking.status, 'EXPIRED');
  assert.equal(receiver.of('booking.created', unpaid.id).length, 0, 'never announced as made');
  assert.equal(mailsTo(server.mailDir, client(61).email).length, 0, 'no mail for a hold that was never a booking');

  // The paid one expired too (its webhook had not come): the cancel finds it paid and leaves it.
  await until('the late one EXPIRED', () => storedStatus(expDb, late.id) === 'EXPIRED');
  await until('its cancel refused by Stripe', () => stripe.requests.some((q) => q.path === `/v1/payment_intents/${lateIntent.id}/cancel` && q.status === 400));
  assert.equal(lateIntent.status, 'succeeded');
  // Now Stripe's webhook arrives: the money goes back, the booking stays EXPIRED.
  const released = await stripe.release();
  assert.ok(released.every((d) => d.status === 200), JSON.stringify(released));
  const paidEvent = stripe.eventsOf('payment_intent.succeeded').find((e) => e.data.object.id === lateIntent.id);
  assert.deepEqual(expDb.sql(`SELECT outcome FROM stripe_events WHERE event_id = '${paidEvent.id}'`), [['payment_refunded_late']]);
  assert.equal(storedStatus(expDb, late.id), 'EXPIRED');
  await until('the refund sent and settled', () => expDb.sql(`SELECT status FROM refunds WHERE booking_id = '${late.id}'`)[0]?.[0] === 'succeeded');
  assert.deepEqual(expDb.sql(`SELECT amount, currency, reason FROM refunds WHERE booking_id = '${late.id}'`), [['10000', 'EUR', 'payment after the hold expired']]);
  const refunds = [...stripe.refunds.values()].filter((x) => x.payment_intent === lateIntent.id);
  assert.equal(refunds.length, 1);
  assert.equal(refunds[0].amount, 10000);
  await until('the refunded amount counted', () => expDb.sql(`SELECT refunded_amount FROM payments WHERE booking_id = '${late.id}'`)[0][0] === '10000');
  const shown = (await getBooking(server.url, late)).json.booking;
  assert.equal(shown.status, 'EXPIRED');
  assert.equal(shown.payment.client_secret, undefined);
  assert.deepEqual(shown.payment.refunds.map((x) => [x.amount, x.status, x.reason]), [[10000, 'succeeded', 'payment after the hold expired']]);
  assert.equal(receiver.of('booking.created', late.id).length, 0);
  await server.stop();
});

test('a crash while Stripe answers the create: the retried request gets the same intent, paying it confirms the booking', { timeout: 120000 }, async () => {
  const crashDb = await freshDatabase();
  let server = await paymentServer(crashDb, stripe);
  await putProvider(server.url, 'p1', paidConfig());
  const body = { provider: 'p1', service: 's30', start: slotAt(6, 180), client: client(71) };
  const key = 'flow-crash-1';
  const before = stripe.intents.size;
  // Stripe's payment_intent.created is late too (it would tell us the
  // intent's id): the retry itself must find the intent.
  stripe.configureWebhooks({ hold: true });
  stripe.delayNextCreate(8000);
  const first = book(server.url, body, key).catch((e) => e);
  await until('the intent made at Stripe', () => stripe.intents.size === before + 1);
  await server.kill9();
  assert.ok(await first instanceof Error, 'the client never got an answer');
  const [[id, status]] = crashDb.sql(`SELECT id, status FROM bookings WHERE client_email = '${client(71).email}'`);
  assert.equal(status, 'HELD');
  assert.deepEqual(crashDb.sql(`SELECT status, COALESCE(intent_id, '') FROM payments WHERE booking_id = '${id}'`), [['creating', '']]);

  server = await paymentServer(crashDb, stripe);
  stripe.configureWebhooks({ hold: true });
  const again = await book(server.url, body, key);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.booking.id, id);
  assert.equal(again.json.booking.status, 'HELD');
  const intents = intentOf(stripe, id);
  assert.equal(intents.length, 1, 'one intent at Stripe: no double charge');
  assert.equal(stripe.intents.size, before + 1);
  assert.equal(again.json.booking.payment.client_secret, intents[0].client_secret);
  const calls = createCalls(stripe, id);
  assert.equal(calls.length, 2);
  assert.equal(calls[1].replayed, true, "Stripe replayed the first call's answer");
  assert.deepEqual(crashDb.sql(`SELECT intent_id, status FROM payments WHERE booking_id = '${id}'`), [[intents[0].id, 'requires_payment_method']]);

  const late = await stripe.release();
  assert.ok(late.every((d) => d.status === 200), JSON.stringify(late));
  stripe.succeed(intents[0].id);
  await until('the booking CONFIRMED', () => storedStatus(crashDb, id) === 'CONFIRMED');
  assert.deepEqual(crashDb.sql(`SELECT status, amount_received FROM payments WHERE booking_id = '${id}'`), [['succeeded', '10000']]);
  await server.stop();
});

test('the reconciliation settles a paid hold whose webhook was lost, as the webhook would have', { timeout: 120000 }, async () => {
  const recDb = await freshDatabase();
  const server = await paymentServer(recDb, stripe, { args: ['--payment-reconcile-after', '0', '--payment-reconcile-every', '1'] });
  await putProvider(server.url, 'p1', paidConfig());
  const r = await book(server.url, { provider: 'p1', service: 's30', start: slotAt(7, 180), client: client(81) });
  assert.equal(r.status, 201, r.text);
  const b = r.json.booking;
  stripe.configureWebhooks({ dropNext: 1000 });
  stripe.succeed(intentOf(stripe, b.id)[0].id);
  await until('the booking CONFIRMED by the reconciliation', () => storedStatus(recDb, b.id) === 'CONFIRMED');
  stripe.configureWebhooks({ dropNext: 0 });
  assert.deepEqual(recDb.sql("SELECT count(*) FROM stripe_events WHERE event_type = 'payment_intent.succeeded'"), [['0']], 'no webhook reached the server');
  assert.deepEqual(recDb.sql(`SELECT status, amount_received FROM payments WHERE booking_id = '${b.id}'`), [['succeeded', '10000']]);
  assert.deepEqual(recDb.sql(`SELECT count(*) FROM jobs WHERE key LIKE 'booking.event:${b.id}:%'`), [['2']], 'booking.created and payment.succeeded queued once');
  await server.stop();
});
