// The Stripe test server checked against an independent implementation:
// Stripe's own Node library (npm `stripe`) talks to it as it would talk to
// api.stripe.com, and verifies the webhooks it signs with
// stripe.webhooks.constructEvent. If the test server drifted from Stripe's
// wire format (form encoding, error shapes, idempotent replays, signatures),
// Stripe's library would be the one to notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startStripeTestServer, decodeForm, stripeSignature } from './stripe_test_server.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const StripeLib = createRequire(path.join(repo, 'web', 'package.json'))('stripe');

let stripe, client, receiver, received;

async function startReceiver() {
  received = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      received.push({ header: req.headers['stripe-signature'], body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"received":true}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/webhook` };
}

async function until(condition, what, ms = 10_000) {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

before(async () => {
  receiver = await startReceiver();
  stripe = await startStripeTestServer({ webhookUrl: receiver.url });
  const { port } = new URL(stripe.url);
  client = new StripeLib(stripe.secretKey, { host: '127.0.0.1', port: Number(port), protocol: 'http', maxNetworkRetries: 0, telemetry: false });
});
after(async () => {
  await stripe.settled();
  await stripe.stop();
  receiver.server.closeAllConnections?.();
  receiver.server.close();
});

test('bracket notation decodes into nested objects and arrays', () => {
  assert.deepEqual(decodeForm('amount=1000&metadata[booking]=b_1&metadata[a%20b]=x%26y&automatic_payment_methods[enabled]=true&expand[]=a&expand[]=b'),
    { amount: '1000', metadata: { booking: 'b_1', 'a b': 'x&y' }, automatic_payment_methods: { enabled: 'true' }, expand: ['a', 'b'] });
  assert.deepEqual(decodeForm('created[gte]=5&types[0]=x&types[1]=y'), { created: { gte: '5' }, types: ['x', 'y'] });
});

test("Stripe's library creates, reads and cancels a PaymentIntent", async () => {
  const intent = await client.paymentIntents.create({ amount: 5000, currency: 'eur', metadata: { booking: 'b_123' }, automatic_payment_methods: { enabled: true } });
  assert.match(intent.id, /^pi_[A-Za-z0-9]{24}$/);
  assert.match(intent.client_secret, new RegExp(`^${intent.id}_secret_[A-Za-z0-9]{25}$`));
  assert.equal(intent.status, 'requires_payment_method');
  assert.equal(intent.amount, 5000);
  assert.deepEqual(intent.metadata, { booking: 'b_123' });
  assert.equal(intent.automatic_payment_methods.enabled, true);
  const raw = stripe.requests.at(-1).raw;
  assert.match(raw, /metadata%5Bbooking%5D=b_123|metadata\[booking\]=b_123/, 'the library sent bracket notation');

  const again = await client.paymentIntents.retrieve(intent.id);
  assert.equal(again.id, intent.id);
  const canceled = await client.paymentIntents.cancel(intent.id, { cancellation_reason: 'abandoned' });
  assert.equal(canceled.status, 'canceled');
  await assert.rejects(client.paymentIntents.cancel(intent.id), (e) => e.type === 'StripeInvalidRequestError' && e.code === 'payment_intent_unexpected_state' && e.statusCode === 400);
});

test("errors arrive in Stripe's shape and the library reads them", async () => {
  await assert.rejects(client.paymentIntents.retrieve('pi_missing'), (e) => e.type === 'StripeInvalidRequestError' && e.code === 'resource_missing' && e.param === 'intent');
  await assert.rejects(client.paymentIntents.create({ currency: 'eur' }), (e) => e.code === 'parameter_missing' && e.param === 'amount');
  await assert.rejects(client.paymentIntents.create({ amount: 10, currency: 'eur' }), (e) => e.code === 'amount_too_small');
  await assert.rejects(client.paymentIntents.create({ amount: 1000, currency: 'eur', colour: 'red' }), (e) => e.code === 'parameter_unknown' && e.param === 'colour');
  await assert.rejects(client.paymentIntents.create({ amount: 1000, currency: 'eur', metadata: { ['k'.repeat(41)]: 'v' } }), (e) => e.type === 'StripeInvalidRequestError');
  const { port } = new URL(stripe.url);
  const wrong = new StripeLib('sk_test_wrong_key_123456', { host: '127.0.0.1', port: Number(port), protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  await assert.rejects(wrong.paymentIntents.retrieve('pi_x'), (e) => e.type === 'StripeAuthenticationError' && e.statusCode === 401 && /Invalid API Key provided: sk_test_\*+3456/.test(e.message));
  const bare = await fetch(`${stripe.url}/v1/payment_intents/pi_x`);
  assert.equal(bare.status, 401);
  const body = await bare.json();
  assert.equal(body.error.type, 'invalid_request_error');
  assert.match(body.error.message, /You did not provide an API key/);
  assert.ok(bare.headers.get('request-id').startsWith('req_'));
});

test('an Idempotency-Key replays the saved answer and refuses other parameters', async () => {
  const key = 'booking-b_42-intent';
  const first = await client.paymentIntents.create({ amount: 2500, currency: 'eur', metadata: { booking: 'b_42' } }, { idempotencyKey: key });
  const second = await client.paymentIntents.create({ amount: 2500, currency: 'eur', metadata: { booking: 'b_42' } }, { idempotencyKey: key });
  assert.equal(second.id, first.id, 'the same intent, not a second charge');
  assert.equal(second.lastResponse.headers['idempotent-replayed'], 'true');
  assert.equal(first.lastResponse.headers['idempotent-replayed'], undefined);
  assert.equal(second.lastResponse.idempotencyKey, key);
  assert.equal([...stripe.intents.values()].filter((i) => i.metadata.booking === 'b_42').length, 1);
  await assert.rejects(client.paymentIntents.create({ amount: 2600, currency: 'eur', metadata: { booking: 'b_42' } }, { idempotencyKey: key }),
    (e) => e.type === 'StripeIdempotencyError' && e.statusCode === 400);
  // An error after the request began is saved and replayed too; a validation error is not.
  await assert.rejects(client.paymentIntents.create({ amount: 1, currency: 'eur' }, { idempotencyKey: 'small' }), (e) => e.code === 'amount_too_small');
  await assert.rejects(client.paymentIntents.create({ amount: 1, currency: 'eur' }, { idempotencyKey: 'small' }), (e) => e.code === 'amount_too_small' && e.headers['idempotent-replayed'] === 'true');
  await assert.rejects(client.paymentIntents.create({ currency: 'eur' }, { idempotencyKey: 'bad' }), (e) => e.code === 'parameter_missing');
  const later = await client.paymentIntents.create({ amount: 1000, currency: 'eur' }, { idempotencyKey: 'bad' });
  assert.equal(later.status, 'requires_payment_method', 'a key whose first use failed validation is free again');
});

test('a card payment succeeds, and webhooks verify with constructEvent', async () => {
  const intent = await client.paymentIntents.create({ amount: 3000, currency: 'eur', metadata: { booking: 'b_pay' } });
  const before = received.length;
  const res = await fetch(`${stripe.url}/_test/payment_intents/${intent.id}/succeed`, { method: 'POST' });
  assert.equal(res.status, 200);
  await until(() => received.slice(before).some((r) => r.body.includes('"payment_intent.succeeded"')), 'payment_intent.succeeded');
  const delivery = received.slice(before).find((r) => r.body.includes('"payment_intent.succeeded"'));
  assert.match(delivery.header, /^t=\d+,v1=[0-9a-f]{64},v0=[0-9a-f]{64}$/);
  const event = client.webhooks.constructEvent(delivery.body, delivery.header, stripe.webhookSecret);
  assert.equal(event.type, 'payment_intent.succeeded');
  assert.equal(event.data.object.id, intent.id);
  assert.equal(event.data.object.status, 'succeeded');
  assert.match(event.data.object.latest_charge, /^ch_/);
  assert.throws(() => client.webhooks.constructEvent(delivery.body, delivery.header, 'whsec_other'), (e) => e.type === 'StripeSignatureVerificationError');
  assert.throws(() => client.webhooks.constructEvent(delivery.body.replace('3000', '3001'), delivery.header, stripe.webhookSecret), (e) => e.type === 'StripeSignatureVerificationError');
  const retrieved = await client.paymentIntents.retrieve(intent.id);
  assert.equal(retrieved.amount_received, 3000);
});

test('signature controls: a wrong secret, an old timestamp, a tampered body fail constructEvent', async () => {
  const intent = await client.paymentIntents.create({ amount: 1000, currency: 'eur' });
  const cases = [{ wrongSecretNext: 1 }, { timestampOffsetNext: -400 }, { tamperNext: 1 }];
  await stripe.settled();
  stripe.configureWebhooks({ events: ['payment_intent.payment_failed'] });
  // The delivery of the event that fail() just made, found by its id: others may still be arriving.
  const failAndReceive = async () => {
    stripe.fail(intent.id);
    const id = stripe.eventsOf('payment_intent.payment_failed').at(-1).id;
    await until(() => received.some((r) => r.body.includes(`"${id}"`)), 'the failed payment event');
    return received.find((r) => r.body.includes(`"${id}"`));
  };
  for (const control of cases) {
    stripe.configureWebhooks(control);
    const d = await failAndReceive();
    assert.throws(() => client.webhooks.constructEvent(d.body, d.header, stripe.webhookSecret), (e) => e.type === 'StripeSignatureVerificationError', JSON.stringify(control));
  }
  const d = await failAndReceive();
  const event = client.webhooks.constructEvent(d.body, d.header, stripe.webhookSecret);
  assert.equal(event.type, 'payment_intent.payment_failed');
  assert.equal(event.data.object.last_payment_error.code, 'card_declined');
  stripe.configureWebhooks({ events: ['*'] });
});

test('our signature matches generateTestHeaderString for the same payload, secret and time', () => {
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' }, null, 2);
  const secret = 'whsec_test_secret';
  const header = client.webhooks.generateTestHeaderString({ payload, secret, timestamp: 1_700_000_000 });
  assert.equal(header, `t=1700000000,v1=${stripeSignature(secret, 1_700_000_000, payload)}`);
});

test('hold, release reversed, drop and resend', async () => {
  await stripe.settled();
  stripe.configureWebhooks({ hold: true, events: ['payment_intent.created', 'payment_intent.canceled'] });
  const intent = await client.paymentIntents.create({ amount: 1200, currency: 'eur' });
  await client.paymentIntents.cancel(intent.id);
  const before = received.length;
  const released = await stripe.release({ order: 'reverse' });
  assert.deepEqual(released.map((r) => r.type), ['payment_intent.canceled', 'payment_intent.created']);
  assert.deepEqual(received.slice(before).map((r) => JSON.parse(r.body).type), ['payment_intent.canceled', 'payment_intent.created']);

  stripe.configureWebhooks({ dropNext: 1 });
  const dropped = await client.paymentIntents.create({ amount: 1300, currency: 'eur' });
  await stripe.settled();
  const lost = stripe.deliveries.at(-1);
  assert.equal(lost.dropped, true);
  assert.equal(received.filter((r) => r.body.includes(dropped.id)).length, 0);
  const again = await stripe.resend(lost.eventId);
  assert.equal(again.status, 200);
  const got = received.filter((r) => r.body.includes(dropped.id));
  assert.equal(got.length, 1);
  assert.equal(client.webhooks.constructEvent(got[0].body, got[0].header, stripe.webhookSecret).id, lost.eventId);
  stripe.configureWebhooks({ events: ['*'] });
});

test('refunds: partial, the remainder, then charge_already_refunded; over-refund is amount_too_large', async () => {
  const intent = await client.paymentIntents.create({ amount: 5000, currency: 'eur' });
  await assert.rejects(client.refunds.create({ payment_intent: intent.id }), (e) => e.code === 'payment_intent_unexpected_state');
  stripe.succeed(intent.id);
  const first = await client.refunds.create({ payment_intent: intent.id, amount: 2000 }, { idempotencyKey: 'refund-1' });
  assert.match(first.id, /^re_/);
  assert.equal(first.status, 'succeeded');
  assert.equal(first.amount, 2000);
  const replay = await client.refunds.create({ payment_intent: intent.id, amount: 2000 }, { idempotencyKey: 'refund-1' });
  assert.equal(replay.id, first.id, 'a retried refund is the same refund');
  await assert.rejects(client.refunds.create({ payment_intent: intent.id, amount: 3001 }), (e) => e.code === 'amount_too_large' && e.param === 'amount');
  const rest = await client.refunds.create({ payment_intent: intent.id });
  assert.equal(rest.amount, 3000);
  await assert.rejects(client.refunds.create({ payment_intent: intent.id, amount: 1 }), (e) => e.code === 'charge_already_refunded');
  const refunded = stripe.eventsOf('charge.refunded').filter((e) => e.data.object.payment_intent === intent.id);
  assert.deepEqual(refunded.map((e) => e.data.object.amount_refunded), [2000, 5000]);
  assert.equal(refunded.at(-1).data.object.refunded, true);
  await stripe.settled();
});

test('events list: type filter, created[gte], paging with starting_after', async () => {
  const since = Math.floor(Date.now() / 1000) - 1;
  for (let i = 0; i < 5; i++) await client.paymentIntents.create({ amount: 1000 + i, currency: 'eur', metadata: { page: String(i) } });
  const page1 = await client.events.list({ type: 'payment_intent.created', created: { gte: since }, limit: 3 });
  assert.equal(page1.data.length, 3);
  assert.equal(page1.has_more, true);
  assert.ok(page1.data.every((e) => e.type === 'payment_intent.created'));
  assert.ok(page1.data[0].created >= page1.data[2].created, 'newest first');
  const page2 = await client.events.list({ type: 'payment_intent.created', created: { gte: since }, limit: 3, starting_after: page1.data.at(-1).id });
  const ids = new Set([...page1.data, ...page2.data].map((e) => e.id));
  assert.equal(ids.size, page1.data.length + page2.data.length, 'no event twice across pages');
  const all = [];
  for await (const e of client.events.list({ type: 'payment_intent.created', created: { gte: since }, limit: 2 })) all.push(e);
  assert.ok(all.filter((e) => e.data.object.metadata.page !== undefined).length === 5, 'auto-paging sees all five');
  await assert.rejects(client.events.list({ limit: 101 }), (e) => e.code === 'parameter_invalid_integer');
});

test('forced failures: 429, 500 and a dropped connection reach the library as Stripe errors', async () => {
  stripe.failNext(429, 500, 'drop', 'drop');
  await assert.rejects(client.paymentIntents.retrieve('pi_x'), (e) => e.statusCode === 429 && e.code === 'rate_limit');
  await assert.rejects(client.paymentIntents.retrieve('pi_x'), (e) => e.statusCode === 500 && e.type === 'StripeAPIError');
  // Stripe's library tries once more after a closed connection whatever
  // maxNetworkRetries says, so two drops reach it as a connection error.
  await assert.rejects(client.paymentIntents.retrieve('pi_x'), (e) => e.type === 'StripeConnectionError');
  assert.deepEqual(stripe.requests.slice(-2).map((r) => r.forced), ['drop', 'drop']);
});

test('delay_next_create: the intent exists (and its key replays) before the late answer arrives', async () => {
  const control = await fetch(`${stripe.url}/_test/payment_intents/delay_next_create`, { method: 'POST', body: JSON.stringify({ ms: 1500 }) });
  assert.equal(control.status, 200);
  const key = 'booking-b_late-intent';
  const params = { amount: 3000, currency: 'eur', metadata: { booking: 'b_late' } };
  const started = Date.now();
  const late = client.paymentIntents.create(params, { idempotencyKey: key });
  const made = () => [...stripe.intents.values()].filter((i) => i.metadata.booking === 'b_late');
  for (let i = 0; i < 100 && made().length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(made().length, 1, 'made at once');
  const replay = await client.paymentIntents.create(params, { idempotencyKey: key });
  assert.equal(replay.id, made()[0].id);
  assert.equal(replay.lastResponse.headers['idempotent-replayed'], 'true');
  const first = await late;
  assert.equal(first.id, made()[0].id);
  assert.ok(Date.now() - started >= 1400, 'answered late');
  assert.equal(made().length, 1);
});
