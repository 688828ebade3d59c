// A provider's own Stripe keys (issue 16 item 5): PUT, GET and DELETE
// /v1/providers/{id}/stripe against the Stripe test server
// (stripe_test_server.mjs): the key checked by one harmless call before it is
// kept, refused keys, test and live keys mixed, Stripe unreachable, nothing
// secret ever answered or stored in plain text, another account's 404, the
// operator's account as the fallback, and Stripe's webhook taking events
// signed by a provider's own secret only for that provider.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import {
  BACKEND, admin, book, cleanupAll, client, freshDatabase, problem, providerConfig, request, signIn, slotAt, startServer, tempDir,
} from './harness.mjs';
import { startStripeTestServer, stripeSignature } from './stripe_test_server.mjs';

after(cleanupAll);

const WEBHOOK = '/v1/payments/stripe/webhook';
const random = (n = 24) => crypto.randomBytes(n).toString('hex').slice(0, n);
const as = (who) => ({ authorization: `Bearer ${who.token}` });

async function stripeServer() {
  const stripe = await startStripeTestServer();
  after(() => stripe.stop());
  return stripe;
}

// An account of its own at the test server: a secret key it takes, the
// matching publishable key, and a webhook signing secret.
function account(stripe, mode = 'test') {
  const keys = { secret_key: `sk_${mode}_${random(32)}`, publishable_key: `pk_${mode}_${random(32)}`, webhook_secret: `whsec_${crypto.randomBytes(24).toString('base64')}` };
  stripe.acceptKey(keys.secret_key);
  return keys;
}

// A Stripe event about a PaymentIntent, signed as Stripe signs with `secret`.
function signedIntentEvent(secret, { intent = `pi_${random(24)}`, provider, type = 'payment_intent.succeeded', amount = 5000 } = {}) {
  const metadata = provider ? { slotwise_provider: provider } : {};
  const event = {
    id: `evt_${random(24)}`, object: 'event', api_version: '2024-06-20', created: Math.floor(Date.now() / 1000), livemode: false, type,
    data: { object: { id: intent, object: 'payment_intent', amount, amount_received: type === 'payment_intent.succeeded' ? amount : 0, currency: 'eur', status: 'succeeded', metadata } },
  };
  const body = JSON.stringify(event, null, 2);
  const t = Math.floor(Date.now() / 1000);
  return { event, body, header: `t=${t},v1=${stripeSignature(secret, t, body)}` };
}

async function deliver(server, signed) {
  return request(server.url, 'POST', WEBHOOK, { raw: signed.body, headers: { 'content-type': 'application/json', 'stripe-signature': signed.header } });
}

function assertNoSecret(text, keys) {
  for (const s of [keys.secret_key, keys.webhook_secret]) assert.ok(!text.includes(s), `a secret appears in: ${text}`);
}

// Every byte the SQLite database holds (its file and its write-ahead log).
function sqliteBytes(db) {
  const file = db.url.slice('sqlite:'.length);
  return [file, `${file}-wal`].filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f).toString('latin1')).join('');
}

test("a provider's own keys: checked, sealed, never answered; refusals; another account's 404; the webhook by the provider's own secret", { timeout: 180000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  const mailDir = tempDir('slotwise-mail-');
  // No operator account: the provider's keys are the only ones.
  const server = await startServer(db, { args: ['--allow-private-targets', '--stripe-api-base', stripe.url, '--mail-dir', mailDir, '--job-poll', '0.1'] });
  const owner = await signIn(server, 'keys-owner@example.com');
  const stranger = await signIn(server, 'keys-stranger@example.com');
  // One service: an account's free plan.
  const config = providerConfig();
  config.services = config.services.filter((x) => x.id === 's30');
  assert.equal((await request(server.url, 'PUT', '/v1/providers/k1', { body: config, headers: as(owner) })).status, 201);
  assert.equal((await request(server.url, 'PUT', '/v1/providers/k2', { body: config, headers: as(stranger) })).status, 201);
  const path = '/v1/providers/k1/stripe';

  const none = await request(server.url, 'GET', path, { headers: as(owner) });
  assert.equal(none.status, 200, none.text);
  assert.deepEqual(none.json, { source: 'none', webhook_url: `${server.url}${WEBHOOK}` });
  // No secret anywhere yet: the webhook is not there.
  problem(await deliver(server, signedIntentEvent('whsec_x', { provider: 'k1' })), 404, 'PAYMENTS_NOT_CONFIGURED');

  const keys = account(stripe);
  // Malformed documents: 400 at the member, nothing asked of Stripe.
  const asked = () => stripe.requests.filter((r) => r.path === '/v1/payment_intents' && r.method === 'GET').length;
  for (const [body, at] of [
    [{ publishable_key: keys.publishable_key }, '/secret_key'],
    [{ secret_key: keys.publishable_key, publishable_key: keys.publishable_key }, '/secret_key'],
    [{ secret_key: keys.secret_key, publishable_key: keys.secret_key }, '/publishable_key'],
    [{ secret_key: keys.secret_key, publishable_key: keys.publishable_key, webhook_secret: 'secret' }, '/webhook_secret'],
    [{ secret_key: `${keys.secret_key} x`, publishable_key: keys.publishable_key }, '/secret_key'],
    [{ secret_key: 'sk_' + random(20), publishable_key: keys.publishable_key }, '/secret_key'],
    [{ ...keys, account: 'acct_1' }, '/account'],
  ]) {
    const r = await request(server.url, 'PUT', path, { body, headers: as(owner) });
    problem(r, 400, 'INVALID_REQUEST');
    assert.equal(r.json.path, at, r.text);
  }
  problem(await request(server.url, 'PUT', path, { raw: '["sk_test_x"]', headers: { ...as(owner), 'content-type': 'application/json' } }), 400, 'INVALID_REQUEST');
  assert.equal(asked(), 0, 'malformed keys are never sent to Stripe');

  // Test and live keys together: refused before Stripe is asked.
  const mixed = await request(server.url, 'PUT', path, { body: { ...keys, publishable_key: `pk_live_${random(32)}` }, headers: as(owner) });
  problem(mixed, 422, 'STRIPE_KEYS_MISMATCHED');
  assertNoSecret(mixed.text, keys);
  assert.equal(asked(), 0);

  // A key Stripe does not know: refused, and not repeated in the answer.
  const unknown = { ...keys, secret_key: `sk_test_${random(32)}` };
  const rejected = await request(server.url, 'PUT', path, { body: unknown, headers: as(owner) });
  problem(rejected, 422, 'STRIPE_KEY_REJECTED');
  assertNoSecret(rejected.text, unknown);
  assert.equal(asked(), 1);

  // Stripe unreachable or failing: 503, nothing saved.
  stripe.failNext('drop');
  problem(await request(server.url, 'PUT', path, { body: keys, headers: as(owner) }), 503, 'STRIPE_UNAVAILABLE');
  stripe.failNext(500);
  const failing = await request(server.url, 'PUT', path, { body: keys, headers: as(owner) });
  problem(failing, 503, 'STRIPE_UNAVAILABLE');
  assert.ok(Number(failing.headers['retry-after']) > 0);
  stripe.reset();
  assert.equal((await request(server.url, 'GET', path, { headers: as(owner) })).json.source, 'none', 'nothing was saved');

  // The good keys: checked with one harmless read under the provider's own key, kept, never answered.
  const saved = await request(server.url, 'PUT', path, { body: keys, headers: as(owner) });
  assert.equal(saved.status, 200, saved.text);
  const expected = { source: 'provider', publishable_key: keys.publishable_key, secret_key_last4: keys.secret_key.slice(-4), webhook_secret_set: true, webhook_url: `${server.url}${WEBHOOK}`, livemode: false };
  assert.deepEqual(saved.json, expected);
  assertNoSecret(saved.text, keys);
  const check = stripe.requests.filter((r) => r.path === '/v1/payment_intents' && r.method === 'GET').at(-1);
  assert.equal(check.authorization, `Bearer ${keys.secret_key}`);
  assert.equal(check.status, 200);
  const got = await request(server.url, 'GET', path, { headers: as(owner) });
  assert.deepEqual(got.json, expected);
  assertNoSecret(got.text, keys);
  // The operator reaches it too.
  assert.deepEqual((await request(server.url, 'GET', path, { headers: admin })).json, expected);

  // Stored sealed: the columns are not the keys, and no byte of the database holds them.
  const [row] = db.sql("SELECT secret_key_sealed, webhook_secret_sealed, publishable_key, secret_key_last4 FROM provider_stripe_accounts WHERE provider_id = 'k1'");
  assert.equal(row.length, 4);
  assert.notEqual(row[0], keys.secret_key);
  assert.ok(!row[0].includes(keys.secret_key.slice(8)) && !row[1].includes(keys.webhook_secret.slice(6)), 'sealed columns hold no plaintext');
  assert.equal(row[2], keys.publishable_key);
  if (BACKEND === 'sqlite') {
    const bytes = sqliteBytes(db);
    assert.ok(bytes.includes(keys.publishable_key), 'the reading of the file works (the public key is there)');
    assert.ok(!bytes.includes(keys.secret_key) && !bytes.includes(keys.webhook_secret), 'the SQLite file holds no secret in plain text');
  }
  assert.ok(!server.output().includes(keys.secret_key) && !server.errors().includes(keys.secret_key), 'never logged');

  // Another account: 404 as for a provider that does not exist, for every method.
  for (const [method, body] of [['GET'], ['PUT', keys], ['DELETE']])
    problem(await request(server.url, method, path, { body, headers: as(stranger) }), 404, 'UNKNOWN_PROVIDER');
  assert.equal((await request(server.url, 'GET', path, { headers: as(owner) })).json.source, 'provider', 'the stranger changed nothing');

  // The stranger's own provider with its own keys.
  const otherKeys = account(stripe);
  const other = await request(server.url, 'PUT', '/v1/providers/k2/stripe', { body: otherKeys, headers: as(stranger) });
  assert.equal(other.status, 200, other.text);

  // Stripe's webhook: an event signed by k1's own secret about k1's intent is taken.
  const byOwn = await deliver(server, signedIntentEvent(keys.webhook_secret, { provider: 'k1' }));
  assert.equal(byOwn.status, 200, byOwn.text);
  assert.equal(byOwn.json.outcome, 'unknown_intent');
  // The same claim signed by another provider's secret is not.
  problem(await deliver(server, signedIntentEvent(otherKeys.webhook_secret, { provider: 'k1' })), 400, 'STRIPE_SIGNATURE_INVALID');
  problem(await deliver(server, signedIntentEvent(keys.webhook_secret, { provider: 'k2' })), 400, 'STRIPE_SIGNATURE_INVALID');
  problem(await deliver(server, signedIntentEvent(keys.webhook_secret, {})), 400, 'STRIPE_SIGNATURE_INVALID');
  assert.equal((await deliver(server, signedIntentEvent(otherKeys.webhook_secret, { provider: 'k2' }))).status, 200);

  // A payment of k1's: k2's secret cannot move it even when the event names k2;
  // k1's own secret does (found by the intent when metadata is absent).
  const booked = await book(server.url, { provider: 'k1', service: 's30', start: slotAt(1, 60), client: client(1) });
  assert.equal(booked.status, 201, booked.text);
  const intent = `pi_${random(24)}`;
  const now = Math.floor(Date.now() / 1000);
  db.sql(`INSERT INTO payments (booking_id, provider_id, mode, amount, currency, intent_id, status, expires_at, created_at, updated_at) VALUES ('${booked.json.booking.id}', 'k1', 'full', 5000, 'EUR', '${intent}', 'requires_payment_method', ${now + 900}, ${now}, ${now})`);
  problem(await deliver(server, signedIntentEvent(otherKeys.webhook_secret, { intent, provider: 'k2' })), 400, 'STRIPE_SIGNATURE_INVALID');
  assert.deepEqual(db.sql(`SELECT status FROM payments WHERE intent_id = '${intent}'`), [['requires_payment_method']]);
  const paid = await deliver(server, signedIntentEvent(keys.webhook_secret, { intent }));
  assert.equal(paid.status, 200, paid.text);
  assert.equal(paid.json.outcome, 'payment_succeeded');
  assert.deepEqual(db.sql(`SELECT status, amount_received FROM payments WHERE intent_id = '${intent}'`), [['succeeded', '5000']]);

  // Removed: the row is gone, the provider has no account, and its secret signs nothing now.
  assert.equal((await request(server.url, 'DELETE', path, { headers: as(owner) })).status, 204);
  assert.deepEqual((await request(server.url, 'GET', path, { headers: as(owner) })).json, { source: 'none', webhook_url: `${server.url}${WEBHOOK}` });
  assert.deepEqual(db.sql("SELECT count(*) FROM provider_stripe_accounts WHERE provider_id = 'k1'"), [['0']]);
  problem(await deliver(server, signedIntentEvent(keys.webhook_secret, { provider: 'k1' })), 400, 'STRIPE_SIGNATURE_INVALID');
  assert.equal((await request(server.url, 'DELETE', path, { headers: as(owner) })).status, 204, 'removing twice is fine');

  // Without a webhook secret the keys are kept, and the answer says so.
  const { webhook_secret: _unused, ...noHook } = account(stripe);
  const withoutHook = await request(server.url, 'PUT', path, { body: { ...noHook, webhook_secret: null }, headers: as(owner) });
  assert.equal(withoutHook.status, 200, withoutHook.text);
  assert.equal(withoutHook.json.webhook_secret_set, false);
  assert.deepEqual(db.sql("SELECT webhook_secret_sealed IS NULL FROM provider_stripe_accounts WHERE provider_id = 'k1'"), [[BACKEND === 'sqlite' ? '1' : 't']]);
});

test("the operator's account is the fallback: GET says so, a provider's keys win, DELETE falls back", { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const stripe = await stripeServer();
  const operatorPk = `pk_test_${random(32)}`;
  const server = await startServer(db, {
    env: { SLOTWISE_STRIPE_SECRET_KEY: stripe.secretKey, SLOTWISE_STRIPE_WEBHOOK_SECRET: stripe.webhookSecret, SLOTWISE_STRIPE_PUBLISHABLE_KEY: operatorPk },
    args: ['--allow-private-targets', '--stripe-api-base', stripe.url],
  });
  assert.equal((await request(server.url, 'PUT', '/v1/providers/op1', { body: providerConfig(), headers: admin })).status, 201);
  const path = '/v1/providers/op1/stripe';
  const operator = { source: 'operator', publishable_key: operatorPk, webhook_secret_set: true, webhook_url: `${server.url}${WEBHOOK}`, livemode: false };
  const first = await request(server.url, 'GET', path, { headers: admin });
  assert.deepEqual(first.json, operator);
  assert.ok(!first.text.includes(stripe.secretKey) && !first.text.includes(stripe.webhookSecret));
  problem(await request(server.url, 'GET', '/v1/providers/nobody/stripe', { headers: admin }), 404, 'UNKNOWN_PROVIDER');

  const keys = account(stripe);
  const saved = await request(server.url, 'PUT', path, { body: keys, headers: admin });
  assert.equal(saved.status, 200, saved.text);
  assert.equal(saved.json.source, 'provider');
  // The operator's secret still signs (tried first), the provider's too.
  assert.equal((await deliver(server, signedIntentEvent(stripe.webhookSecret, { provider: 'op1' }))).status, 200);
  assert.equal((await deliver(server, signedIntentEvent(keys.webhook_secret, { provider: 'op1' }))).status, 200);

  assert.equal((await request(server.url, 'DELETE', path, { headers: admin })).status, 204);
  assert.deepEqual((await request(server.url, 'GET', path, { headers: admin })).json, operator);
});
