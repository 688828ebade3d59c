// /metrics (issue 17, server-stub/README.md "Metrics") against a real server
// process: the operator token on the main listener, the --metrics-listen
// listener without one, counters that move by exactly what the test did
// (bookings, a refusal, a replay, a cancellation, a mail, a failed webhook
// delivery, Stripe webhooks), gauges read from the database at scrape time
// (the oldest due job, calendar sync lag, the pool), and Debian's
// `promtool check metrics` on the scraped text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import {
  NOW, admin, book, cleanupAll, client, freshDatabase, problem, providerConfig, putProvider, request, signIn, slotAt,
  startServer, tempDir, until,
} from './harness.mjs';

const STRIPE_WEBHOOK_SECRET = 'whsec_metricstestsecret0123456789';
const nowEpoch = Math.floor(Date.parse(NOW) / 1000);

let db, srv, base, metricsBase, mailDir, receiver;

// A webhook receiver that refuses every delivery with 500.
function startFailingReceiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => { got.push(req.url); res.writeHead(500, { 'content-type': 'text/plain' }); res.end('no'); });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    got, url: `http://127.0.0.1:${server.address().port}/fail`,
    close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
  })));
}

before(async () => {
  db = await freshDatabase();
  mailDir = tempDir('slotwise-metrics-mail-');
  receiver = await startFailingReceiver();
  startedAt = Date.now();
  srv = await startServer(db, {
    args: ['--mail-dir', mailDir, '--job-poll', '0.1', '--allow-private-targets', '--webhook-retry-gaps', '600',
      '--pending-cap', '1000', '--open-bookings-cap', '1000', '--db-pool', '4', '--metrics-listen', '127.0.0.1:0'],
    env: { SLOTWISE_STRIPE_SECRET_KEY: 'sk_test_metrics', SLOTWISE_STRIPE_WEBHOOK_SECRET: STRIPE_WEBHOOK_SECRET },
  });
  base = srv.url;
  metricsBase = (await until('the metrics listener', () => srv.output().match(/metrics on (http:\/\/\S+)\/metrics/)))[1];
  await putProvider(base, 'm1');
});
after(async () => { await receiver?.close(); await cleanupAll(); });

// ---- reading the exposition ------------------------------------------------------

async function scrape() {
  const r = await request(base, 'GET', '/metrics', { headers: admin });
  assert.equal(r.status, 200, r.text);
  return r.text;
}

// `name{a="x",...}` -> value, labels in the order written.
function samples(text) {
  const out = new Map();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}
const key = (name, labels = {}) => {
  const entries = Object.entries(labels);
  return entries.length ? `${name}{${entries.map(([k, v]) => `${k}="${v}"`).join(',')}}` : name;
};
const value = (text, name, labels) => samples(text).get(key(name, labels)) ?? 0;
const delta = (before, after, name, labels) => value(after, name, labels) - value(before, name, labels);

// The server's clock starts at NOW when its process starts.
let startedAt;
const serverNow = () => nowEpoch + Math.ceil((Date.now() - startedAt) / 1000) + 1;
const jobRuns = (text) => [...samples(text)].filter(([k]) => k.startsWith('slotwise_job_runs_total{')).reduce((n, [, v]) => n + v, 0);

// Nothing due or running in the database, and the job counters still from
// one scrape to the next (a job's count follows its commit by a moment).
async function quiet() {
  let last = null;
  return until('the jobs to settle', async () => {
    const busy = Number(db.sql(`SELECT COUNT(*) FROM jobs WHERE state = 'running' OR (state = 'queued' AND run_at <= ${serverNow()})`)[0][0]);
    const text = await scrape();
    const settled = busy === 0 && last !== null && jobRuns(last) === jobRuns(text);
    last = busy === 0 ? text : null;
    return settled ? text : null;
  });
}

const emlCount = () => fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')).length;

// ---- access ------------------------------------------------------------------------

test('GET /metrics on the main listener takes the operator token: 401 without it, with another, or with a wrong one', async () => {
  problem(await request(base, 'GET', '/metrics'), 401, 'UNAUTHORIZED');
  problem(await request(base, 'GET', '/metrics', { headers: { authorization: 'Bearer not-the-token' } }), 401, 'UNAUTHORIZED');
  const owner = await signIn(srv, 'metrics-owner@example.com');
  problem(await request(base, 'GET', '/metrics', { headers: { authorization: `Bearer ${owner.token}` } }), 401, 'UNAUTHORIZED');
  const ok = await request(base, 'GET', '/metrics', { headers: admin });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.equal(ok.headers['cache-control'], 'no-store');
  assert.match(ok.text, /^# HELP slotwise_http_requests_total /m);
});

test('--metrics-listen serves GET /metrics without credentials, and nothing else', async () => {
  const r = await request(metricsBase, 'GET', '/metrics');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
  assert.match(r.text, /^# TYPE slotwise_jobs_oldest_due_age_seconds gauge$/m);
  problem(await request(metricsBase, 'GET', '/v1/providers/m1/snapshot'), 404, 'NOT_FOUND');
  problem(await request(metricsBase, 'GET', '/healthz'), 404, 'NOT_FOUND');
  problem(await request(metricsBase, 'POST', '/metrics', { body: {} }), 404, 'NOT_FOUND');
  // The API is not reachable through it, and its own /metrics still asks for the token.
  problem(await request(base, 'GET', '/metrics'), 401, 'UNAUTHORIZED');
});

// ---- counters ----------------------------------------------------------------------

test('bookings: created by status, refused by code, replayed, cancelled; requests by route class, status class and latency', async () => {
  const before = await quiet();
  const s1 = slotAt(2, 0), s2 = slotAt(2, 60), s3 = slotAt(2, 120);
  const a = await book(base, { provider: 'm1', service: 's30', start: s1, client: client(1) });
  assert.equal(a.status, 201, a.text);
  assert.equal(a.json.booking.status, 'CONFIRMED');
  const replayKey = `metrics-replay-${process.pid}`;
  const b = await book(base, { provider: 'm1', service: 's30', start: s2, client: client(2) }, replayKey);
  assert.equal(b.status, 201, b.text);
  const again = await book(base, { provider: 'm1', service: 's30', start: s2, client: client(2) }, replayKey);
  assert.equal(again.headers['idempotent-replayed'], 'true', again.text);
  const pending = await book(base, { provider: 'm1', service: 'video', start: s3, client: client(3) });
  assert.equal(pending.status, 201, pending.text);
  assert.equal(pending.json.booking.status, 'PENDING');
  const taken = await book(base, { provider: 'm1', service: 's30', start: s1, client: client(4) });
  problem(taken, 409, 'SLOT_TAKEN');
  const cancelled = await request(base, 'POST', `/v1/bookings/${a.json.booking.id}/cancel?token=${a.json.booking.manage_token}`, { body: {} });
  assert.equal(cancelled.status, 200, cancelled.text);
  const confirmed = await request(base, 'POST', `/v1/bookings/${pending.json.booking.id}/confirm`, { body: {}, headers: admin });
  assert.equal(confirmed.status, 200, confirmed.text);
  // An id in a path is counted under its route's pattern, never as the raw path.
  const bogus = await request(base, 'GET', '/v1/bookings/no-such-booking-x');
  assert.equal(bogus.status, 401, bogus.text);  // no manage token

  const after = await until('the requests to be counted', async () => {
    const text = await scrape();
    return delta(before, text, 'slotwise_http_requests_total', { route: '/v1/bookings/{booking}', method: 'GET', status: '4xx' }) >= 1 ? text : null;
  });
  assert.equal(delta(before, after, 'slotwise_bookings_created_total', { status: 'CONFIRMED' }), 2);
  assert.equal(delta(before, after, 'slotwise_bookings_created_total', { status: 'PENDING' }), 1);
  assert.equal(delta(before, after, 'slotwise_booking_refusals_total', { code: 'SLOT_TAKEN' }), 1);
  assert.equal(delta(before, after, 'slotwise_booking_idempotent_replays_total'), 1);
  assert.equal(delta(before, after, 'slotwise_booking_changes_total', { change: 'cancel' }), 1);
  assert.equal(delta(before, after, 'slotwise_booking_changes_total', { change: 'confirm' }), 1);
  assert.equal(delta(before, after, 'slotwise_http_requests_total', { route: '/v1/bookings', method: 'POST', status: '2xx' }), 4);
  assert.equal(delta(before, after, 'slotwise_http_requests_total', { route: '/v1/bookings', method: 'POST', status: '4xx' }), 1);
  assert.equal(delta(before, after, 'slotwise_http_requests_total', { route: '/v1/bookings/{booking}', method: 'GET', status: '4xx' }), 1);
  assert.equal(delta(before, after, 'slotwise_http_request_duration_seconds_count', { route: '/v1/bookings', method: 'POST' }), 5);
  assert.equal(delta(before, after, 'slotwise_http_request_duration_seconds_bucket', { route: '/v1/bookings', method: 'POST', le: '+Inf' }), 5);
  assert.ok(delta(before, after, 'slotwise_http_request_duration_seconds_sum', { route: '/v1/bookings', method: 'POST' }) > 0);
  assert.ok(!after.includes('no-such-booking-x'), 'a raw path never becomes a label');
  assert.ok(!after.includes(a.json.booking.id), 'a booking id never becomes a label');
});

test('mail: every mail.send job done is one delivery of the mail channel, as many as .eml files written', async () => {
  const before = await quiet();
  const files = emlCount();
  await signIn(srv, 'metrics-mail@example.com');  // one sign-in code by mail
  const after = await until('the mail to be counted', async () => {
    const text = await quiet();
    return delta(before, text, 'slotwise_notification_deliveries_total', { channel: 'mail' }) >= 1 ? text : null;
  });
  const written = emlCount() - files;
  assert.ok(written >= 1);
  assert.equal(delta(before, after, 'slotwise_notification_deliveries_total', { channel: 'mail' }), written);
  assert.equal(delta(before, after, 'slotwise_job_runs_total', { kind: 'mail.send', outcome: 'done' }), written);
  assert.equal(delta(before, after, 'slotwise_notification_delivery_failures_total', { channel: 'mail' }), 0);
});

test('a failed webhook delivery counts as a delivery failure of the webhook channel and a failed job attempt', async () => {
  const created = await request(base, 'POST', '/v1/providers/m1/webhooks', { body: { url: receiver.url, events: ['booking.created'] }, headers: admin });
  assert.equal(created.status, 201, created.text);
  const before = await quiet();
  const r = await book(base, { provider: 'm1', service: 's30', start: slotAt(3, 0), client: client(5) });
  assert.equal(r.status, 201, r.text);
  const after = await until('the failed delivery to be counted', async () => {
    const text = await scrape();
    return delta(before, text, 'slotwise_notification_delivery_failures_total', { channel: 'webhook' }) >= 1 ? text : null;
  });
  // One attempt, refused with 500; the next is 600 s away.
  assert.equal(receiver.got.length, 1);
  assert.equal(delta(before, after, 'slotwise_notification_delivery_failures_total', { channel: 'webhook' }), 1);
  assert.equal(delta(before, after, 'slotwise_job_runs_total', { kind: 'webhook.deliver', outcome: 'retry' }), 1);
  assert.equal(delta(before, after, 'slotwise_job_failures_total', { kind: 'webhook.deliver' }), 1);
  assert.equal(delta(before, after, 'slotwise_notification_deliveries_total', { channel: 'webhook' }), 0);
  await request(base, 'DELETE', `/v1/providers/m1/webhooks/${created.json.id}`, { headers: admin });
});

test("Stripe's webhook: counted by the receipt's outcome or the refusal's code", async () => {
  const before = await scrape();
  const body = JSON.stringify({
    id: `evt_metrics_${process.pid}`, object: 'event', type: 'payment_intent.payment_failed', created: nowEpoch, livemode: false,
    data: { object: { id: 'pi_not_ours_metrics', object: 'payment_intent', status: 'requires_payment_method', amount: 1000, currency: 'eur', metadata: {} } },
  });
  const post = (signature) => request(base, 'POST', '/v1/payments/stripe/webhook', {
    raw: Buffer.from(body), headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...(signature ? { 'stripe-signature': signature } : {}) },
  });
  const refusals = new Map();
  const refusedOrNot = async (signature) => {
    const r = await post(signature);
    if (r.status === 400) refusals.set(r.json.code, (refusals.get(r.json.code) || 0) + 1);
    return r;
  };
  assert.equal((await refusedOrNot('t=1,v1=00')).status, 400);
  const signedAt = (t) => `t=${t},v1=${crypto.createHmac('sha256', STRIPE_WEBHOOK_SECRET).update(`${t}.${body}`).digest('hex')}`;
  // The signature's age is checked against one of the clocks (the server's starts at NOW).
  let received = await refusedOrNot(signedAt(nowEpoch));
  if (received.status !== 200) received = await refusedOrNot(signedAt(Math.floor(Date.now() / 1000)));
  assert.equal(received.status, 200, received.text);
  const outcome = received.json.duplicate ? 'duplicate' : received.json.outcome;
  const after = await until('the webhooks to be counted', async () => {
    const text = await scrape();
    return delta(before, text, 'slotwise_payment_webhooks_total', { outcome }) >= 1 ? text : null;
  });
  for (const [code, n] of refusals) assert.equal(delta(before, after, 'slotwise_payment_webhooks_total', { outcome: code }), n, code);
  assert.equal(delta(before, after, 'slotwise_payment_webhooks_total', { outcome }), 1);
  // Not one of ours: no failed payment of ours.
  assert.equal(delta(before, after, 'slotwise_payments_failed_total'), 0);
});

// ---- gauges read at scrape time ---------------------------------------------------

test('the oldest due job: its age at scrape time, 0 again once it is gone', async () => {
  await quiet();
  // A kind no process runs, due two minutes before the server's clock started.
  db.sql(`INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, created_at, updated_at)
          VALUES ('metrics.nobody', 'metrics.nobody:1', '{}', 'queued', ${nowEpoch - 120}, 0, 3, ${nowEpoch - 120}, ${nowEpoch - 120})`);
  const text = await scrape();
  const age = value(text, 'slotwise_jobs_oldest_due_age_seconds');
  assert.ok(age >= 120 && age < 120 + 900, `age ${age}`);
  assert.ok(value(text, 'slotwise_jobs', { state: 'queued' }) >= 1);
  db.sql("DELETE FROM jobs WHERE key = 'metrics.nobody:1'");
  await until('the gauge to fall back', async () => value(await scrape(), 'slotwise_jobs_oldest_due_age_seconds') < 60);
});

test('calendar sync lag: now minus the oldest last successful sync; connections by status', async () => {
  const before = await scrape();
  assert.equal(value(before, 'slotwise_calendar_sync_lag_seconds'), 0);
  db.sql(`INSERT INTO calendar_connections (id, provider_id, kind, credentials_sealed, calendars, status, last_sync_at, created_at)
          VALUES ('cal_metrics_1', 'm1', 'caldav', 'x', '[]', 'ok', ${nowEpoch - 3600}, ${nowEpoch - 7200}),
                 ('cal_metrics_2', 'm1', 'caldav', 'x', '[]', 'ok', ${nowEpoch - 60}, ${nowEpoch - 7200})`);
  const text = await scrape();
  const lag = value(text, 'slotwise_calendar_sync_lag_seconds');
  assert.ok(lag >= 3600 && lag < 3600 + 900, `lag ${lag}`);
  assert.equal(value(text, 'slotwise_calendar_connections', { status: 'ok' }), 2);
  db.sql("DELETE FROM calendar_connections WHERE id IN ('cal_metrics_1', 'cal_metrics_2')");
  const gone = await scrape();
  assert.equal(value(gone, 'slotwise_calendar_sync_lag_seconds'), 0);
  assert.equal(value(gone, 'slotwise_calendar_connections', { status: 'ok' }), 0);
});

test('the database pool: its capacity (--db-pool) and sessions in use; the scrape reads the database quickly', async () => {
  const text = await scrape();
  assert.equal(value(text, 'slotwise_db_pool_capacity_sessions'), 4);
  const inUse = value(text, 'slotwise_db_pool_sessions', { state: 'in_use' });
  const idle = value(text, 'slotwise_db_pool_sessions', { state: 'idle' });
  assert.ok(inUse >= 0 && idle >= 1 && idle <= 4, `in use ${inUse}, idle ${idle}`);
  const read = value(text, 'slotwise_metrics_database_read_duration_seconds');
  // ~50 ms is the budget on an idle machine; this allows for a loaded test run.
  assert.ok(read > 0 && read < 0.5, `database reads took ${read} s`);
  assert.equal(value(text, 'slotwise_metrics_database_read_errors_total'), 0);
});

// ---- the format --------------------------------------------------------------------

test('promtool check metrics passes on the scraped text, without a lint complaint', async () => {
  const text = await scrape();
  const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(checked.error, undefined);
  assert.equal(checked.status, 0, `${checked.stdout}${checked.stderr}`);
  assert.equal(`${checked.stdout}${checked.stderr}`.trim(), '');
  // Every family has HELP and TYPE, every name the slotwise_ prefix.
  const names = new Set(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/[{ ]/)[0]));
  for (const name of names) assert.match(name, /^slotwise_[a-z_]+$/);
  assert.ok(names.size >= 20, `${names.size} sample names`);
});
