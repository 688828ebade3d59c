// Contract tests: every endpoint and error code of shared/spec/api.md plus the
// server's own endpoints, against a real server on a real database
// (SLOTWISE_TEST_BACKEND=sqlite|postgres).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  BACKEND, ADMIN, NOW, admin, book, cleanupAll, client, freshDatabase, keyLockKeys, newKey, providerConfig, putProvider, request, slotAt, startServer, tempDir,
  problem,
} from './harness.mjs';
import crypto from 'node:crypto';

// The idempotency table keeps only the SHA-256 of a key.
const keyHash = (key) => crypto.createHash('sha256').update(key).digest('hex');

let db, srv, base;
before(async () => {
  db = await freshDatabase();
  srv = await startServer(db, { args: ['--pending-cap', '2'] });
  base = srv.url;
  await putProvider(base, 'p1');
});
after(cleanupAll);

const booking = (start, extra = {}) => ({ provider: 'p1', service: 's30', start, client: client(), ...extra });

test('healthz answers 200 when the database is reachable', async () => {
  const r = await request(base, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.equal(r.json.status, 'ok');
});

test('PUT /v1/providers/{id}: auth, create, replace, validation', async () => {
  problem(await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig() }), 401, 'UNAUTHORIZED');
  problem(await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig(), headers: { authorization: 'Bearer wrong' } }), 401, 'UNAUTHORIZED');
  const created = await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig(), headers: admin });
  assert.equal(created.status, 201);
  assert.equal(created.json.provider.id, 'p2');
  const replaced = await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig({ name: 'Renamed' }), headers: admin });
  assert.equal(replaced.status, 200);
  assert.equal(replaced.json.provider.name, 'Renamed');
  problem(await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig({ kind: 'wizard' }), headers: admin }), 400, 'INVALID_REQUEST');
  problem(await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig({ colour: 'red' }), headers: admin }), 400, 'INVALID_REQUEST');
  problem(await request(base, 'PUT', '/v1/providers/p2', { body: providerConfig({ time_zone: 'Mars/Olympus' }), headers: admin }), 400, 'UNKNOWN_TIME_ZONE');
  const badSchedule = providerConfig({ schedules: { default: { weekly: [{ day: 'mon', start: '12:00', end: '09:00' }] } } });
  const r = await request(base, 'PUT', '/v1/providers/p2', { body: badSchedule, headers: admin });
  problem(r, 400, 'INVALID_REQUEST');
  assert.equal(r.json.engine_error.code, 'INVALID_SNAPSHOT');
  const badPolicy = providerConfig();
  badPolicy.services[0].cancellation_policy = 'generous';
  problem(await request(base, 'PUT', '/v1/providers/p2', { body: badPolicy, headers: admin }), 400, 'INVALID_REQUEST');
  problem(await request(base, 'PUT', '/v1/providers/bad.id', { body: providerConfig(), headers: admin }), 400, 'INVALID_REQUEST');
  // Nothing of the refused documents was stored.
  assert.equal((await request(base, 'GET', '/v1/providers/p2/snapshot')).json.provider.name, 'Renamed');
});

test('GET snapshot: engine snapshot, display keys, busy in range, no personal data, CORS', async () => {
  const made = await book(base, booking(slotAt(2, 60), { client: { name: 'Secret Name', email: 'secret@example.com' }, notes: 'private' }));
  assert.equal(made.status, 201, made.text);
  const r = await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-11-25&to=2026-11-25');
  assert.equal(r.status, 200);
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.json.provider.time_zone, 'Europe/Berlin');
  assert.equal(r.json.provider.name, 'Test Clinic');
  assert.ok(r.json.generated_at.match(/^2026-11-23T08:0\d:\d\dZ$/));
  assert.deepEqual(r.json.services[0].price, { amount: 10000, currency: 'EUR' });
  assert.deepEqual(r.json.busy, [{ start: slotAt(2, 60), end: slotAt(2, 90) }]);
  for (const secret of ['Secret', 'secret@', 'private', made.json.booking.id]) assert.ok(!r.text.includes(secret), secret);
  // Busy intervals far outside the range are left out.
  const far = await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-12-20&to=2026-12-21');
  assert.deepEqual(far.json.busy, []);
  problem(await request(base, 'GET', '/v1/providers/nobody/snapshot'), 404, 'UNKNOWN_PROVIDER');
  problem(await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-01-01&to=2027-01-03'), 400, 'RANGE_TOO_LARGE');
  assert.equal((await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-01-01&to=2027-01-02')).status, 200);
  problem(await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-13-01'), 400, 'INVALID_REQUEST');
  problem(await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-12-02&to=2026-12-01'), 400, 'INVALID_REQUEST');
});

test('GET slots: the engine result at the server clock', async () => {
  const r = await request(base, 'GET', '/v1/providers/p1/slots?service=s30&from=2026-11-23&to=2026-11-23&time_zone=America/New_York');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.time_zone, 'America/New_York');
  // now is 08:00Z with 60 minutes' notice; Berlin hours end 19:00Z.
  assert.equal(r.json.slots[0].start, '2026-11-23T09:00:00Z');
  assert.equal(r.json.slots.at(-1).start, '2026-11-23T18:30:00Z');
  const taken = await request(base, 'GET', '/v1/providers/p1/slots?service=s30&from=2026-11-25&to=2026-11-25');
  assert.ok(!taken.json.slots.some((s) => s.start === slotAt(2, 60)), 'a booked slot is not offered');
  const sixty = await request(base, 'GET', '/v1/providers/p1/slots?service=s30&from=2026-11-24&to=2026-11-24&duration_minutes=60');
  assert.equal(sixty.json.slots[1].start, slotAt(1, 60));
  problem(await request(base, 'GET', '/v1/providers/p1/slots?service=nope'), 404, 'UNKNOWN_SERVICE');
  problem(await request(base, 'GET', '/v1/providers/p1/slots'), 400, 'INVALID_REQUEST');
  problem(await request(base, 'GET', '/v1/providers/p1/slots?service=s30&time_zone=Nowhere/Land'), 400, 'UNKNOWN_TIME_ZONE');
  problem(await request(base, 'GET', '/v1/providers/p1/slots?service=s30&duration_minutes=45'), 400, 'INVALID_REQUEST');
  problem(await request(base, 'GET', '/v1/providers/p1/slots?service=s30&from=2051-01-01&to=2051-01-02'), 400, 'OUT_OF_RANGE');
  problem(await request(base, 'GET', '/v1/providers/ghost/slots?service=s30'), 404, 'UNKNOWN_PROVIDER');
});

test('POST /v1/bookings: 201, replay, key reuse, missing key, slot taken', async () => {
  const key = newKey();
  const first = await book(base, booking(slotAt(1, 60)), key);
  assert.equal(first.status, 201, first.text);
  const b = first.json.booking;
  assert.equal(b.status, 'CONFIRMED');
  assert.equal(b.start, slotAt(1, 60));
  assert.equal(b.end, slotAt(1, 90));
  assert.match(b.id, /^bk_[a-z2-7]{24}$/);
  assert.match(b.manage_token, /^[a-z2-7]{32}$/);
  assert.equal(b.meeting_link, undefined);
  const again = await book(base, booking(slotAt(1, 60)), key);
  assert.equal(again.status, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.text, first.text);
  // Same document, other key order and spacing: still the same body.
  const reordered = await request(base, 'POST', '/v1/bookings', { body: `{ "client": ${JSON.stringify(client())}, "start": "${slotAt(1, 60)}", "service": "s30", "provider": "p1" }`, headers: { 'idempotency-key': key } });
  assert.equal(reordered.status, 201);
  assert.equal(reordered.headers['idempotent-replayed'], 'true');
  problem(await book(base, booking(slotAt(1, 90)), key), 422, 'IDEMPOTENCY_KEY_REUSED');
  problem(await request(base, 'POST', '/v1/bookings', { body: booking(slotAt(1, 90)) }), 400, 'IDEMPOTENCY_KEY_MISSING');
  problem(await request(base, 'POST', '/v1/bookings', { body: booking(slotAt(1, 90)), headers: { 'idempotency-key': 'x'.repeat(256) } }), 400, 'INVALID_REQUEST');
  problem(await book(base, booking(slotAt(1, 60), { client: client(2) })), 409, 'SLOT_TAKEN');
  // 60 minutes from the same start overlaps it too.
  problem(await book(base, booking(slotAt(1, 60), { duration_minutes: 60, client: client(2) })), 409, 'SLOT_TAKEN');
  // A refusal is replayed too.
  const refusedKey = newKey();
  problem(await book(base, booking(slotAt(1, 60), { client: client(3) }), refusedKey), 409, 'SLOT_TAKEN');
  const replayedRefusal = await book(base, booking(slotAt(1, 60), { client: client(3) }), refusedKey);
  problem(replayedRefusal, 409, 'SLOT_TAKEN');
  assert.equal(replayedRefusal.headers['idempotent-replayed'], 'true');
});

test('POST /v1/bookings: the engine\'s 422 codes, 404s and 400s', async () => {
  const cases = [
    [booking('2026-11-23T08:30:00Z'), 422, 'TOO_SOON'],
    [booking(slotAt(1, 10)), 422, 'OFF_GRID'],
    [booking(slotAt(1, -60)), 422, 'OUTSIDE_AVAILABILITY'],
    [booking(slotAt(120, 60)), 422, 'TOO_FAR'],
    [booking(slotAt(1, 120), { duration_minutes: 45 }), 422, 'INVALID_DURATION'],
    [booking(slotAt(1, 120), { service: 'off' }), 422, 'SERVICE_INACTIVE'],
    [booking(slotAt(1, 120), { provider: 'ghost' }), 404, 'UNKNOWN_PROVIDER'],
    [booking(slotAt(1, 120), { service: 'ghost' }), 404, 'UNKNOWN_SERVICE'],
    [booking('2026-11-24T09:00'), 400, 'INVALID_REQUEST'],
    [booking('2026-11-24T09:00:30Z'), 400, 'INVALID_REQUEST'],
    [booking('2070-01-01T09:00:00Z'), 400, 'INVALID_REQUEST'],
    [booking(slotAt(1, 120), { client: { name: 'x' } }), 400, 'INVALID_REQUEST'],
    [booking(slotAt(1, 120), { client: { name: 'x', email: 'not-an-email' } }), 400, 'INVALID_REQUEST'],
    [booking(slotAt(1, 120), { duration_minutes: '30' }), 400, 'INVALID_REQUEST'],
    [booking(slotAt(1, 120), { duration_minutes: 30.5 }), 400, 'INVALID_REQUEST'],
    [booking(slotAt(1, 120), { extra: 1 }), 400, 'INVALID_REQUEST'],
    [{ ...booking(slotAt(1, 120)), provider: 7 }, 400, 'INVALID_REQUEST'],
  ];
  for (const [body, status, code] of cases) problem(await book(base, body), status, code);
  await putProvider(base, 'sleepy', providerConfig({ active: false }));
  problem(await book(base, booking(slotAt(1, 120), { provider: 'sleepy' })), 422, 'PROVIDER_INACTIVE');
});

test('requires_confirmation: PENDING blocks its time; confirm adds a meeting link; the PENDING cap', async () => {
  const pending = await book(base, booking(slotAt(3, 120), { service: 'video', client: client(7) }));
  assert.equal(pending.status, 201, pending.text);
  assert.equal(pending.json.booking.status, 'PENDING');
  assert.equal(pending.json.booking.meeting_link, undefined);
  problem(await book(base, booking(slotAt(3, 120), { client: client(8) })), 409, 'SLOT_TAKEN');
  assert.equal((await book(base, booking(slotAt(3, 180), { service: 'video', client: client(7) }))).status, 201);
  problem(await book(base, booking(slotAt(3, 240), { service: 'video', client: client(7) })), 422, 'TOO_MANY_PENDING');
  const id = pending.json.booking.id;
  problem(await request(base, 'POST', `/v1/bookings/${id}/confirm`), 401, 'UNAUTHORIZED');
  const confirmed = await request(base, 'POST', `/v1/bookings/${id}/confirm`, { headers: admin });
  assert.equal(confirmed.status, 200, confirmed.text);
  assert.equal(confirmed.json.booking.status, 'CONFIRMED');
  assert.match(confirmed.json.booking.meeting_link, /^https:\/\/meet\.example\.test\/slotwise-[a-z2-7]{32}$/);
  problem(await request(base, 'POST', `/v1/bookings/${id}/confirm`, { headers: admin }), 409, 'INVALID_TRANSITION');
  problem(await request(base, 'POST', `/v1/bookings/${id}/complete`, { headers: admin }), 409, 'INVALID_TRANSITION');
  problem(await request(base, 'POST', '/v1/bookings/bk_nothing/confirm', { headers: admin }), 404, 'UNKNOWN_BOOKING');
  // The .ics carries the link.
  const ics = await request(base, 'GET', `/v1/bookings/${id}.ics?token=${pending.json.booking.manage_token}`);
  assert.equal(ics.status, 200);
  assert.match(ics.headers['content-type'], /^text\/calendar/);
  assert.ok(ics.text.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n'));
  assert.ok(ics.text.endsWith('END:VCALENDAR\r\n'));
  assert.ok(ics.text.includes(`DTSTART:${slotAt(3, 120).replace(/[-:]/g, '')}\r\n`));
  assert.ok(ics.text.replace(/\r\n /g, '').includes(confirmed.json.booking.meeting_link));
  for (const line of ics.text.split('\r\n')) assert.ok(Buffer.byteLength(line) <= 75, line);
});

test('GET booking, .ics and tokens', async () => {
  const made = (await book(base, booking(slotAt(4, 60), { client: client(9) }))).json.booking;
  const ok = await request(base, 'GET', `/v1/bookings/${made.id}?token=${made.manage_token}`);
  assert.equal(ok.status, 200);
  assert.equal(ok.json.booking.id, made.id);
  assert.equal(ok.json.booking.manage_token, undefined);
  assert.equal(ok.headers['access-control-allow-origin'], '*');
  problem(await request(base, 'GET', `/v1/bookings/${made.id}`), 401, 'TOKEN_REQUIRED');
  problem(await request(base, 'GET', `/v1/bookings/${made.id}?token=${made.manage_token}x`), 403, 'INVALID_TOKEN');
  problem(await request(base, 'GET', `/v1/bookings/bk_unknown?token=${made.manage_token}`), 404, 'UNKNOWN_BOOKING');
  problem(await request(base, 'GET', `/v1/bookings/${made.id}.ics?token=nope`), 403, 'INVALID_TOKEN');
});

// A refund is the policy's share of money taken (issue 16): the booking's
// payment row as the booking flow writes it once Stripe took the price (no
// Stripe here: the refund rows stay unsent; payments_refunds.test.mjs sends them).
const paidInFull = (b) => db.sql(`INSERT INTO payments (booking_id, provider_id, mode, amount, currency, intent_id, status, amount_received, expires_at, created_at, updated_at)
  VALUES ('${b.id}', '${b.provider}', 'full', 10000, 'EUR', 'pi_${b.id}', 'succeeded', 10000, 0, 0, 0)`);

test('client cancel: refund from the policy, slot free again, second cancel is 409', async () => {
  const made = (await book(base, booking(slotAt(10, 60), { client: client(10) }))).json.booking;
  paidInFull(made);
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/cancel?token=bad`, { body: {} }), 403, 'INVALID_TOKEN');
  const r = await request(base, 'POST', `/v1/bookings/${made.id}/cancel?token=${made.manage_token}`, { body: { reason: 'ill' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.booking.status, 'CANCELLED');
  assert.equal(r.json.booking.cancellation_reason, 'ill');
  assert.match(r.json.booking.cancelled_at, /^2026-11-23T08:0\dZ|^2026-11-23T08:0\d:00Z$/);
  assert.deepEqual(r.json.booking.refund, { amount: 10000, currency: 'EUR', paid: true }); // moderate, >= 5 days before
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/cancel?token=${made.manage_token}`), 409, 'INVALID_TRANSITION');
  assert.equal((await book(base, booking(slotAt(10, 60), { client: client(11) }))).status, 201);
  // Within 5 days but over 24 h: half.
  const soon = (await book(base, booking(slotAt(2, 300), { client: client(12) }))).json.booking;
  paidInFull(soon);
  const half = await request(base, 'POST', `/v1/bookings/${soon.id}/cancel?token=${soon.manage_token}`);
  assert.deepEqual(half.json.booking.refund, { amount: 5000, currency: 'EUR', paid: true });
  problem(await request(base, 'POST', `/v1/bookings/${soon.id}/cancel?token=${soon.manage_token}`, { body: { reason: 5 } }), 400, 'INVALID_REQUEST');
});

test('reschedule: atomic, its old time does not block the new one', async () => {
  const made = (await book(base, booking(slotAt(5, 90), { client: client(13) }))).json.booking;
  const other = (await book(base, booking(slotAt(5, 180), { client: client(14) }))).json.booking;
  // 30 minutes at 09:30 local become 60 minutes at 09:00: it overlaps only its own old time.
  const moved = await request(base, 'POST', `/v1/bookings/${made.id}/reschedule?token=${made.manage_token}`, { body: { start: slotAt(5, 60), duration_minutes: 60 } });
  assert.equal(moved.status, 200, moved.text);
  assert.equal(moved.json.booking.start, slotAt(5, 60));
  assert.equal(moved.json.booking.end, slotAt(5, 120));
  assert.equal(moved.json.booking.id, made.id);
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/reschedule?token=${made.manage_token}`, { body: { start: other.start } }), 409, 'SLOT_TAKEN');
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/reschedule?token=${made.manage_token}`, { body: { start: slotAt(5, 75) } }), 422, 'OFF_GRID');
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/reschedule?token=${made.manage_token}`, { body: { begin: slotAt(5, 30) } }), 400, 'INVALID_REQUEST');
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/reschedule?token=wrong`, { body: { start: slotAt(5, 300) } }), 403, 'INVALID_TOKEN');
  const away = await request(base, 'POST', `/v1/bookings/${made.id}/reschedule?token=${made.manage_token}`, { body: { start: slotAt(5, 300) } });
  assert.equal(away.status, 200, away.text);
  // Its old times are free now.
  assert.equal((await book(base, booking(slotAt(5, 60), { client: client(15) }))).status, 201);
  assert.equal((await book(base, booking(slotAt(5, 90), { client: client(15) }))).status, 201);
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE id = '${made.id}' AND start_at = ${Date.parse(slotAt(5, 300)) / 1000}`)[0][0], '1');
  const cancelled = await request(base, 'POST', `/v1/bookings/${other.id}/cancel?token=${other.manage_token}`);
  assert.equal(cancelled.status, 200);
  problem(await request(base, 'POST', `/v1/bookings/${other.id}/reschedule?token=${other.manage_token}`, { body: { start: slotAt(5, 420) } }), 409, 'INVALID_TRANSITION');
});

test('provider cancel refunds 100%; provider list with filters', async () => {
  const made = (await book(base, booking(slotAt(1, 600), { client: client(16) }))).json.booking;
  paidInFull(made);
  const r = await request(base, 'POST', `/v1/bookings/${made.id}/cancel`, { headers: admin, body: { reason: 'closed' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.booking.cancelled_by, 'provider');
  assert.deepEqual(r.json.booking.refund, { amount: 10000, currency: 'EUR', paid: true });
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/cancel`, { headers: { authorization: 'Bearer nope' } }), 401, 'UNAUTHORIZED');
  problem(await request(base, 'GET', '/v1/providers/p1/bookings'), 401, 'UNAUTHORIZED');
  const list = await request(base, 'GET', '/v1/providers/p1/bookings?from=2026-11-24&to=2026-11-24', { headers: admin });
  assert.equal(list.status, 200);
  assert.equal(list.headers['access-control-allow-origin'], undefined, 'no CORS on provider endpoints');
  assert.ok(list.json.bookings.some((b) => b.id === made.id && b.client.email === 'client16@example.com'));
  assert.ok(list.json.bookings.every((b) => b.start >= '2026-11-23T23:00:00Z' && b.start < '2026-11-24T23:00:00Z'));
  const cancelledOnly = await request(base, 'GET', '/v1/providers/p1/bookings?from=2026-11-24&to=2026-11-24&status=CANCELLED', { headers: admin });
  assert.ok(cancelledOnly.json.bookings.length >= 1 && cancelledOnly.json.bookings.every((b) => b.status === 'CANCELLED'));
  problem(await request(base, 'GET', '/v1/providers/p1/bookings?status=LOST', { headers: admin }), 400, 'INVALID_REQUEST');
  problem(await request(base, 'GET', '/v1/providers/p1/bookings?from=2026-01-01&to=2027-06-01', { headers: admin }), 400, 'RANGE_TOO_LARGE');
  problem(await request(base, 'GET', '/v1/providers/zz/bookings', { headers: admin }), 404, 'UNKNOWN_PROVIDER');
});

test('CORS: preflight on public endpoints only', async () => {
  const pre = await request(base, 'OPTIONS', '/v1/bookings', { headers: { origin: 'https://site.example', 'access-control-request-method': 'POST' } });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers['access-control-allow-origin'], '*');
  assert.match(pre.headers['access-control-allow-headers'], /Idempotency-Key/);
  const closed = await request(base, 'OPTIONS', '/v1/providers/p1', { headers: { origin: 'https://site.example' } });
  assert.equal(closed.headers['access-control-allow-origin'], undefined);
  problem(await request(base, 'GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
});

test('413 for bodies over 64 KiB', async () => {
  const big = JSON.stringify(booking(slotAt(1, 120), { notes: 'x'.repeat(70000) }));
  const r = await request(base, 'POST', '/v1/bookings', { body: big, headers: { 'idempotency-key': newKey() } });
  problem(r, 413, 'PAYLOAD_TOO_LARGE');
});

test('idempotency: in flight, replay, 24-hour expiry with purge', async () => {
  const now = Math.floor(Date.parse(NOW) / 1000);
  const body = booking(slotAt(6, 60), { client: client(20) });
  // Two requests with one key while the database keeps the first waiting:
  // whichever the server took first waits, the other is answered at once.
  const release = await db.hold();
  const first = book(base, body, 'in-flight-key');
  await new Promise((r) => setTimeout(r, 200));
  const second = book(base, body, 'in-flight-key');
  const quick = await Promise.race([first, second]);
  problem(quick, 409, 'IDEMPOTENCY_KEY_IN_FLIGHT');
  assert.equal(quick.headers['retry-after'], '1');
  await release();
  const [a, b] = await Promise.all([first, second]);
  const made = a === quick ? b : a;
  assert.equal(made.status, 201, made.text);
  assert.equal(made.headers['idempotent-replayed'], undefined);
  const again = await book(base, body, 'in-flight-key');
  assert.equal(again.status, 201);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(again.json.booking.id, made.json.booking.id);
  assert.deepEqual(db.sql(`SELECT state FROM idempotency_keys WHERE key = '${keyHash('in-flight-key')}'`), [['DONE']]);
  // After 24 hours a key is forgotten: the same key books anew.
  db.sql(`UPDATE idempotency_keys SET created_at = created_at - 86401 WHERE key = '${keyHash('in-flight-key')}'`);
  const fresh = await book(base, booking(slotAt(6, 120), { client: client(20) }), 'in-flight-key');
  assert.equal(fresh.status, 201, fresh.text);
  assert.equal(fresh.headers['idempotent-replayed'], undefined);
  assert.notEqual(fresh.json.booking.id, made.json.booking.id);
  // Expired keys are purged at start (and every 10 minutes).
  db.sql(`INSERT INTO idempotency_keys (key, request_sha256, state, owner, created_at, updated_at) VALUES ('old-key', 'x', 'DONE', 'o', ${now - 90000}, ${now - 90000})`);
  const restarted = await startServer(db);
  assert.deepEqual(db.sql(`SELECT COUNT(*) FROM idempotency_keys WHERE key = 'old-key'`), [['0']]);
  await restarted.stop();
});

test('PostgreSQL: a key another process is working on is 409 IN_FLIGHT there too', { skip: BACKEND !== 'postgres' }, async () => {
  // The other process is played by a psql session holding the key's lock.
  const key = `elsewhere-${Date.now()}`;
  const [a, b] = keyLockKeys(key);
  const release = await db.hold(`SELECT pg_advisory_lock(${a}, ${b});`);
  const body = booking(slotAt(6, 180), { client: client(21) });
  const busy = await book(base, body, key);
  problem(busy, 409, 'IDEMPOTENCY_KEY_IN_FLIGHT');
  assert.equal(busy.headers['retry-after'], '1');
  await release();
  const made = await book(base, body, key);
  assert.equal(made.status, 201, made.text);
  assert.equal(made.headers['idempotent-replayed'], undefined);
});

test('a provider change through one process applies at once to bookings in another', async () => {
  const other = await startServer(db);
  await putProvider(base, 'p9');
  assert.equal((await book(other.url, booking(slotAt(2, 60), { provider: 'p9' }))).status, 201);
  await putProvider(base, 'p9', providerConfig({ active: false }));
  problem(await book(other.url, booking(slotAt(2, 120), { provider: 'p9' })), 422, 'PROVIDER_INACTIVE');
  await putProvider(base, 'p9');
  assert.equal((await book(other.url, booking(slotAt(2, 120), { provider: 'p9' }))).status, 201);
  await other.stop();
});

test('no-show: no refund, count goes up, same-day lock-out', async () => {
  const made = (await book(base, booking('2026-11-23T10:00:00Z', { client: client(30) }))).json.booking;
  problem(await request(base, 'POST', `/v1/bookings/${made.id}/no-show`, { headers: admin }), 409, 'INVALID_TRANSITION');
  // Later that day (the server's clock starts at 10:45Z).
  const later = await startServer(db, { now: '2026-11-23T10:45:00Z' });
  const r = await request(later.url, 'POST', `/v1/bookings/${made.id}/no-show`, { headers: admin });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.booking.status, 'NO_SHOW');
  assert.deepEqual(r.json.booking.refund, { amount: 0, currency: 'EUR', paid: false }); // nothing was paid
  assert.deepEqual(db.sql(`SELECT SUM(no_show_count) FROM client_no_shows WHERE provider_id = 'p1'`), [['1']]);
  problem(await book(later.url, booking('2026-11-23T13:00:00Z', { client: client(30) })), 422, 'CLIENT_LOCKED_OUT');
  assert.equal((await book(later.url, booking('2026-11-23T13:00:00Z', { client: client(31) }))).status, 201);
  assert.equal((await book(later.url, booking(slotAt(1, 240), { client: client(30) }))).status, 201, 'another day is fine');
  problem(await request(later.url, 'POST', `/v1/bookings/${made.id}/complete`, { headers: admin }), 409, 'INVALID_TRANSITION');
  const other = (await book(base, booking(slotAt(1, 480), { client: client(32) }))).json.booking;
  await later.stop();
  const tomorrow = await startServer(db, { now: '2026-11-24T20:00:00Z' });
  const done = await request(tomorrow.url, 'POST', `/v1/bookings/${other.id}/complete`, { headers: admin });
  assert.equal(done.json.booking.status, 'COMPLETED');
  await tomorrow.stop();
});

test('every change is in the audit log', async () => {
  const rows = db.sql(`SELECT action, COUNT(*) FROM audit_log GROUP BY action ORDER BY action`);
  const actions = Object.fromEntries(rows);
  for (const a of ['booking.cancel', 'booking.complete', 'booking.confirm', 'booking.create', 'booking.no-show', 'booking.reschedule', 'provider.create', 'provider.replace'])
    assert.ok(Number(actions[a]) >= 1, a);
  assert.deepEqual(db.sql(`SELECT COUNT(*) FROM bookings`), db.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'booking.create'`));
});

test('rate limit: 429 with Retry-After per client address', async () => {
  const limited = await startServer(db, { args: ['--rate-limit', '1:3'] });
  // Six at once: a burst of three passes (a fourth if a token came back
  // meanwhile), the rest are limited, however slowly the machine answers.
  const answers = await Promise.all(Array.from({ length: 6 }, () => book(limited.url, { nonsense: true })));
  const passed = answers.filter((r) => r.status === 400), refused = answers.filter((r) => r.status === 429);
  assert.equal(passed.length + refused.length, 6, answers.map((r) => r.status).join(','));
  assert.ok(passed.length >= 3 && refused.length >= 2, answers.map((r) => r.status).join(','));
  problem(refused[0], 429, 'RATE_LIMITED');
  assert.ok(Number(refused[0].headers['retry-after']) >= 1);
  assert.equal((await request(limited.url, 'GET', '/healthz')).status, 200, 'GETs are not limited');
  await limited.stop();
});

test('--web-root: static files with cache headers and MIME types', async () => {
  const root = tempDir('slotwise-web-');
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>demo</title>');
  fs.writeFileSync(path.join(root, 'slotwise-engine.0123abcd.wasm'), Buffer.from([0, 97, 115, 109]));
  fs.writeFileSync(path.join(root, 'widget.js'), 'export {}');
  fs.writeFileSync(path.join(root, 'slotwise-engine.0123abcd.mjs'), 'export {}');
  const web = await startServer(db, { args: ['--web-root', root] });
  const index = await request(web.url, 'GET', '/');
  assert.equal(index.status, 200);
  assert.match(index.headers['content-type'], /text\/html/);
  assert.equal(index.headers['cache-control'], 'no-cache');
  const wasm = await request(web.url, 'GET', '/slotwise-engine.0123abcd.wasm');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.equal(wasm.headers['cache-control'], 'public, max-age=31536000, immutable');
  assert.equal((await request(web.url, 'GET', '/slotwise-engine.0123abcd.mjs')).headers['content-type'], 'text/javascript');
  assert.equal((await request(web.url, 'GET', '/widget.js')).headers['cache-control'], 'no-cache');
  assert.equal((await request(web.url, 'GET', '/../../etc/passwd')).status, 404);
  assert.equal((await request(web.url, 'GET', '/healthz')).status, 200);
  await web.stop();
});

// The server binds its port before the database is ready; what it prints
// about the database comes after "listening on".
async function untilReady(server) {
  const deadline = Date.now() + 15000;
  while (!/database ready/.test(server.output())) {
    if (Date.now() > deadline) throw new Error(`never ready: ${server.output()} ${server.errors()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('--demo creates a demo provider in an empty database; a generated token is printed once, to stderr, and survives restarts', async () => {
  const empty = await freshDatabase();
  const demo = await startServer(empty, { args: ['--demo'], env: { SLOTWISE_ADMIN_TOKEN: '' } });
  await untilReady(demo);
  const printed = demo.errors().match(/admin token \(SLOTWISE_ADMIN_TOKEN was unset[^)]*\): ([a-z2-7]{24,})/);
  assert.ok(printed, demo.errors());
  const token = printed[1];
  assert.ok(!demo.output().includes(token), 'the token never goes to stdout (the access log)');
  assert.match(demo.output(), /created demo provider 'demo'/);
  const snap = await request(demo.url, 'GET', '/v1/providers/demo/snapshot');
  assert.equal(snap.json.provider.time_zone, 'Europe/Berlin');
  assert.ok(snap.json.services.some((s) => s.virtual));
  const slots = await request(demo.url, 'GET', '/v1/providers/demo/slots?service=consult&from=2026-11-24&to=2026-11-24');
  assert.equal(slots.json.slots[0].local_start, '09:00');
  const listing = (base) => request(base, 'GET', '/v1/providers/demo/bookings', { headers: { authorization: `Bearer ${token}` } });
  assert.equal((await listing(demo.url)).status, 200);
  await demo.stop();
  const again = await startServer(empty, { args: ['--demo'], env: { SLOTWISE_ADMIN_TOKEN: '' } });
  await untilReady(again);
  assert.doesNotMatch(again.output(), /created demo provider/);
  assert.doesNotMatch(again.errors(), /admin token/);
  assert.equal((await listing(again.url)).status, 200, 'the generated token still works after a restart');
  await again.stop();
});

test('JSON access log without query strings; graceful SIGTERM', async () => {
  const dir = tempDir('slotwise-log-');
  const logFile = path.join(dir, 'access.log');
  const logged = await startServer(db, { args: ['--access-log', logFile] });
  await request(logged.url, 'GET', '/v1/bookings/bk_x?token=SECRET-TOKEN');
  // A long path of bytes that need escaping (quotes, backslashes, bytes that
  // are not UTF-8) is still one valid JSON line, its path cut at 256 bytes.
  const awkward = await request(logged.url, 'GET', `/v1/bookings/${'%22%5C%FF'.repeat(300)}`);
  // A request in flight when SIGTERM arrives still gets its answer. The
  // database is held so that a booking waits inside the server; of two
  // requests with one key, the one answered at once (409 in flight) proves
  // that the other is in there. Then SIGTERM, then the database is let go.
  const release = await db.hold();
  const body = booking(slotAt(7, 60), { client: client(40) });
  const first = book(logged.url, body, 'sigterm-key');
  await new Promise((r) => setTimeout(r, 50));
  const second = book(logged.url, body, 'sigterm-key');
  const quick = await Promise.race([first, second]);
  problem(quick, 409, 'IDEMPOTENCY_KEY_IN_FLIGHT');
  logged.proc.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 300));
  await release();
  const answer = await ((await first) === quick ? second : first);
  const { code } = await logged.exited;
  assert.equal(code, 0);
  assert.equal(answer.status, 201, answer.text);
  assert.equal(db.sql(`SELECT COUNT(*) FROM bookings WHERE id = '${answer.json.booking.id}'`)[0][0], '1');
  const lines = fs.readFileSync(logFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.path === '/v1/bookings/bk_x' && l.status === 404 && l.method === 'GET' && typeof l.ms === 'number'));
  const awkwardLine = lines.find((l) => l.status === awkward.status && l.path.startsWith('/v1/bookings/"\\\ufffd'));
  assert.ok(awkwardLine, `no log line for the long path: ${JSON.stringify(lines.map((l) => l.path.slice(0, 40)))}`);
  assert.equal(Buffer.byteLength(awkwardLine.path.replaceAll('\ufffd', '\xff'), 'latin1'), 256);
  assert.ok(!fs.readFileSync(logFile, 'utf8').includes('SECRET-TOKEN'));
  assert.match(logged.output(), /stopped/);
});

test('a database that goes away: healthz 503, requests 503 problem answers, no crash', { skip: BACKEND !== 'postgres' && 'needs a database that can be stopped' }, async () => {
  db.stopDatabase();
  const health = await request(base, 'GET', '/healthz');
  problem(health, 503, 'DATABASE_UNAVAILABLE');
  const r = await book(base, booking(slotAt(8, 60), { client: client(50) }));
  problem(r, 503, 'DATABASE_UNAVAILABLE');
  assert.ok(r.headers['retry-after']);
  assert.equal(srv.proc.exitCode, null, 'the server is still running');
});
