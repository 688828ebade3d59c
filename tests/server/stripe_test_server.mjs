// A stand-in for the parts of Stripe's API that Slotwise calls, following
// Stripe's documentation (https://docs.stripe.com/api), so that payments can
// be tested offline: no Stripe emulator can be installed here (stripe-mock is
// on neither Debian nor npm), and stripe-mock would not move an intent or send
// webhooks anyway.
//
// What it checks and answers as Stripe does:
// - Auth: `Authorization: Bearer <secret key>` (or HTTP Basic with the key as
//   user, as Stripe also takes); without one or with another key: 401 with
//   Stripe's error shape {error: {type: "invalid_request_error", message, ...}}.
// - Bodies: application/x-www-form-urlencoded with Stripe's bracket notation
//   (metadata[booking]=..., automatic_payment_methods[enabled]=true,
//   expand[]=...), decoded by Node's URLSearchParams, not by code shared with
//   the server. Unknown parameters: 400 parameter_unknown; missing:
//   parameter_missing; a bad integer: parameter_invalid_integer.
// - POST /v1/payment_intents (amount, currency, metadata,
//   automatic_payment_methods[enabled], description, receipt_email, ...):
//   a PaymentIntent pi_... with client_secret pi_..._secret_..., status
//   requires_payment_method; amounts under the currency's minimum:
//   amount_too_small; over 99999999: amount_too_large; metadata limits
//   (50 keys, key 40 and value 500 characters).
// - GET /v1/payment_intents/:id (404 resource_missing), POST
//   /v1/payment_intents/:id/cancel (400 payment_intent_unexpected_state once
//   succeeded or canceled).
// - POST /v1/refunds (payment_intent or charge, amount; partial refunds add
//   up; the whole remainder without amount): charge_already_refunded once
//   nothing is left, amount_too_large over the remainder, and
//   payment_intent_unexpected_state before the payment succeeded.
// - GET /v1/events (type, types[], created[gt|gte|lt|lte], limit 1..100,
//   starting_after / ending_before): newest first, {object: "list", data,
//   has_more, url}.
// - GET /v1/payment_intents (limit 1..100): newest first, the same list shape.
//   Further secret keys may be accepted (acceptKey) for tests of accounts
//   other than the operator's; all keys share one set of objects.
// - Idempotency-Key on POST (https://docs.stripe.com/api/idempotent_requests):
//   the first answer of a request that began executing is saved (errors
//   included; a request refused by parameter validation is not); the same key
//   with the same method, path and parameters gets the saved answer again with
//   `Idempotent-Replayed: true`; with anything else, 400 idempotency_error;
//   while the first is still running, 409 idempotency_error. Every answer has
//   a Request-Id; a POST with a key echoes it in `Idempotency-Key`.
//
// Test controls (not Stripe's; under /_test/, no auth, and as methods of the
// returned object):
// - POST /_test/payment_intents/:id/succeed | fail: the card payment that
//   Stripe.js would confirm: succeed makes a charge ch_... and sends
//   charge.succeeded and payment_intent.succeeded; fail records
//   last_payment_error (card_declined, generic_decline), leaves the intent
//   requires_payment_method and sends payment_intent.payment_failed.
// - Refunds succeed at once (refund.created, charge.refunded, with
//   charge.refund.updated when finished) unless `refundsPending` is set; then
//   POST /_test/refunds/:id/succeed | fail finishes them (refund.updated,
//   charge.refunded / refund.failed).
// - POST /_test/payment_intents/delay_next_create {ms}: the next
//   PaymentIntent creation is made (and saved under its Idempotency-Key) at
//   once, but answered only after ms: a caller killed meanwhile never hears it.
// - POST /_test/stripe_js/confirm {client_secret, number} (CORS, text/plain
//   from a page) and GET /v3/: the browser side for the widget's tests; /v3/
//   serves tests/web/stripe_js_stand_in.js, whose confirmPayment posts here.
// - Webhooks go to `webhookUrl` (POST /_test/webhooks {url, secret, events})
//   signed as Stripe does: `Stripe-Signature: t=<unix seconds>,v1=<hex
//   HMAC-SHA256 of "t.body" keyed by the whole whsec_... string>` (test-mode
//   deliveries also carry a v0 entry, which receivers must ignore). The body
//   is the event as Stripe sends it, pretty-printed JSON. Controls: hold
//   (queue instead of sending) and release (in order or reversed), drop the
//   next n, a delay, sign the next n with a wrong secret, with a timestamp
//   offset (too old), or tamper with the body after signing; resend an event
//   (the same event id, newly signed, as Stripe's retries and the Dashboard's
//   "Resend" do). Every attempt is in `deliveries`.
//
// In a test: `const stripe = await startStripeTestServer({ secretKey, webhookUrl, webhookSecret })`;
// `stripe.url` is the base for --stripe-api-base. Alone: `node
// stripe_test_server.mjs [port]` prints its URL on the first line, then the
// keys it takes, and logs each request as a JSON line.
import http from 'node:http';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';

export const API_VERSION = '2024-06-20';

const ALPHANUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
function randomId(prefix, length = 24) {
  const bytes = crypto.randomBytes(length);
  let out = prefix;
  for (const b of bytes) out += ALPHANUM[b % ALPHANUM.length];
  return out;
}

// Minimum charge amounts in the smallest unit
// (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts).
const MINIMUM = { usd: 50, eur: 50, gbp: 30, chf: 50, aud: 50, cad: 50, dkk: 250, nok: 300, sek: 300, pln: 200, czk: 1500, jpy: 50, nzd: 50 };
const MAXIMUM = 99999999;
const ZERO_DECIMAL = new Set(['jpy', 'krw', 'vnd', 'clp']);
export const CURRENCIES = new Set(Object.keys(MINIMUM).concat(['krw', 'vnd', 'clp', 'huf', 'ron', 'bgn', 'isk', 'mxn', 'brl', 'sgd', 'hkd', 'inr']));

// Stripe's error object (https://docs.stripe.com/api/errors).
export class StripeError extends Error {
  constructor(status, type, message, { code, param, decline_code, payment_intent, saved = true } = {}) {
    super(message);
    this.status = status;
    this.body = { error: { type, message } };
    if (code) {
      this.body.error.code = code;
      this.body.error.doc_url = `https://docs.stripe.com/error-codes/${code.replace(/_/g, '-')}`;
    }
    if (param) this.body.error.param = param;
    if (decline_code) this.body.error.decline_code = decline_code;
    if (payment_intent) this.body.error.payment_intent = payment_intent;
    // Stripe saves no idempotent result for a request that failed validation.
    this.saved = saved;
  }
}
const invalid = (message, options) => new StripeError(400, 'invalid_request_error', message, options);
const validation = (message, code, param) => invalid(message, { code, param, saved: false });

// Stripe's bracket notation into nested objects: a[b]=1 -> {a: {b: '1'}},
// a[]=x&a[]=y and a[0]=x -> arrays. Later values of one key win, as in Rack.
export function decodeForm(raw) {
  const out = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    const m = /^([^[\]]+)((?:\[[^[\]]*\])*)$/.exec(key);
    if (!m) throw validation(`Invalid parameter name: ${key}`, 'parameter_unknown', key);
    const path = [m[1], ...[...m[2].matchAll(/\[([^[\]]*)\]/g)].map((s) => s[1])];
    let node = out;
    for (let i = 0; i < path.length - 1; i++) {
      const name = path[i], next = path[i + 1];
      const wantArray = next === '' || /^\d+$/.test(next);
      if (node[name] === undefined) node[name] = wantArray ? [] : {};
      if (typeof node[name] !== 'object') throw validation(`Invalid parameter: ${key}`, 'parameter_invalid_empty', key);
      node = node[name];
    }
    const last = path[path.length - 1];
    if (Array.isArray(node) && last === '') node.push(value);
    else node[last] = value;
  }
  return out;
}

// A canonical text of the parameters: the same request, however its fields
// were ordered, is the same text.
function canonical(value) {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') return `{${Object.keys(value).sort().map((k) => JSON.stringify(k) + ':' + canonical(value[k])).join(',')}}`;
  return JSON.stringify(value);
}

function only(params, allowed, prefix = '') {
  for (const key of Object.keys(params))
    if (!allowed.includes(key)) throw validation(`Received unknown parameter: ${prefix}${key}`, 'parameter_unknown', prefix + key);
}

function integer(params, name, { required = false, min = null } = {}) {
  const value = params[name];
  if (value === undefined || value === '') {
    if (required) throw validation(`Missing required param: ${name}.`, 'parameter_missing', name);
    return undefined;
  }
  if (typeof value !== 'string' || !/^-?\d+$/.test(value)) throw validation(`Invalid integer: ${value}`, 'parameter_invalid_integer', name);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw validation(`Invalid integer: ${value}`, 'parameter_invalid_integer', name);
  if (min !== null && n < min) throw validation(`This value must be greater than or equal to ${min}.`, 'parameter_invalid_integer', name);
  return n;
}

function metadataOf(params) {
  const metadata = params.metadata ?? {};
  if (metadata === '') return {};
  if (typeof metadata !== 'object' || Array.isArray(metadata)) throw validation('Invalid object', 'parameter_invalid_empty', 'metadata');
  const keys = Object.keys(metadata);
  if (keys.length > 50) throw validation('You can specify up to 50 keys in metadata.', 'parameter_invalid_empty', 'metadata');
  for (const k of keys) {
    if (k.length > 40) throw validation(`Metadata keys can have up to 40 characters. The key '${k}' has ${k.length}.`, 'parameter_invalid_string_blank', `metadata[${k}]`);
    if (typeof metadata[k] !== 'string') throw validation('Invalid metadata value', 'parameter_invalid_empty', `metadata[${k}]`);
    if (metadata[k].length > 500) throw validation(`Metadata values can have up to 500 characters, but you passed in a value that is ${metadata[k].length} characters.`, 'parameter_invalid_string_blank', `metadata[${k}]`);
  }
  return { ...metadata };
}

function formatAmount(amount, currency) {
  return ZERO_DECIMAL.has(currency) ? `${amount} ${currency}` : `${(amount / 100).toFixed(2)} ${currency}`;
}

// The signature Stripe puts in Stripe-Signature: hex HMAC-SHA256 of
// "t.body", keyed by the endpoint secret as it is written (whsec_... included).
export function stripeSignature(secret, timestamp, body) {
  return crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

// A PaymentIntent made at the test server as a merchant's own code would
// (EUR, automatic payment methods), for tests that pay outside the booking flow.
export async function createIntent(stripe, amount, metadata = {}) {
  const body = new URLSearchParams({ amount: String(amount), currency: 'eur', 'automatic_payment_methods[enabled]': 'true' });
  for (const [k, v] of Object.entries(metadata)) body.append(`metadata[${k}]`, v);
  const r = await fetch(`${stripe.url}/v1/payment_intents`, {
    method: 'POST', body, headers: { authorization: `Bearer ${stripe.secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
  });
  if (r.status !== 200) throw new Error(`creating a PaymentIntent at the test server: ${r.status} ${await r.text()}`);
  return r.json();
}

export async function startStripeTestServer({
  port = 0,
  secretKey = 'sk_test_' + randomId('', 32),
  webhookUrl = null,
  webhookSecret = 'whsec_' + crypto.randomBytes(24).toString('base64url'),
  enabledEvents = ['*'],
  refundsPending = false,
  log = null,
} = {}) {
  const requests = [];       // every API request: {at, method, path, params, idempotencyKey, status, replayed}
  const intents = new Map(); // id -> PaymentIntent
  const charges = new Map(); // id -> Charge
  const refunds = new Map(); // id -> Refund
  const events = [];         // oldest first
  const deliveries = [];     // every webhook attempt: {eventId, type, status, error, header, body, at}
  const idempotency = new Map(); // key -> {fingerprint, done, status, body}
  let pendingRefunds = refundsPending;
  let clock = null;          // seconds; null: the machine's clock
  const otherKeys = new Set(); // further secret keys taken as valid (acceptKey): other accounts' keys, sharing one set of objects

  const hooks = {
    url: webhookUrl, secret: webhookSecret, events: enabledEvents,
    hold: false, held: [], dropNext: 0, delayMs: 0, wrongSecretNext: 0, timestampOffsetNext: 0, timestampOffset: 0, tamperNext: 0,
    pending: new Set(),
  };

  const now = () => clock ?? Math.floor(Date.now() / 1000);

  // ---- events and webhooks ----

  function emit(type, object, request = null, previous = null) {
    const event = {
      id: randomId('evt_'), object: 'event', api_version: API_VERSION, created: now(),
      data: previous ? { object: structuredClone(object), previous_attributes: previous } : { object: structuredClone(object) },
      livemode: false, pending_webhooks: hooks.url ? 1 : 0,
      request: { id: request?.requestId ?? null, idempotency_key: request?.idempotencyKey ?? null },
      type,
    };
    events.push(event);
    if (hooks.url && (hooks.events.includes('*') || hooks.events.includes(type))) {
      if (hooks.hold) hooks.held.push(event);
      else deliver(event);
    }
    return event;
  }

  function signedHeader(body, { wrongSecret = false, timestampOffset = 0 } = {}) {
    const t = now() + timestampOffset;
    const secret = wrongSecret ? 'whsec_' + crypto.randomBytes(24).toString('base64url') : hooks.secret;
    // Test-mode deliveries carry a v0 signature too; a receiver must look only at v1.
    return `t=${t},v1=${stripeSignature(secret, t, body)},v0=${crypto.randomBytes(32).toString('hex')}`;
  }

  // One attempt to deliver `event`, as Stripe's webhook sender makes it.
  function deliver(event, { force = false } = {}) {
    const record = { eventId: event.id, type: event.type, status: null, error: null, header: null, body: null, at: Date.now(), dropped: false, answer: null };
    deliveries.push(record);
    if (!force && hooks.dropNext > 0) {
      hooks.dropNext--;
      record.dropped = true;
      return Promise.resolve(record);
    }
    let body = JSON.stringify(event, null, 2);
    const wrongSecret = hooks.wrongSecretNext > 0 && (hooks.wrongSecretNext--, true);
    const offset = hooks.timestampOffset + (hooks.timestampOffsetNext !== 0 ? hooks.timestampOffsetNext : 0);
    hooks.timestampOffsetNext = 0;
    record.header = signedHeader(body, { wrongSecret, timestampOffset: offset });
    if (hooks.tamperNext > 0) {
      hooks.tamperNext--;
      body = body.replace(/"amount": (\d+)/, (_, n) => `"amount": ${Number(n) + 1}`);
    }
    record.body = body;
    const send = () => new Promise((resolve) => {
      const target = new URL(hooks.url);
      const req = http.request(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': record.header, 'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)', 'content-length': Buffer.byteLength(body) },
        timeout: 10_000,
      }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => { record.status = res.statusCode; record.answer = Buffer.concat(chunks).toString('utf8').slice(0, 1000); resolve(record); });
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e) => { record.error = e.message; resolve(record); });
      req.end(body);
    });
    const p = (hooks.delayMs > 0 ? new Promise((r) => setTimeout(r, hooks.delayMs)).then(send) : send());
    hooks.pending.add(p);
    p.finally(() => hooks.pending.delete(p));
    return p;
  }

  // ---- resources ----

  function intentOrThrow(id) {
    const intent = intents.get(id);
    if (!intent) throw invalid(`No such payment_intent: '${id}'`, { code: 'resource_missing', param: 'intent' });
    return intent;
  }

  function createIntent(params, request) {
    only(params, ['amount', 'currency', 'metadata', 'automatic_payment_methods', 'description', 'receipt_email', 'payment_method_types', 'capture_method', 'statement_descriptor_suffix', 'expand']);
    const amount = integer(params, 'amount', { required: true, min: 1 });
    if (!params.currency) throw validation('Missing required param: currency.', 'parameter_missing', 'currency');
    const currency = String(params.currency).toLowerCase();
    if (!CURRENCIES.has(currency)) throw validation(`Invalid currency: ${currency}. Stripe currently supports these currencies: ${[...CURRENCIES].join(', ')}`, 'parameter_invalid_string', 'currency');
    const metadata = metadataOf(params);
    const apm = params.automatic_payment_methods;
    if (apm !== undefined) {
      if (typeof apm !== 'object') throw validation('Invalid object', 'parameter_invalid_empty', 'automatic_payment_methods');
      only(apm, ['enabled', 'allow_redirects'], 'automatic_payment_methods[');
      if (!['true', 'false'].includes(apm.enabled)) throw validation('Invalid boolean: ' + apm.enabled, 'parameter_invalid_boolean', 'automatic_payment_methods[enabled]');
      if (apm.enabled === 'true' && params.payment_method_types)
        throw validation('You may only specify one of these parameters: automatic_payment_methods, payment_method_types.', 'parameter_invalid_empty', 'automatic_payment_methods');
    }
    if (params.capture_method && !['automatic', 'automatic_async', 'manual'].includes(params.capture_method))
      throw validation(`Invalid capture_method: must be one of automatic, automatic_async, or manual`, 'parameter_invalid_empty', 'capture_method');
    // From here the request counts as begun: its errors are saved for replays.
    const minimum = MINIMUM[currency] ?? 50;
    if (amount < minimum) throw invalid(`Amount must be at least ${formatAmount(minimum, currency)}`, { code: 'amount_too_small', param: 'amount' });
    if (amount > MAXIMUM) throw invalid(`Amount must be no more than ${formatAmount(MAXIMUM, currency)}`, { code: 'amount_too_large', param: 'amount' });
    const id = randomId('pi_');
    const intent = {
      id, object: 'payment_intent', amount, amount_capturable: 0, amount_details: { tip: {} }, amount_received: 0,
      application: null, application_fee_amount: null,
      automatic_payment_methods: apm?.enabled === 'true' ? { allow_redirects: apm.allow_redirects ?? 'always', enabled: true } : null,
      canceled_at: null, cancellation_reason: null, capture_method: params.capture_method ?? 'automatic_async',
      client_secret: `${id}_secret_${randomId('', 25)}`, confirmation_method: 'automatic', created: now(), currency,
      customer: null, description: params.description ?? null, last_payment_error: null, latest_charge: null, livemode: false,
      metadata, next_action: null, on_behalf_of: null, payment_method: null,
      payment_method_types: params.payment_method_types ?? ['card'], processing: null, receipt_email: params.receipt_email ?? null,
      setup_future_usage: null, shipping: null, statement_descriptor: null, statement_descriptor_suffix: params.statement_descriptor_suffix ?? null,
      status: 'requires_payment_method', transfer_data: null, transfer_group: null,
    };
    intents.set(id, intent);
    emit('payment_intent.created', intent, request);
    return intent;
  }

  const CANCELABLE = ['requires_payment_method', 'requires_capture', 'requires_confirmation', 'requires_action', 'processing'];
  function cancelIntent(id, params, request) {
    only(params, ['cancellation_reason', 'expand']);
    const intent = intentOrThrow(id);
    if (params.cancellation_reason && !['duplicate', 'fraudulent', 'requested_by_customer', 'abandoned'].includes(params.cancellation_reason))
      throw validation('Invalid cancellation_reason: must be one of duplicate, fraudulent, requested_by_customer, or abandoned', 'parameter_invalid_empty', 'cancellation_reason');
    if (!CANCELABLE.includes(intent.status))
      throw invalid(`You cannot cancel this PaymentIntent because it has a status of ${intent.status}. Only a PaymentIntent with one of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
        { code: 'payment_intent_unexpected_state', payment_intent: structuredClone(intent) });
    intent.status = 'canceled';
    intent.canceled_at = now();
    intent.cancellation_reason = params.cancellation_reason ?? null;
    emit('payment_intent.canceled', intent, request);
    return intent;
  }

  function succeedIntent(id) {
    const intent = intentOrThrow(id);
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'].includes(intent.status))
      throw invalid(`This PaymentIntent's status is ${intent.status}; it cannot be paid.`, { code: 'payment_intent_unexpected_state' });
    const charge = {
      id: randomId('ch_'), object: 'charge', amount: intent.amount, amount_captured: intent.amount, amount_refunded: 0,
      captured: true, created: now(), currency: intent.currency, livemode: false, metadata: { ...intent.metadata }, paid: true,
      payment_intent: intent.id, payment_method: randomId('pm_'), refunded: false, status: 'succeeded',
      payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242', exp_month: 12, exp_year: 2034 } },
    };
    charges.set(charge.id, charge);
    intent.status = 'succeeded';
    intent.amount_received = intent.amount;
    intent.latest_charge = charge.id;
    intent.payment_method = charge.payment_method;
    intent.last_payment_error = null;
    emit('charge.succeeded', charge);
    emit('payment_intent.succeeded', intent);
    return intent;
  }

  function failIntent(id) {
    const intent = intentOrThrow(id);
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action', 'processing'].includes(intent.status))
      throw invalid(`This PaymentIntent's status is ${intent.status}; it cannot be paid.`, { code: 'payment_intent_unexpected_state' });
    intent.status = 'requires_payment_method';
    intent.last_payment_error = {
      type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.',
      doc_url: 'https://docs.stripe.com/error-codes/card-declined',
    };
    emit('payment_intent.payment_failed', intent);
    return intent;
  }

  // What Stripe.js's confirmPayment does at Stripe for a card: the client
  // secret names the intent (and must be its own); 4000 0000 0000 0002 is
  // declined as Stripe's test card is (402 card_error), any other number pays.
  function confirmFromStripeJs({ client_secret: secret, number } = {}) {
    const intent = typeof secret === 'string' ? intents.get(secret.split('_secret_')[0]) : null;
    if (!intent || intent.client_secret !== secret)
      return [404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent.', param: 'client_secret' } }];
    if (!['requires_payment_method', 'requires_confirmation', 'requires_action'].includes(intent.status))
      return [400, { error: { type: 'invalid_request_error', code: 'payment_intent_unexpected_state',
        message: `You cannot confirm this PaymentIntent because it has a status of ${intent.status}.`, payment_intent: structuredClone(intent) } }];
    if (String(number) === '4000000000000002') {
      failIntent(intent.id);
      return [402, { error: { ...structuredClone(intent.last_payment_error), payment_intent: structuredClone(intent) } }];
    }
    return [200, structuredClone(succeedIntent(intent.id))];
  }

  function createRefund(params, request) {
    only(params, ['payment_intent', 'charge', 'amount', 'reason', 'metadata', 'expand']);
    if (!params.payment_intent && !params.charge) throw validation('One of the following params should be provided for this request: payment_intent or charge.', 'parameter_missing', 'payment_intent');
    const amountParam = integer(params, 'amount', { min: 1 });
    if (params.reason && !['duplicate', 'fraudulent', 'requested_by_customer'].includes(params.reason))
      throw validation('Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer', 'parameter_invalid_empty', 'reason');
    const metadata = metadataOf(params);
    let charge;
    if (params.payment_intent) {
      const intent = intents.get(params.payment_intent);
      if (!intent) throw invalid(`No such payment_intent: '${params.payment_intent}'`, { code: 'resource_missing', param: 'payment_intent' });
      if (intent.status !== 'succeeded' || !intent.latest_charge)
        throw invalid(`This PaymentIntent (${intent.id}) does not have a successful charge to refund.`, { code: 'payment_intent_unexpected_state', param: 'payment_intent' });
      charge = charges.get(intent.latest_charge);
    } else {
      charge = charges.get(params.charge);
      if (!charge) throw invalid(`No such charge: '${params.charge}'`, { code: 'resource_missing', param: 'charge' });
    }
    // Refunds still pending count against what is left, as Stripe counts them.
    const pendingOrDone = [...refunds.values()].filter((r) => r.charge === charge.id && ['pending', 'succeeded'].includes(r.status)).reduce((s, r) => s + r.amount, 0);
    const left = charge.amount - pendingOrDone;
    if (left <= 0) throw invalid(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded' });
    const amount = amountParam ?? left;
    if (amount > left)
      throw invalid(`Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(left, charge.currency)})`, { code: 'amount_too_large', param: 'amount' });
    const refund = {
      id: randomId('re_'), object: 'refund', amount, balance_transaction: null, charge: charge.id, created: now(), currency: charge.currency,
      metadata, payment_intent: charge.payment_intent, reason: params.reason ?? null, receipt_number: null, source_transfer_reversal: null,
      status: pendingRefunds ? 'pending' : 'succeeded', transfer_reversal: null,
    };
    refunds.set(refund.id, refund);
    emit('refund.created', refund, request);
    if (refund.status === 'succeeded') refundFinished(refund, charge, request);
    return refund;
  }

  function refundFinished(refund, charge, request = null) {
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += refund.amount;
    charge.refunded = charge.amount_refunded >= charge.amount;
    emit('charge.refunded', { ...charge, refunds: { object: 'list', data: [...refunds.values()].filter((r) => r.charge === charge.id), has_more: false } }, request, previous);
    emit('charge.refund.updated', refund, request);
  }

  function settleRefund(id, outcome) {
    const refund = refunds.get(id);
    if (!refund) throw invalid(`No such refund: '${id}'`, { code: 'resource_missing', param: 'id' });
    if (refund.status !== 'pending') throw invalid(`Refund ${id} is ${refund.status}, not pending.`, { code: 'refund_unexpected_state' });
    if (outcome === 'succeed') {
      refund.status = 'succeeded';
      emit('refund.updated', refund, null, { status: 'pending' });
      refundFinished(refund, charges.get(refund.charge));
    } else {
      refund.status = 'failed';
      refund.failure_reason = 'expired_or_canceled_card';
      emit('refund.updated', refund, null, { status: 'pending' });
      emit('refund.failed', refund);
    }
    return refund;
  }

  function listEvents(query) {
    const params = decodeForm(query);
    only(params, ['type', 'types', 'created', 'limit', 'starting_after', 'ending_before', 'delivery_success']);
    const limit = integer(params, 'limit', { min: 1 }) ?? 10;
    if (limit > 100) throw validation('This value must be less than or equal to 100.', 'parameter_invalid_integer', 'limit');
    if (params.type && params.types) throw validation('You may only specify one of these parameters: type, types.', 'parameter_invalid_empty', 'type');
    const typeMatch = (t) => {
      const patterns = params.types ? [].concat(params.types) : params.type ? [params.type] : null;
      return !patterns || patterns.some((p) => (p.endsWith('.*') ? t.startsWith(p.slice(0, -1)) : t === p));
    };
    let created = () => true;
    if (params.created !== undefined) {
      if (typeof params.created === 'string') { const c = integer(params, 'created'); created = (x) => x === c; }
      else {
        only(params.created, ['gt', 'gte', 'lt', 'lte'], 'created[');
        const bound = {};
        for (const k of Object.keys(params.created)) bound[k] = integer(params.created, k);
        created = (x) => (bound.gt === undefined || x > bound.gt) && (bound.gte === undefined || x >= bound.gte) &&
          (bound.lt === undefined || x < bound.lt) && (bound.lte === undefined || x <= bound.lte);
      }
    }
    let list = events.slice().reverse().filter((e) => typeMatch(e.type) && created(e.created));
    if (params.starting_after) {
      const i = list.findIndex((e) => e.id === params.starting_after);
      if (i < 0 && !events.some((e) => e.id === params.starting_after)) throw invalid(`No such event: '${params.starting_after}'`, { code: 'resource_missing', param: 'starting_after' });
      list = list.slice(i + 1);
    } else if (params.ending_before) {
      const i = list.findIndex((e) => e.id === params.ending_before);
      if (i < 0 && !events.some((e) => e.id === params.ending_before)) throw invalid(`No such event: '${params.ending_before}'`, { code: 'resource_missing', param: 'ending_before' });
      const before = list.slice(0, Math.max(i, 0));
      return { object: 'list', data: before.slice(-limit), has_more: before.length > limit, url: '/v1/events' };
    }
    return { object: 'list', data: list.slice(0, limit), has_more: list.length > limit, url: '/v1/events' };
  }

  // GET /v1/payment_intents (limit 1..100, newest first); what a provider's
  // key is checked with before it is saved.
  function listIntents(query) {
    const q = new URLSearchParams(query);
    for (const k of q.keys()) if (k !== 'limit') throw invalid(`Received unknown parameter: ${k}`, { code: 'parameter_unknown', param: k });
    const limit = q.has('limit') ? Number(q.get('limit')) : 10;
    if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw invalid('Invalid integer: ' + q.get('limit'), { code: 'parameter_invalid_integer', param: 'limit' });
    const list = [...intents.values()].reverse();
    return { object: 'list', data: list.slice(0, limit), has_more: list.length > limit, url: '/v1/payment_intents' };
  }

  // ---- HTTP ----

  function authenticated(header) {
    if (!header) return { missing: true };
    let key = null;
    const bearer = /^Bearer (\S+)$/.exec(header);
    if (bearer) key = bearer[1];
    const basic = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header);
    if (basic) key = Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0];
    return { key, ok: key === secretKey || otherKeys.has(key) };
  }

  function masked(key) {
    if (!key) return '';
    return key.length > 8 ? key.slice(0, 8) + '*'.repeat(Math.max(0, key.length - 12)) + key.slice(-4) : '****';
  }

  function route(method, path, params, request) {
    let m;
    if (method === 'POST' && path === '/v1/payment_intents') return createIntent(params, request);
    if ((m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path)) && method === 'GET') return intentOrThrow(decodeURIComponent(m[1]));
    if ((m = /^\/v1\/payment_intents\/([^/]+)\/cancel$/.exec(path)) && method === 'POST') return cancelIntent(decodeURIComponent(m[1]), params, request);
    if (method === 'POST' && path === '/v1/refunds') return createRefund(params, request);
    if ((m = /^\/v1\/refunds\/([^/]+)$/.exec(path)) && method === 'GET') {
      const r = refunds.get(decodeURIComponent(m[1]));
      if (!r) throw invalid(`No such refund: '${m[1]}'`, { code: 'resource_missing', param: 'id' });
      return r;
    }
    if (method === 'GET' && path === '/v1/events') return listEvents(request.query);
    if ((m = /^\/v1\/events\/([^/]+)$/.exec(path)) && method === 'GET') {
      const e = events.find((x) => x.id === decodeURIComponent(m[1]));
      if (!e) throw invalid(`No such event: '${m[1]}'`, { code: 'resource_missing', param: 'id' });
      return e;
    }
    if (method === 'GET' && path === '/v1/payment_intents') return listIntents(request.query);
    throw new StripeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`, { saved: false });
  }

  function send(res, status, body, headers = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'stripe-version': API_VERSION, ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body, null, 2));
  }

  async function handleTest(req, res, url, raw) {
    let m;
    try {
      const body = raw ? JSON.parse(raw) : {};
      if ((m = /^\/_test\/payment_intents\/([^/]+)\/(succeed|fail)$/.exec(url.pathname)) && req.method === 'POST')
        return send(res, 200, m[2] === 'succeed' ? succeedIntent(m[1]) : failIntent(m[1]));
      if ((m = /^\/_test\/refunds\/([^/]+)\/(succeed|fail)$/.exec(url.pathname)) && req.method === 'POST') return send(res, 200, settleRefund(m[1], m[2]));
      if ((m = /^\/_test\/events\/([^/]+)\/resend$/.exec(url.pathname)) && req.method === 'POST') return send(res, 200, await api.resend(m[1]));
      if (url.pathname === '/_test/webhooks' && req.method === 'POST') { api.configureWebhooks(body); return send(res, 200, { ok: true }); }
      if (url.pathname === '/_test/webhooks/release' && req.method === 'POST') return send(res, 200, await api.release(body));
      if (url.pathname === '/_test/clock' && req.method === 'POST') { clock = body.now ?? null; return send(res, 200, { now: now() }); }
      if (url.pathname === '/_test/payment_intents/delay_next_create' && req.method === 'POST') { api.delayNextCreate(body.ms ?? 0); return send(res, 200, { ok: true }); }
      // The browser's side of a card payment, for the Stripe.js stand-in
      // (tests/web/stripe_js_stand_in.js): a simple CORS request from the page.
      if (url.pathname === '/_test/stripe_js/confirm' && req.method === 'POST') {
        const [status, answer] = confirmFromStripeJs(body);
        return send(res, status, answer, { 'access-control-allow-origin': '*' });
      }
      return send(res, 404, { error: { type: 'invalid_request_error', message: 'no such test control' } });
    } catch (e) {
      if (e instanceof StripeError) return send(res, e.status, e.body);
      return send(res, 400, { error: { type: 'invalid_request_error', message: String(e.message) } });
    }
  }

  function handle(req, res, raw) {
    const url = new URL(req.url, 'http://stripe.test');
    if (url.pathname.startsWith('/_test/')) return handleTest(req, res, url, raw);
    // The Stripe.js stand-in, where a page would load https://js.stripe.com/v3/.
    if (req.method === 'GET' && /^\/v3\/?$/.test(url.pathname)) {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      return res.end(readFileSync(new URL('../web/stripe_js_stand_in.js', import.meta.url)));
    }
    const requestId = randomId('req_', 14);
    const idempotencyKey = req.method === 'POST' ? req.headers['idempotency-key'] ?? null : null;
    const record = { at: Date.now(), method: req.method, path: url.pathname, query: url.search.slice(1), raw, params: null, idempotencyKey, requestId, status: null, replayed: false, authorization: req.headers.authorization ?? '', contentType: req.headers['content-type'] ?? '' };
    requests.push(record);
    const headers = { 'request-id': requestId };
    if (idempotencyKey !== null) headers['idempotency-key'] = idempotencyKey;
    const finish = (status, body, extra = {}) => {
      record.status = status;
      record.answer = body;
      if (log) log(JSON.stringify({ method: record.method, path: record.path, status, idempotencyKey, replayed: record.replayed }));
      send(res, status, body, { ...headers, ...extra });
    };

    const auth = authenticated(req.headers.authorization);
    if (auth.missing) return finish(401, { error: { type: 'invalid_request_error', message: "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/." } });
    if (!auth.ok) return finish(401, { error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked(auth.key)}` } });

    let params;
    try {
      if (req.method === 'POST') {
        if (raw && !/^application\/x-www-form-urlencoded\b/i.test(record.contentType))
          throw validation('Invalid request: the body must be application/x-www-form-urlencoded.', 'parameter_invalid_empty');
        params = decodeForm(raw);
      } else params = {};
    } catch (e) {
      return finish(e.status, e.body);
    }
    record.params = params;
    if (idempotencyKey !== null && idempotencyKey.length > 255)
      return finish(400, { error: { type: 'invalid_request_error', message: 'Idempotency keys can be at most 255 characters long.' } });
    const fingerprint = `${req.method} ${url.pathname} ${canonical(params)}`;
    if (idempotencyKey !== null) {
      const saved = idempotency.get(idempotencyKey);
      if (saved) {
        if (saved.fingerprint !== fingerprint)
          return finish(400, { error: { type: 'idempotency_error', message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.` } });
        if (!saved.done)
          return finish(409, { error: { type: 'idempotency_error', message: 'There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): ' + idempotencyKey + '. Please try again later.' } });
        record.replayed = true;
        return finish(saved.status, saved.body, { 'idempotent-replayed': 'true', 'original-request': saved.requestId });
      }
      idempotency.set(idempotencyKey, { fingerprint, done: false, requestId });
    }
    let status, body;
    try {
      body = route(req.method, url.pathname, params, { requestId, idempotencyKey, query: record.query });
      status = 200;
    } catch (e) {
      if (!(e instanceof StripeError)) {
        e = new StripeError(500, 'api_error', 'An unknown error occurred: ' + e.message);
      }
      if (idempotencyKey !== null && !e.saved) idempotency.delete(idempotencyKey);
      else if (idempotencyKey !== null) Object.assign(idempotency.get(idempotencyKey), { done: true, status: e.status, body: e.body });
      return finish(e.status, e.body);
    }
    const text = structuredClone(body);
    if (idempotencyKey !== null) Object.assign(idempotency.get(idempotencyKey), { done: true, status, body: text });
    // The intent exists from here on; only its answer is late (a slow
    // network, or a caller that dies before it arrives).
    if (req.method === 'POST' && url.pathname === '/v1/payment_intents' && createDelays.length) {
      const ms = createDelays.shift();
      record.delayedMs = ms;
      return setTimeout(() => { if (!res.destroyed && !res.socket?.destroyed) finish(status, text); }, ms);
    }
    return finish(status, text);
  }

  // Failures forced on the next API requests: an HTTP status with Stripe's
  // error for it (429 rate_limit, 500 api_error, ...) or 'drop' (no answer).
  const failures = [];
  // Delays (ms) of the answers to the next PaymentIntent creations, made at once and answered late.
  const createDelays = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (!req.url.startsWith('/_test/') && failures.length) {
        const forced = failures.shift();
        requests.push({ at: Date.now(), method: req.method, path: req.url, raw, forced, idempotencyKey: req.headers['idempotency-key'] ?? null, status: forced === 'drop' ? 0 : forced });
        if (forced === 'drop') return req.socket.destroy();
        const body = forced === 429
          ? { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.' } }
          : { error: { type: 'api_error', message: 'An unknown error occurred' } };
        return send(res, forced, body, { 'request-id': randomId('req_', 14) });
      }
      handle(req, res, raw);
    });
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;

  const api = {
    url, secretKey, get webhookSecret() { return hooks.secret; }, requests, intents, charges, refunds, events, deliveries,
    succeed: (id) => succeedIntent(id),
    fail: (id) => failIntent(id),
    settleRefund: (id, outcome = 'succeed') => settleRefund(id, outcome),
    // Each entry fails one API request, in order: 429, 500, 503, ... or 'drop'.
    failNext(...entries) { failures.push(...entries); },
    configureWebhooks({ url: u, secret, events: evs, hold, dropNext, delayMs, wrongSecretNext, timestampOffsetNext, timestampOffset, tamperNext } = {}) {
      if (u !== undefined) hooks.url = u;
      if (secret !== undefined) hooks.secret = secret;
      if (evs !== undefined) hooks.events = evs;
      if (hold !== undefined) hooks.hold = hold;
      if (dropNext !== undefined) hooks.dropNext = dropNext;
      if (delayMs !== undefined) hooks.delayMs = delayMs;
      if (wrongSecretNext !== undefined) hooks.wrongSecretNext = wrongSecretNext;
      if (timestampOffsetNext !== undefined) hooks.timestampOffsetNext = timestampOffsetNext;
      if (timestampOffset !== undefined) hooks.timestampOffset = timestampOffset;
      if (tamperNext !== undefined) hooks.tamperNext = tamperNext;
    },
    // Sends the held events, in the order they happened or reversed; the held
    // queue is emptied and holding stops unless `keepHolding`.
    async release({ order = 'fifo', keepHolding = false } = {}) {
      const batch = hooks.held.splice(0);
      if (order === 'reverse') batch.reverse();
      if (!keepHolding) hooks.hold = false;
      const out = [];
      for (const e of batch) out.push(await deliver(e));
      return out.map((r) => ({ eventId: r.eventId, type: r.type, status: r.status, error: r.error }));
    },
    // The same event again, newly signed (Stripe's retries and "Resend").
    async resend(eventId, options = {}) {
      const e = events.find((x) => x.id === eventId);
      if (!e) throw invalid(`No such event: '${eventId}'`, { code: 'resource_missing', param: 'id' });
      const r = await deliver(e, { force: true, ...options });
      return { eventId: r.eventId, type: r.type, status: r.status, error: r.error };
    },
    // Waits for every delivery under way.
    async settled() { while (hooks.pending.size) await Promise.all([...hooks.pending]); },
    eventsOf: (type) => events.filter((e) => e.type === type),
    setClock(seconds) { clock = seconds; },
    // The next POST /v1/payment_intents makes its intent at once and answers after `ms`.
    delayNextCreate(ms) { createDelays.push(ms); },
    // Whether new refunds stay pending until settleRefund() (as bank debits do) or succeed at once (cards).
    setRefundsPending(pending) { pendingRefunds = pending; },
    // Another account's secret key (a provider's own sk_/rk_) is taken too;
    // its objects are not kept apart from the others'.
    acceptKey(key) { otherKeys.add(key); },
    reset() { requests.length = 0; deliveries.length = 0; failures.length = 0; },
    stop: () => new Promise((resolve) => { server.closeAllConnections?.(); server.close(() => resolve()); }),
  };
  return api;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const stripe = await startStripeTestServer({
    port: Number(process.argv[2] || 0),
    secretKey: process.env.STRIPE_TEST_SECRET_KEY || undefined,
    webhookUrl: process.env.STRIPE_TEST_WEBHOOK_URL || null,
    webhookSecret: process.env.STRIPE_TEST_WEBHOOK_SECRET || undefined,
    log: process.env.STRIPE_TEST_QUIET ? null : (line) => console.log(line),
  });
  console.log(stripe.url);
  console.log(`STRIPE_SECRET_KEY=${stripe.secretKey}\nSTRIPE_WEBHOOK_SECRET=${stripe.webhookSecret}`);
}
