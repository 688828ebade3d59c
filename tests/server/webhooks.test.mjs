// Webhooks (issue 12, api.md "Webhooks (Standard Webhooks 1.0)") against
// real server processes on both backends and a local receiver that checks
// every delivery with an independent implementation of the specification
// (the npm package `standardwebhooks`): payloads of each booking event,
// failures (500, a timeout, a refused connection) then success with a stable
// webhook-id and growing gaps, a kill -9 mid-delivery, the delivery log and
// redelivery, disabling after the failure window with the provider's mail,
// who reaches a provider's webhooks, and bad input.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import {
  admin, book, cleanupAll, client, freePort, freshDatabase, problem, providerConfig, putProvider, request, signIn,
  slotAt, startServer, tempDir, until,
} from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const { Webhook } = createRequire(path.join(repo, 'web', 'package.json'))('standardwebhooks');

const GAPS = [2, 4, 6, 8, 10];  // seconds, --webhook-retry-gaps: growing, like the real schedule
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---- the receiver ------------------------------------------------------------
// Records every request; `behave(path, n)` (n = 1 for the first request to
// that path) answers a status, 'hang' (never answers), or 'hold' (keeps the
// request until release() is called, then closes it unanswered).
function startReceiver(behave) {
  const got = [];
  const held = [];
  const sockets = new Set();
  const counts = new Map();
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const n = (counts.get(req.url) || 0) + 1;
      counts.set(req.url, n);
      got.push({ path: req.url, method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
      const answer = behave(req.url, n);
      if (answer === 'hang') return;
      if (answer === 'hold') { held.push(res); return; }
      res.writeHead(answer, { 'content-type': 'text/plain' });
      res.end(answer >= 200 && answer < 300 ? 'thanks' : `nope ${n}`);
    });
  });
  server.on('connection', (s) => { sockets.add(s); s.on('close', () => sockets.delete(s)); });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({
    got, base: `http://127.0.0.1:${server.address().port}`,
    at: (p) => got.filter((g) => g.path === p),
    release: () => { for (const res of held.splice(0)) res.socket.destroy(); },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(r); }),
  })));
}

// Every delivery must verify under the endpoint's secret; returns the parsed body.
function verified(secret, delivery) {
  assert.equal(delivery.method, 'POST');
  assert.match(delivery.headers['content-type'], /^application\/json/);
  const payload = new Webhook(secret).verify(delivery.body, {
    'webhook-id': delivery.headers['webhook-id'],
    'webhook-timestamp': delivery.headers['webhook-timestamp'],
    'webhook-signature': delivery.headers['webhook-signature'],
  });
  // A forged body does not verify.
  assert.throws(() => new Webhook(secret).verify(delivery.body.replace('booking', 'bookinG'), {
    'webhook-id': delivery.headers['webhook-id'],
    'webhook-timestamp': delivery.headers['webhook-timestamp'],
    'webhook-signature': delivery.headers['webhook-signature'],
  }));
  assert.deepEqual(JSON.parse(delivery.body), payload);
  return payload;
}

// An account's provider on the free plan: one active service.
const onePlanConfig = () => { const c = providerConfig(); c.services = c.services.filter((x) => x.id === 's30'); return c; };

const ALL_EVENTS = ['booking.created', 'booking.confirmed', 'booking.declined', 'booking.cancelled', 'booking.rescheduled',
  'booking.completed', 'booking.no_show', 'booking.expired'];

let db, srv, base, receiver, mailDir;
let slotIndex = 0;
const nextSlot = () => { const i = slotIndex++; return slotAt(3 + Math.floor(i / 24), 30 * (i % 24)); };

before(async () => {
  db = await freshDatabase();
  mailDir = tempDir('slotwise-webhooks-mail-');
  srv = await startServer(db, { args: ['--mail-dir', mailDir, '--job-poll', '0.1', '--allow-private-targets',
    '--webhook-retry-gaps', GAPS.join(','), '--pending-cap', '1000', '--open-bookings-cap', '1000'] });
  base = srv.url;
  receiver = await startReceiver((p, n) => {
    if (p.startsWith('/flaky')) return n === 1 ? 500 : n === 2 ? 'hang' : 200;
    if (p.startsWith('/fail')) return 503;
    return 204;
  });
  await putProvider(base, 'p1');
});
after(async () => { await receiver?.close(); await cleanupAll(); });

const createHook = (provider, body, headers = admin, server = base) =>
  request(server, 'POST', `/v1/providers/${provider}/webhooks`, { body, headers });
const listHooks = (provider, headers = admin, server = base) => request(server, 'GET', `/v1/providers/${provider}/webhooks`, { headers });
const deliveries = (provider, wid, query = '', headers = admin, server = base) =>
  request(server, 'GET', `/v1/providers/${provider}/webhooks/${wid}/deliveries${query}`, { headers });

async function hook(provider, url, events = ALL_EVENTS, server = base, headers = admin) {
  const r = await createHook(provider, { url, events }, headers, server);
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('creating a webhook answers its secret once (whsec_ + base64 of 24+ bytes); the list never shows it', async () => {
  const created = await hook('p1', `${receiver.base}/listed`, ['booking.created', 'payment.succeeded']);
  assert.match(created.id, /^wh_[a-z0-9]+$/);
  assert.equal(created.url, `${receiver.base}/listed`);
  assert.deepEqual(created.events, ['booking.created', 'payment.succeeded']);
  assert.match(created.secret, /^whsec_[A-Za-z0-9+/]+=*$/);
  assert.ok(Buffer.from(created.secret.slice(6), 'base64').length >= 24);
  const listed = await listHooks('p1');
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.headers['cache-control'], 'no-store');
  const mine = listed.json.webhooks.find((w) => w.id === created.id);
  assert.ok(mine);
  assert.equal(mine.secret, undefined);
  assert.equal(mine.enabled, true);
  assert.equal(mine.disabled, false);
  assert.ok(!listed.text.includes(created.secret.slice(6)));
  // The database holds it sealed, not in clear.
  const stored = db.sql(`SELECT secret_sealed FROM webhook_endpoints WHERE id = '${created.id}'`)[0][0];
  assert.ok(!stored.includes(created.secret.slice(6)));
  assert.equal((await request(base, 'DELETE', `/v1/providers/p1/webhooks/${created.id}`, { headers: admin })).status, 204);
  problem(await request(base, 'DELETE', `/v1/providers/p1/webhooks/${created.id}`, { headers: admin }), 404, 'UNKNOWN_WEBHOOK');
  assert.ok(!(await listHooks('p1')).json.webhooks.some((w) => w.id === created.id));
});

test('bad URLs, events and bodies are 400 problems with stable codes; a cap per provider is 422', async () => {
  await putProvider(base, 'p-bad');
  const cases = [
    [{ url: 'http://example.com/hook', events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: 'ftp://example.com/hook', events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: 'not a url', events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: '/relative', events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: 'https://user:secret@example.com/hook', events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: `https://example.com/${'a'.repeat(2100)}`, events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: 42, events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ events: ['booking.created'] }, 'INVALID_WEBHOOK_URL'],
    [{ url: 'https://example.com/hook', events: ['booking.nope'] }, 'UNKNOWN_WEBHOOK_EVENT'],
    [{ url: 'https://example.com/hook', events: ['booking.created', 7] }, 'UNKNOWN_WEBHOOK_EVENT'],
    [{ url: 'https://example.com/hook', events: [] }, 'INVALID_WEBHOOK_EVENTS'],
    [{ url: 'https://example.com/hook', events: 'booking.created' }, 'INVALID_WEBHOOK_EVENTS'],
    [{ url: 'https://example.com/hook' }, 'INVALID_WEBHOOK_EVENTS'],
    [{ url: 'https://example.com/hook', events: ['booking.created'], extra: 1 }, 'INVALID_REQUEST'],
    [[1, 2], 'INVALID_REQUEST'],
  ];
  for (const [body, code] of cases) problem(await createHook('p-bad', body), 400, code);
  problem(await request(base, 'POST', '/v1/providers/p-bad/webhooks', { raw: Buffer.from('{"url":'), headers: { ...admin, 'content-type': 'application/json' } }), 400, 'INVALID_REQUEST');
  for (let i = 0; i < 10; i++) await hook('p-bad', `https://example.com/hook${i}`, ['booking.created']);
  problem(await createHook('p-bad', { url: 'https://example.com/eleven', events: ['booking.created'] }), 422, 'WEBHOOK_LIMIT_REACHED');
  const wid = (await listHooks('p-bad')).json.webhooks[0].id;
  problem(await request(base, 'PATCH', `/v1/providers/p-bad/webhooks/${wid}`, { body: { enabled: 'yes' }, headers: admin }), 400, 'INVALID_REQUEST');
  problem(await deliveries('p-bad', wid, '?limit=0'), 400, 'INVALID_REQUEST');
  problem(await deliveries('p-bad', wid, '?limit=abc'), 400, 'INVALID_REQUEST');
  problem(await deliveries('p-bad', 'wh_nosuch'), 404, 'UNKNOWN_WEBHOOK');
  problem(await request(base, 'POST', `/v1/providers/p-bad/webhooks/${wid}/deliveries/whd_nosuch/redeliver`, { headers: admin }), 404, 'UNKNOWN_DELIVERY');
  problem(await createHook('no-such-provider', { url: 'https://example.com/x', events: ['booking.created'] }), 404, 'UNKNOWN_PROVIDER');
  problem(await createHook('p-bad', { url: 'https://example.com/x', events: ['booking.created'] }, {}), 401, 'UNAUTHORIZED');
  // Without --allow-private-targets (a second process on the same database):
  // no loopback, private or link-local target, no http:// at all.
  const strict = await startServer(db, { args: ['--job-threads', '0', '--mail-dir', tempDir('slotwise-webhooks-strict-mail-')] });
  await putProvider(strict.url, 'p-strict');
  for (const url of ['http://127.0.0.1:9/hook', 'https://127.0.0.1/hook', 'https://localhost/hook', 'https://10.1.2.3/hook',
    'https://192.168.0.1/hook', 'https://169.254.169.254/latest/meta-data', 'https://[::1]/hook', 'https://[fd00::1]/hook',
    'https://0.0.0.0/hook'])
    problem(await createHook('p-strict', { url, events: ['booking.created'] }, admin, strict.url), 400, 'INVALID_WEBHOOK_URL');
  assert.equal((await createHook('p-strict', { url: 'https://93.184.216.34/hook', events: ['booking.created'] }, admin, strict.url)).status, 201);
  await strict.stop();
});

test('a provider\'s webhooks are reached by its own account only: any other is told 404, as for no provider', async () => {
  const owner = await signIn(srv, 'hook-owner@example.com');
  const stranger = await signIn(srv, 'hook-stranger@example.com');
  const put = await request(base, 'PUT', '/v1/providers/owned', { body: onePlanConfig(), headers: bearer(owner.token) });
  assert.equal(put.status, 201, put.text);
  const mine = await hook('owned', 'https://example.com/owned', ['booking.created'], base, bearer(owner.token));
  assert.equal((await listHooks('owned', bearer(owner.token))).json.webhooks.length, 1);
  const s = bearer(stranger.token);
  const refusals = [
    await createHook('owned', { url: 'https://example.com/theirs', events: ['booking.created'] }, s),
    await listHooks('owned', s),
    await request(base, 'PATCH', `/v1/providers/owned/webhooks/${mine.id}`, { body: { enabled: false }, headers: s }),
    await request(base, 'DELETE', `/v1/providers/owned/webhooks/${mine.id}`, { headers: s }),
    await deliveries('owned', mine.id, '', s),
    await request(base, 'POST', `/v1/providers/owned/webhooks/${mine.id}/deliveries/whd_x/redeliver`, { headers: s }),
  ];
  for (const r of refusals) problem(r, 404, 'UNKNOWN_PROVIDER');
  assert.equal(db.sql("SELECT COUNT(*) FROM webhook_endpoints WHERE provider_id = 'owned'")[0][0], '1');
  // Another provider's id in the path does not reach this one's endpoint.
  const other = await request(base, 'PUT', '/v1/providers/owned-too', { body: onePlanConfig(), headers: bearer(stranger.token) });
  assert.equal(other.status, 201, other.text);
  problem(await request(base, 'DELETE', `/v1/providers/owned-too/webhooks/${mine.id}`, { headers: s }), 404, 'UNKNOWN_WEBHOOK');
  assert.equal((await listHooks('owned', bearer(owner.token))).json.webhooks.length, 1);
});

const ok = (r, what) => { assert.ok(r.status === 200 || r.status === 201, `${what}: ${r.status} ${r.text}`); return r.json.booking; };

test('each booking event is delivered, signed, in the documented shape', { timeout: 120000 }, async () => {
  await putProvider(base, 'p-events');
  const all = await hook('p-events', `${receiver.base}/all`);
  const cancelledOnly = await hook('p-events', `${receiver.base}/cancelled-only`, ['booking.cancelled']);
  const made = [];
  const by = (b, action, body = {}, headers = admin) => request(base, 'POST', `/v1/bookings/${b.id}/${action}`, { body, headers });
  // created (CONFIRMED at once), then cancelled by the client
  const a = ok(await book(base, { provider: 'p-events', service: 's30', start: nextSlot(), client: client(1) }), 'book a');
  made.push([a.id, 'booking.created', 'CONFIRMED']);
  ok(await request(base, 'POST', `/v1/bookings/${a.id}/cancel?token=${a.manage_token}`, { body: { reason: 'ill' } }), 'cancel a');
  made.push([a.id, 'booking.cancelled', 'CANCELLED']);
  // a request (PENDING), confirmed, then rescheduled by the client
  const b = ok(await book(base, { provider: 'p-events', service: 'video', start: nextSlot(), client: client(2) }), 'book b');
  made.push([b.id, 'booking.created', 'PENDING']);
  ok(await by(b, 'confirm'), 'confirm b');
  made.push([b.id, 'booking.confirmed', 'CONFIRMED']);
  const moved = nextSlot();
  ok(await request(base, 'POST', `/v1/bookings/${b.id}/reschedule?token=${b.manage_token}`, { body: { start: moved } }), 'reschedule b');
  made.push([b.id, 'booking.rescheduled', 'CONFIRMED']);
  // a request declined
  const c = ok(await book(base, { provider: 'p-events', service: 'video', start: nextSlot(), client: client(3) }), 'book c');
  made.push([c.id, 'booking.created', 'PENDING']);
  ok(await by(c, 'decline'), 'decline c');
  made.push([c.id, 'booking.declined', 'DECLINED']);
  // a request that expires: its expiry made due now, the expiry job does the rest
  const d = ok(await book(base, { provider: 'p-events', service: 'video', start: nextSlot(), client: client(4) }), 'book d');
  made.push([d.id, 'booking.created', 'PENDING']);
  const nowSeconds = db.sql(`SELECT created_at FROM bookings WHERE id = '${d.id}'`)[0][0];
  db.sql(`UPDATE bookings SET expires_at = ${Number(nowSeconds) - 60} WHERE id = '${d.id}'`);
  db.sql(`UPDATE jobs SET run_at = ${Number(nowSeconds) - 60} WHERE key = 'booking.expire:${d.id}'`);
  made.push([d.id, 'booking.expired', 'EXPIRED']);

  await until('every event at the receiver', () => receiver.at('/all').length >= made.length, 60000);
  await sleep(500);
  const got = receiver.at('/all');
  assert.equal(got.length, made.length, 'one delivery per event (nothing failed, so no duplicate)');
  for (const [bookingId, type, status] of made) {
    const delivery = got.find((g) => { const j = JSON.parse(g.body); return j.type === type && j.data.booking.id === bookingId; });
    assert.ok(delivery, `${type} of ${bookingId}`);
    const payload = verified(all.secret, delivery);
    assert.deepEqual(Object.keys(payload).sort(), ['data', 'timestamp', 'type']);
    assert.equal(typeof payload.timestamp, 'string');
    assert.match(payload.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.deepEqual(Object.keys(payload.data), ['booking']);
    const booking = payload.data.booking;
    assert.equal(booking.id, bookingId);
    assert.equal(booking.status, status, `${type}: the booking as it was at the event`);
    assert.equal(typeof booking.start, 'string');
    assert.equal(typeof booking.end, 'string');
    assert.equal(booking.provider, 'p-events');
    assert.equal(booking.manage_token, undefined, 'the manage token is the client\'s, never in a webhook');
    assert.match(delivery.headers['webhook-id'], new RegExp(`^evt_${bookingId}_\\d+$`));
    assert.match(delivery.headers['webhook-timestamp'], /^\d+$/);
    assert.ok(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000) < 120, 'the attempt\'s real time');
    assert.match(delivery.headers['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    if (type === 'booking.rescheduled') assert.equal(booking.start, moved);
  }
  assert.equal(new Set(got.map((g) => g.headers['webhook-id'])).size, got.length, 'one webhook-id per event');
  // The endpoint that asked for cancellations only got the one.
  await sleep(300);
  const cancelled = receiver.at('/cancelled-only');
  assert.equal(cancelled.length, 1);
  assert.equal(verified(cancelledOnly.secret, cancelled[0]).type, 'booking.cancelled');
  // Each delivery is in the log, 2xx.
  const log = await deliveries('p-events', all.id, '?limit=100');
  assert.equal(log.status, 200, log.text);
  assert.equal(log.json.deliveries.length, made.length);
  for (const entry of log.json.deliveries) {
    assert.equal(entry.status, 204);
    assert.equal(entry.error, null);
    assert.ok(entry.webhook_id.startsWith('evt_'));
    assert.ok(ALL_EVENTS.includes(entry.event_type));
  }
});

test('failures (500, a timeout, a refused connection) are retried with growing gaps and one webhook-id until a 2xx', { timeout: 180000 }, async () => {
  await putProvider(base, 'p-retry');
  const flaky = await hook('p-retry', `${receiver.base}/flaky`, ['booking.created']);
  // A port nothing listens on yet: refused, refused, then a receiver appears.
  const port = await freePort();
  const refusedUrl = `http://127.0.0.1:${port}/late`;
  const late = await hook('p-retry', refusedUrl, ['booking.created']);
  const made = ok(await book(base, { provider: 'p-retry', service: 's30', start: nextSlot(), client: client(5) }), 'book');
  const refusedAttempts = () => db.sql(`SELECT COUNT(*) FROM webhook_attempts WHERE endpoint_id = '${late.id}' AND status IS NULL`)[0][0];
  await until('two refused attempts', () => Number(refusedAttempts()) >= 2, 60000);
  const lateReceiver = await new Promise((resolve) => {
    const got = [];
    const s = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => { got.push({ method: req.method, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() }); res.writeHead(200); res.end('ok'); });
    });
    s.listen(port, '127.0.0.1', () => resolve({ got, close: () => new Promise((r) => s.close(r)) }));
  });
  try {
    // 500 at once, then a request held past the 15 s timeout, then 200.
    await until('the flaky endpoint answered 2xx', () => receiver.at('/flaky').length >= 3, 90000);
    await until('the late endpoint delivered', () => lateReceiver.got.length >= 1, 90000);
    await sleep(GAPS[GAPS.length - 1] * 1000 + 1500);
    const tries = receiver.at('/flaky');
    assert.equal(tries.length, 3, 'nothing more once delivered');
    const ids = new Set(tries.map((t) => t.headers['webhook-id']));
    assert.match([...ids][0], new RegExp(`^evt_${made.id}_\\d+$`));
    assert.equal(ids.size, 1, 'one webhook-id across retries');
    for (const t of tries) verified(flaky.secret, t);
    assert.equal(new Set(tries.map((t) => t.body)).size, 1, 'the same bytes every time');
    // Gaps: the first retry after about GAPS[0], the second after the 15 s timeout plus about GAPS[1].
    const gap1 = (tries[1].at - tries[0].at) / 1000, gap2 = (tries[2].at - tries[1].at) / 1000;
    assert.ok(gap1 >= GAPS[0] - 1 && gap1 < GAPS[0] + 5, `first gap ${gap1}`);
    assert.ok(gap2 >= 15 + GAPS[1] - 1 && gap2 < 15 + GAPS[1] + 6, `second gap ${gap2} (timeout + gap)`);
    assert.equal(lateReceiver.got.length, 1);
    const lateDelivery = lateReceiver.got[0];
    verified(late.secret, lateDelivery);
    assert.equal(lateDelivery.headers['webhook-id'], tries[0].headers['webhook-id'], 'the event\'s id at every endpoint');
    // The refused attempts' spacing grows too (from the log).
    const lateLog = (await deliveries('p-retry', late.id, '?limit=10')).json.deliveries.reverse();
    assert.ok(lateLog.length >= 3);
    assert.equal(lateLog[0].status, null);
    assert.ok(lateLog[0].error.length > 0);
    const times = lateLog.map((e) => Date.parse(e.attempted_at) / 1000);
    for (let i = 1; i < times.length - 1; i++) assert.ok(times[i + 1] - times[i] > times[i] - times[i - 1] - 1, `growing: ${times}`);
    assert.equal(lateLog[lateLog.length - 1].status, 200);
    // The flaky log: 500 with its answer, a timeout (no status), 200.
    const flakyLog = (await deliveries('p-retry', flaky.id)).json.deliveries;
    assert.deepEqual(flakyLog.map((e) => e.status), [200, null, 500]);
    assert.equal(flakyLog[2].response, 'nope 1');
    assert.match(flakyLog[1].error, /time/i);
    assert.ok(flakyLog[1].duration_ms >= 14000 && flakyLog[1].duration_ms < 20000, `timeout after ${flakyLog[1].duration_ms} ms`);
  } finally {
    await lateReceiver.close();
  }
});

test('the delivery log (newest first, a limit) and redelivery: the same message, a fresh timestamp', { timeout: 60000 }, async () => {
  await putProvider(base, 'p-log');
  const h = await hook('p-log', `${receiver.base}/log`);
  for (let i = 0; i < 3; i++) ok(await book(base, { provider: 'p-log', service: 's30', start: nextSlot(), client: client(10 + i) }), 'book');
  await until('three deliveries', () => receiver.at('/log').length >= 3);
  await until('three logged', async () => (await deliveries('p-log', h.id)).json.deliveries.length >= 3);
  const two = await deliveries('p-log', h.id, '?limit=2');
  assert.equal(two.status, 200, two.text);
  assert.equal(two.json.deliveries.length, 2);
  const full = (await deliveries('p-log', h.id)).json.deliveries;
  assert.equal(full.length, 3);
  assert.deepEqual(two.json.deliveries.map((d) => d.id), full.slice(0, 2).map((d) => d.id));
  for (let i = 1; i < full.length; i++) assert.ok(full[i - 1].attempted_at >= full[i].attempted_at, 'newest first');
  for (const d of full) {
    assert.match(d.id, /^whd_/);
    assert.equal(d.event_type, 'booking.created');
    assert.equal(typeof d.duration_ms, 'number');
    assert.equal(d.redelivery, false);
  }
  const oldest = full[2];
  const original = receiver.at('/log').find((g) => g.headers['webhook-id'] === oldest.webhook_id);
  await sleep(1100);  // a later second: the timestamp must differ
  const again = await request(base, 'POST', `/v1/providers/p-log/webhooks/${h.id}/deliveries/${oldest.id}/redeliver`, { headers: admin });
  assert.equal(again.status, 202, again.text);
  assert.equal(again.json.webhook_id, oldest.webhook_id);
  await until('the redelivery', () => receiver.at('/log').length >= 4);
  const redelivered = receiver.at('/log')[3];
  verified(h.secret, redelivered);
  assert.equal(redelivered.headers['webhook-id'], oldest.webhook_id);
  assert.equal(redelivered.body, original.body, 'the same message');
  assert.ok(Number(redelivered.headers['webhook-timestamp']) > Number(original.headers['webhook-timestamp']), 'a fresh timestamp');
  await until('the redelivery logged', async () => (await deliveries('p-log', h.id)).json.deliveries.length >= 4);
  const newest = (await deliveries('p-log', h.id, '?limit=1')).json.deliveries[0];
  assert.equal(newest.redelivery, true);
  assert.equal(newest.webhook_id, oldest.webhook_id);
  assert.equal(newest.status, 204);
});

test('kill -9 while a delivery is in flight: after a restart it is delivered (at least once)', { timeout: 120000 }, async () => {
  const crashDb = await freshDatabase();
  const args = ['--job-poll', '0.1', '--job-lease', '2', '--allow-private-targets', '--webhook-retry-gaps', '1',
    '--mail-dir', tempDir('slotwise-webhooks-crash-mail-')];
  let server = await startServer(crashDb, { args });
  const holding = await startReceiver((p, n) => (n === 1 ? 'hold' : 200));
  try {
    await putProvider(server.url, 'p-crash');
    const h = await hook('p-crash', `${holding.base}/crash`, ALL_EVENTS, server.url);
    const made = ok(await book(server.url, { provider: 'p-crash', service: 's30', start: nextSlot(), client: client(20) }), 'book');
    await until('the delivery in flight', () => holding.at('/crash').length === 1, 30000);
    await server.kill9();
    holding.release();
    server = await startServer(crashDb, { args });
    await until('delivered after the restart', () => holding.at('/crash').length >= 2, 60000);
    const [first, second] = holding.at('/crash');
    verified(h.secret, first);
    verified(h.secret, second);
    assert.equal(first.headers['webhook-id'], `evt_${made.id}_0`);
    assert.equal(second.headers['webhook-id'], first.headers['webhook-id'], 'the same event, the same id');
    assert.equal(second.body, first.body);
    await until('logged', async () => (await deliveries('p-crash', h.id, '', admin, server.url)).json.deliveries.some((d) => d.status === 200));
    assert.equal(crashDb.sql(`SELECT state FROM jobs WHERE key LIKE 'webhook.deliver:%'`)[0][0], 'done');
  } finally {
    await holding.close();
  }
});

test('an endpoint failing for the whole window is disabled, its provider mailed; PATCH enabled: true turns it back on', { timeout: 120000 }, async () => {
  const disableDb = await freshDatabase();
  const dir = tempDir('slotwise-webhooks-disable-mail-');
  const server = await startServer(disableDb, { args: ['--mail-dir', dir, '--job-poll', '0.1', '--allow-private-targets',
    '--webhook-retry-gaps', '1,1,1,1,1,1,1,1', '--webhook-disable-after', '3'] });
  const owner = await signIn(server, 'failing-owner@example.com');
  const headers = bearer(owner.token);
  const put = await request(server.url, 'PUT', '/v1/providers/p-off', { body: onePlanConfig(), headers });
  assert.equal(put.status, 201, put.text);
  const h = await hook('p-off', `${receiver.base}/fail-off`, ['booking.created'], server.url, headers);
  ok(await book(server.url, { provider: 'p-off', service: 's30', start: nextSlot(), client: client(30) }), 'book');
  const listed = async () => (await listHooks('p-off', headers, server.url)).json.webhooks[0];
  await until('disabled', async () => (await listed()).disabled === true, 60000);
  const off = await listed();
  assert.equal(off.enabled, false);
  assert.match(off.disabled_reason, /failed/);
  assert.equal(typeof off.disabled_at, 'string');
  const mailTo = await until('the provider\'s mail', () => {
    const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')) : [];
    return files.map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).find((m) => /^Subject: .*webhook endpoint was disabled/m.test(m));
  }, 30000);
  assert.match(mailTo, /^To: .*failing-owner@example\.com/m);
  const attemptsAtDisable = receiver.at('/fail-off').length;
  assert.ok(attemptsAtDisable >= 3);
  // Nothing more goes to a disabled endpoint.
  ok(await book(server.url, { provider: 'p-off', service: 's30', start: nextSlot(), client: client(31) }), 'book');
  await sleep(2500);
  assert.equal(receiver.at('/fail-off').length, attemptsAtDisable);
  const log = (await deliveries('p-off', h.id, '?limit=1', headers, server.url)).json.deliveries;
  problem(await request(server.url, 'POST', `/v1/providers/p-off/webhooks/${h.id}/deliveries/${log[0].id}/redeliver`, { headers }), 409, 'WEBHOOK_DISABLED');
  const on = await request(server.url, 'PATCH', `/v1/providers/p-off/webhooks/${h.id}`, { body: { enabled: true }, headers });
  assert.equal(on.status, 200, on.text);
  assert.equal(on.json.enabled, true);
  assert.equal(on.json.disabled, false);
  assert.equal(on.json.disabled_reason, null);
  await server.stop();
});

test('data rights: an erased client leaves no message body behind; a deleted account takes its providers\' webhooks', { timeout: 60000 }, async () => {
  await putProvider(base, 'p-erase');
  const h = await hook('p-erase', `${receiver.base}/erase`, ['booking.created']);
  const erin = { name: 'Erin Webhook', email: 'erin.webhook@example.com', phone: '+49 30 555' };
  const made = ok(await book(base, { provider: 'p-erase', service: 's30', start: nextSlot(), client: erin }), 'book');
  await until('delivered', () => receiver.at('/erase').length >= 1);
  await until('logged', async () => (await deliveries('p-erase', h.id)).json.deliveries.length >= 1);
  assert.ok(db.sql(`SELECT body FROM webhook_messages WHERE endpoint_id = '${h.id}'`)[0][0].includes('erin.webhook@example.com'));
  const erased = await request(base, 'POST', '/v1/clients/erase', { body: { email: 'erin.webhook@example.com' }, headers: admin });
  assert.equal(erased.status, 200, erased.text);
  assert.equal(db.sql(`SELECT COUNT(*) FROM webhook_messages WHERE webhook_id LIKE 'evt_${made.id}_%'`)[0][0], '0');
  assert.equal(db.sql(`SELECT COUNT(*) FROM webhook_attempts WHERE webhook_id LIKE 'evt_${made.id}_%'`)[0][0], '0');
  assert.equal((await deliveries('p-erase', h.id)).json.deliveries.length, 0);

  const leaver = await signIn(srv, 'hook-leaver@example.com');
  const put = await request(base, 'PUT', '/v1/providers/leaving', { body: onePlanConfig(), headers: bearer(leaver.token) });
  assert.equal(put.status, 201, put.text);
  await hook('leaving', 'https://example.com/leaving', ['booking.created'], base, bearer(leaver.token));
  assert.equal(db.sql("SELECT COUNT(*) FROM webhook_endpoints WHERE provider_id = 'leaving'")[0][0], '1');
  const gone = await request(base, 'DELETE', '/v1/me', { headers: bearer(leaver.token) });
  assert.ok(gone.status === 200 || gone.status === 204, gone.text);
  assert.equal(db.sql("SELECT COUNT(*) FROM webhook_endpoints WHERE provider_id = 'leaving'")[0][0], '0');
});
