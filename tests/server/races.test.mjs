// Races and crashes: exactly one winner per slot, one booking per
// idempotency key, no overlap after a storm across two processes, nothing
// acknowledged is lost when the server is killed with SIGKILL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  book, cleanupAll, freshDatabase, providerConfig, putProvider, request, slotAt, startServer,
} from './harness.mjs';

let db, a, b;
before(async () => {
  db = await freshDatabase();
  a = await startServer(db);
  b = await startServer(db);
  const config = providerConfig();
  // The storm's service: two durations, a buffer, a 30-minute grid, so that
  // bookings overlap in many partial ways.
  config.services.push({ id: 'storm', name: 'Storm', durations: [30, 60], buffer_after_minutes: 10, slot_interval_minutes: 30,
    price: { amount: 1000, currency: 'EUR' }, cancellation_policy: 'flexible' });
  config.services.push({ id: 'asked', name: 'Asked', durations: [30], requires_confirmation: true,
    price: { amount: 1000, currency: 'EUR' }, cancellation_policy: 'flexible' });
  await putProvider(a.url, 'p1', config);
});
after(cleanupAll);

const body = (start, n, extra = {}) => ({ provider: 'p1', service: 's30', start, client: { name: `Racer ${n}`, email: `racer${n}@example.com` }, ...extra });
const all = (n, f) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));
// A small seeded generator, so a failing storm can be replayed.
function prng(seed) {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000; };
}
const overlapsSql = `SELECT COUNT(*) FROM bookings x JOIN bookings y ON x.provider_id = y.provider_id AND x.id < y.id
  WHERE x.status IN ('PENDING', 'CONFIRMED') AND y.status IN ('PENDING', 'CONFIRMED')
    AND x.occupied_start < y.occupied_end AND y.occupied_start < x.occupied_end`;
const activeIds = (service) => new Set(db.sql(`SELECT id FROM bookings WHERE service_id = '${service}' AND status IN ('PENDING', 'CONFIRMED')`).map((r) => r[0]));

test('64 concurrent clients, one slot: exactly one 201 and 63 SLOT_TAKEN', async () => {
  const start = slotAt(1, 60);
  const answers = await all(64, (i) => book(a.url, body(start, i)));
  const created = answers.filter((r) => r.status === 201);
  const taken = answers.filter((r) => r.status === 409 && r.json.code === 'SLOT_TAKEN');
  assert.equal(created.length, 1, answers.map((r) => r.status).join(','));
  assert.equal(taken.length, 63);
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE start_at = ${Date.parse(start) / 1000}`)[0][0], '1');
});

test('64 concurrent clients on two server processes sharing one database', async () => {
  const start = slotAt(1, 120);
  const answers = await all(64, (i) => book(i % 2 ? a.url : b.url, body(start, 100 + i)));
  assert.equal(answers.filter((r) => r.status === 201).length, 1, answers.map((r) => r.status).join(','));
  assert.equal(answers.filter((r) => r.status === 409 && r.json.code === 'SLOT_TAKEN').length, 63);
});

test('32 concurrent retries of one idempotency key create exactly one booking', async () => {
  const start = slotAt(1, 180);
  const key = `retry-${Date.now()}`;
  const answers = await all(32, (i) => book(i % 2 ? a.url : b.url, body(start, 500), key));
  const ok = answers.filter((r) => r.status === 201);
  const inFlight = answers.filter((r) => r.status === 409 && r.json.code === 'IDEMPOTENCY_KEY_IN_FLIGHT');
  assert.equal(ok.length + inFlight.length, 32, answers.map((r) => `${r.status} ${r.json?.code}`).join(','));
  assert.ok(ok.length >= 1);
  assert.equal(new Set(ok.map((r) => r.json.booking.id)).size, 1, 'every 201 is the same booking');
  assert.equal(ok.filter((r) => r.headers['idempotent-replayed'] !== 'true').length, 1, 'one original answer');
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE start_at = ${Date.parse(start) / 1000}`)[0][0], '1');
  const later = await book(a.url, body(start, 500), key);
  assert.equal(later.status, 201);
  assert.equal(later.headers['idempotent-replayed'], 'true');
  assert.equal(later.json.booking.id, ok[0].json.booking.id);
});

test('one client, 12 concurrent PENDING requests over two processes: exactly the cap of 3 is booked', async () => {
  const answers = await all(12, (i) => book(i % 2 ? a.url : b.url, body(slotAt(4, i * 30), 900, { service: 'asked' })));
  const booked = answers.filter((r) => r.status === 201);
  assert.equal(booked.length, 3, answers.map((r) => `${r.status} ${r.json?.code}`).join(','));
  assert.ok(booked.every((r) => r.json.booking.status === 'PENDING'));
  assert.ok(answers.filter((r) => r.status !== 201).every((r) => r.status === 422 && r.json.code === 'TOO_MANY_PENDING'));
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE client_email = 'racer900@example.com' AND status = 'PENDING'`)[0][0], '3');
});

// 50 grid points of the storm service: 08:00..16:00 local on three days.
const stormSlots = Array.from({ length: 50 }, (_, i) => slotAt(10 + Math.floor(i / 17), (i % 17) * 30));

async function storm({ requests, clients, seed, servers, label, onAnswer = () => {} }) {
  const random = prng(seed);
  const plan = Array.from({ length: requests }, (_, i) => ({
    key: `${label}-${seed}-${i}`,
    body: { provider: 'p1', service: 'storm', start: stormSlots[Math.floor(random() * stormSlots.length)],
      duration_minutes: random() < 0.5 ? 30 : 60, client: { name: `Storm ${i}`, email: `storm${i}@example.com` } },
    answer: null,
  }));
  let next = 0;
  await all(clients, async (c) => {
    while (next < plan.length) {
      const item = plan[next++];
      try {
        item.answer = await book(servers[c % servers.length].url, item.body, item.key);
      } catch (e) {
        item.answer = { status: 0, error: e.message };
      }
      onAnswer(item);
    }
  });
  return plan;
}

test('storm: 2,000 random bookings over 50 slots from 32 clients on two processes', async () => {
  const plan = await storm({ requests: 2000, clients: 32, seed: 42, servers: [a, b], label: 'storm' });
  const statuses = {};
  for (const p of plan) statuses[p.answer.status] = (statuses[p.answer.status] || 0) + 1;
  assert.deepEqual(Object.keys(statuses).sort(), ['201', '409'].filter((s) => statuses[s]), JSON.stringify(statuses));
  for (const p of plan.filter((x) => x.answer.status === 409)) assert.equal(p.answer.json.code, 'SLOT_TAKEN');
  assert.equal(db.sql(overlapsSql)[0][0], '0', 'no overlapping active bookings');
  const ids = plan.filter((p) => p.answer.status === 201).map((p) => p.answer.json.booking.id);
  assert.ok(ids.length >= 15, `only ${ids.length} bookings`);
  assert.deepEqual(activeIds('storm'), new Set(ids), 'every 201 is in the table, and nothing else');
});

test('kill -9 in the middle of a storm: acknowledged bookings survive, retries replay', async () => {
  db.sql(`UPDATE bookings SET status = 'CANCELLED' WHERE service_id = 'storm'`);
  const victim = await startServer(db);
  let answered = 0;
  const killed = [];
  const plan = await storm({
    requests: 800, clients: 32, seed: 7, servers: [victim], label: 'crash',
    onAnswer: (item) => {
      if (item.answer.status && ++answered === 150) killed.push(victim.kill9());
    },
  });
  await Promise.all(killed);
  const acknowledged = plan.filter((p) => p.answer.status === 201).map((p) => p.answer.json.booking.id);
  const unanswered = plan.filter((p) => p.answer.status === 0);
  assert.ok(acknowledged.length > 0 && unanswered.length > 0, `acknowledged ${acknowledged.length}, unanswered ${unanswered.length}`);
  // Restart. A request that died before its commit left no record under its
  // key; one whose commit landed replays.
  const revived = await startServer(db);
  for (const id of acknowledged) assert.ok(activeIds('storm').has(id), `acknowledged ${id} is in the table`);
  assert.equal(db.sql(overlapsSql)[0][0], '0');
  assert.equal(db.sql(`SELECT COUNT(*) FROM idempotency_keys WHERE state <> 'DONE'`)[0][0], '0');
  let replayed = 0, next = 0;
  await all(16, async () => {
    while (next < unanswered.length) {
      const item = unanswered[next++];
      const r = await book(revived.url, item.body, item.key);
      assert.ok(r.status === 201 || (r.status === 409 && r.json.code === 'SLOT_TAKEN'), `${r.status} ${r.text}`);
      if (r.headers['idempotent-replayed'] === 'true') replayed++;
      item.answer = r;
    }
  });
  // Every booking in the table was answered 201 to someone, before or after the crash.
  const answeredIds = plan.filter((p) => p.answer.status === 201).map((p) => p.answer.json.booking.id);
  assert.deepEqual(activeIds('storm'), new Set(answeredIds));
  assert.equal(db.sql(overlapsSql)[0][0], '0');
  assert.equal((await request(revived.url, 'GET', '/healthz')).status, 200);
  console.log(`crash: ${acknowledged.length} acknowledged before the kill, ${unanswered.length} unanswered, ${replayed} of those replayed a commit that had landed`);
});

test('a booking committed whose answer was lost replays on retry, across kill -9 and restart', async () => {
  const victim = await startServer(db);
  const key = `lost-answer-${Date.now()}`;
  const lost = body(slotAt(2, 240), 901);  // 900 holds its 3 open bookings from the test before
  // Send the request and hang up before the answer comes back.
  await new Promise((resolve) => {
    const payload = Buffer.from(JSON.stringify(lost));
    const req = http.request(new URL('/v1/bookings', victim.url), { method: 'POST', agent: false,
      headers: { 'content-type': 'application/json', 'content-length': payload.length, 'idempotency-key': key } });
    req.on('error', () => {});
    req.on('finish', () => { req.destroy(); resolve(); });
    req.end(payload);
  });
  const at = Date.parse(lost.start) / 1000;
  for (let i = 0; i < 100 && db.sql(`SELECT COUNT(*) FROM bookings WHERE start_at = ${at}`)[0][0] === '0'; i++)
    await new Promise((r) => setTimeout(r, 50));
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE start_at = ${at}`)[0][0], '1', 'the commit landed');
  await victim.kill9();
  const revived = await startServer(db);
  const retry = await book(revived.url, lost, key);
  assert.equal(retry.status, 201, retry.text);
  assert.equal(retry.headers['idempotent-replayed'], 'true');
  assert.equal(retry.json.booking.start, lost.start);
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE start_at = ${at}`)[0][0], '1', 'no duplicate');
});
