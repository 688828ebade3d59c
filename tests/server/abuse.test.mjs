// Booking abuse and data at rest (issue 9, items 4 and 5; issue 18, item 3),
// against real server processes on a real database
// (SLOTWISE_TEST_BACKEND=sqlite|postgres): the open-bookings cap on a
// normalised address, PENDING requests that expire, reschedules that cannot
// launder the cancellation policy or the no-show lock-out, idempotent
// answers sealed at rest, text fields without control or direction
// characters, and duplicates that wait for the first request.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import {
  BACKEND, NOW, admin, book, cleanupAll, client, freshDatabase, newKey, providerConfig, putProvider, request, slotAt, startServer,
  problem,
} from './harness.mjs';

let db, srv, base;
before(async () => {
  db = await freshDatabase();
  srv = await startServer(db);
  base = srv.url;
});
after(cleanupAll);

const person = (email, name = 'Hoarder') => ({ name, email });
const cancel = (url, b, body = {}) => request(url, 'POST', `/v1/bookings/${b.id}/cancel?token=${b.manage_token}`, { body });
const reschedule = (url, b, start) => request(url, 'POST', `/v1/bookings/${b.id}/reschedule?token=${b.manage_token}`, { body: { start } });
const nowPlus = (minutes) => new Date(Date.parse(NOW) + minutes * 60000).toISOString().replace('.000Z', 'Z');

// The whole database as text, without the bookings table (which may hold
// personal data): SQLite's .dump, PostgreSQL's pg_dump (data only).
function dumpWithoutBookings() {
  if (BACKEND === 'postgres') {
    const port = new URL(db.url).port;
    const dump = execFileSync('pg_dump', ['-h', '127.0.0.1', '-p', port, '-U', 'postgres', '--data-only', 'postgres'],
      { encoding: 'utf8', maxBuffer: 256 << 20 });
    // Drop the COPY block of public.bookings, up to its "\." terminator.
    return dump.replace(/^COPY public\.bookings [^\n]*\n[\s\S]*?^\\\.$/m, '');
  }
  const dump = execFileSync('sqlite3', ['-batch', db.url.slice('sqlite:'.length), '.dump'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  return dump.split('\n').filter((line) => !line.startsWith('INSERT INTO bookings ') && !line.startsWith('INSERT INTO "bookings"')).join('\n');
}

test('hoarding: address variants of one client share the cap of 3 open bookings per provider', async () => {
  await putProvider(base, 'hoard');
  // Case, +tag, fullwidth letters (NFKC), Cyrillic look-alikes (ICU skeleton).
  const variants = ['me@example.com', 'ME@Example.COM', 'me+hoard@example.com', 'ｍｅ@ｅｘａｍｐｌｅ.com',
    'm\u0435@\u0435x\u0430mple.com', 'Me+2@EXAMPLE.com'];
  const answers = [];
  for (let i = 0; i < variants.length; i++) {
    // A confirmed and a PENDING service: both count.
    const service = i % 2 ? 'video' : 's30';
    answers.push(await book(base, { provider: 'hoard', service, start: slotAt(1 + i, 60), client: person(variants[i]) }));
  }
  assert.deepEqual(answers.slice(0, 3).map((r) => r.status), [201, 201, 201], answers.map((r) => r.text).join('\n'));
  for (const r of answers.slice(3)) {
    problem(r, 422, 'TOO_MANY_OPEN_BOOKINGS');
    assert.match(r.json.detail, /3/);
  }
  // Another client is not affected; the same client with another provider neither.
  assert.equal((await book(base, { provider: 'hoard', service: 's30', start: slotAt(8, 60), client: person('you@example.com') })).status, 201);
  await putProvider(base, 'hoard2');
  assert.equal((await book(base, { provider: 'hoard2', service: 's30', start: slotAt(1, 60), client: person('ME@example.com') })).status, 201);
  // A cancelled booking no longer counts.
  assert.equal((await cancel(base, answers[0].json.booking)).status, 200);
  assert.equal((await book(base, { provider: 'hoard', service: 's30', start: slotAt(9, 60), client: person('me+again@example.com') })).status, 201);
  problem(await book(base, { provider: 'hoard', service: 's30', start: slotAt(10, 60), client: person('me@example.com') }), 422, 'TOO_MANY_OPEN_BOOKINGS');
  // The key is stored with the booking.
  const keys = db.sql(`SELECT DISTINCT client_key FROM bookings WHERE provider_id = 'hoard' AND client_email <> 'you@example.com'`);
  assert.equal(keys.length, 1, JSON.stringify(keys));
});

test('hoarding: the cap and the PENDING expiry are per provider, validated and read back', async () => {
  const put = await request(base, 'PUT', '/v1/providers/roomy', {
    body: providerConfig({ booking_limits: { open_bookings_per_client: 5, pending_expiry_minutes: 90 } }), headers: admin });
  assert.equal(put.status, 201, put.text);
  assert.deepEqual(put.json.booking_limits, { open_bookings_per_client: 5, pending_expiry_minutes: 90 });
  const defaults = await request(base, 'PUT', '/v1/providers/plain', { body: providerConfig(), headers: admin });
  assert.deepEqual(defaults.json.booking_limits, { open_bookings_per_client: 3, pending_expiry_minutes: 1440 });
  const answers = [];
  for (let i = 0; i < 7; i++)
    answers.push(await book(base, { provider: 'roomy', service: 's30', start: slotAt(1 + i, 120), client: person(`Roomy+${i}@example.com`) }));
  assert.deepEqual(answers.map((r) => r.status), [201, 201, 201, 201, 201, 422, 422], answers.map((r) => r.text).join('\n'));
  // Lowered again: the next booking is refused, the existing ones stay.
  const lowered = await request(base, 'PUT', '/v1/providers/roomy', { body: providerConfig({ booking_limits: { open_bookings_per_client: 1 } }), headers: admin });
  assert.equal(lowered.status, 200);
  assert.deepEqual(lowered.json.booking_limits, { open_bookings_per_client: 1, pending_expiry_minutes: 1440 });
  problem(await book(base, { provider: 'roomy', service: 's30', start: slotAt(9, 120), client: person('roomy@example.com') }), 422, 'TOO_MANY_OPEN_BOOKINGS');
  for (const bad of [{ open_bookings_per_client: 0 }, { open_bookings_per_client: '3' }, { open_bookings_per_client: 1.5 },
    { pending_expiry_minutes: 0 }, { pending_expiry_minutes: 100000 }, { per_day: 2 }, [], 'three']) {
    const r = await request(base, 'PUT', '/v1/providers/roomy', { body: providerConfig({ booking_limits: bad }), headers: admin });
    problem(r, 400, 'INVALID_REQUEST');
    assert.match(r.json.detail, /booking_limits/, r.text);
  }
});

test('a PENDING request expires after the provider\'s time and frees its slot', async () => {
  const config = providerConfig({ booking_limits: { pending_expiry_minutes: 60 } });
  await putProvider(base, 'expiring', config);
  const start = slotAt(2, 300);
  const asked = await book(base, { provider: 'expiring', service: 'video', start, client: client(40) });
  assert.equal(asked.status, 201, asked.text);
  assert.equal(asked.json.booking.status, 'PENDING');
  // At the latest at its start: one starting in 2 hours, with 24 hours of expiry by default.
  await putProvider(base, 'soon');
  const soon = (await book(base, { provider: 'soon', service: 'video', start: nowPlus(120), client: client(41) })).json.booking;
  assert.deepEqual(db.sql(`SELECT expires_at FROM bookings WHERE id = '${soon.id}'`), [[String(Date.parse(soon.start) / 1000)]]);
  assert.deepEqual(db.sql(`SELECT expires_at - created_at FROM bookings WHERE id = '${asked.json.booking.id}'`), [['3600']]);

  // 61 minutes later, on the same database.
  const later = await startServer(db, { now: nowPlus(61) });
  try {
    const read = await request(later.url, 'GET', `/v1/bookings/${asked.json.booking.id}?token=${asked.json.booking.manage_token}`);
    assert.equal(read.json.booking.status, 'EXPIRED');
    const ics = await request(later.url, 'GET', `/v1/bookings/${asked.json.booking.id}.ics?token=${asked.json.booking.manage_token}`);
    assert.match(ics.text, /\r\nSTATUS:CANCELLED\r\n/);
    const day = start.slice(0, 10);
    const snapshot = await request(later.url, 'GET', `/v1/providers/expiring/snapshot?from=${day}&to=${day}`);
    assert.deepEqual(snapshot.json.busy, []);
    const slots = await request(later.url, 'GET', `/v1/providers/expiring/slots?service=video&from=${day}&to=${day}&time_zone=UTC`);
    assert.ok(slots.text.includes(start), 'the expired request\'s time is a slot again');
    const listed = await request(later.url, 'GET', `/v1/providers/expiring/bookings?status=EXPIRED`, { headers: admin });
    assert.deepEqual(listed.json.bookings.map((b) => b.id), [asked.json.booking.id]);
    const pending = await request(later.url, 'GET', `/v1/providers/expiring/bookings?status=PENDING`, { headers: admin });
    assert.deepEqual(pending.json.bookings, []);
    // The provider can no longer confirm it, the client no longer cancel it.
    problem(await request(later.url, 'POST', `/v1/bookings/${asked.json.booking.id}/confirm`, { headers: admin }), 409, 'INVALID_TRANSITION');
    problem(await cancel(later.url, asked.json.booking), 409, 'INVALID_TRANSITION');
    // Someone else books the freed time; the database records the expiry.
    const taker = await book(later.url, { provider: 'expiring', service: 'video', start, client: client(42) });
    assert.equal(taker.status, 201, taker.text);
    assert.deepEqual(db.sql(`SELECT status FROM bookings WHERE id = '${asked.json.booking.id}'`), [['EXPIRED']]);
    assert.deepEqual(db.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'booking.expire' AND entity_id = '${asked.json.booking.id}'`), [['1']]);
    // An expired request no longer counts against the client's caps.
    assert.equal((await book(later.url, { provider: 'expiring', service: 'video', start: slotAt(3, 300), client: client(40) })).status, 201);
  } finally {
    await later.stop();
  }
});

test('the server marks overdue PENDING requests EXPIRED by itself (a job due at the expiry), nobody booking their time', async () => {
  await putProvider(base, 'sweeping', providerConfig({ booking_limits: { pending_expiry_minutes: 30 } }));
  const asked = (await book(base, { provider: 'sweeping', service: 'video', start: slotAt(4, 300), client: client(43) })).json.booking;
  assert.equal(asked.status, 'PENDING');
  const later = await startServer(db, { now: nowPlus(31) });
  try {
    for (let i = 0; i < 50 && db.sql(`SELECT status FROM bookings WHERE id = '${asked.id}'`)[0][0] !== 'EXPIRED'; i++)
      await new Promise((r) => setTimeout(r, 100));  // the job runs within a poll of the start
    assert.deepEqual(db.sql(`SELECT status FROM bookings WHERE id = '${asked.id}'`), [['EXPIRED']]);
    assert.deepEqual(db.sql(`SELECT COUNT(*) FROM audit_log WHERE action = 'booking.expire' AND entity_id = '${asked.id}'`), [['1']]);
  } finally {
    await later.stop();
  }
});

test('reschedule-then-cancel never refunds more than a cancel at the time of the reschedule', async () => {
  // A refund is of money taken: each booking is paid in full, its payment
  // row written as the booking flow writes it once Stripe took the money
  // (no Stripe here: the refund rows stay unsent).
  const paid = (b) => db.sql(`INSERT INTO payments (booking_id, provider_id, mode, amount, currency, intent_id, status, amount_received, expires_at, created_at, updated_at)
    VALUES ('${b.id}', '${b.provider}', 'full', 10000, 'EUR', 'pi_${b.id}', 'succeeded', 10000, 0, 0, 0)`);
  // Every named policy and a tiered one; for each, a booking in a window
  // where the policy refunds less, moved to 52 days out, then cancelled.
  const service = (id, policy) => ({ id, name: id, durations: [30], min_notice_minutes: 60, max_advance_days: 90,
    price: { amount: 10000, currency: 'EUR' }, cancellation_policy: policy });
  const tiers = [{ hours_before: 72, percent: 80 }, { hours_before: 0, percent: 10 }];
  await putProvider(base, 'policies', providerConfig({
    booking_limits: { open_bookings_per_client: 100 },
    services: [service('flexible', 'flexible'), service('moderate', 'moderate'), service('strict', 'strict'), service('tiered', tiers)],
  }));
  const cases = [
    // policy, booked at, refund of a cancel then, refund of a cancel 52 days out
    ['flexible', slotAt(0, 600), 0, 10000],   // 9 hours out
    ['moderate', slotAt(2, 120), 5000, 10000], // 2 days out
    ['strict', slotAt(11, 120), 0, 5000],      // 11 days out: the case
    ['tiered', slotAt(1, 120), 1000, 8000],    // 26 hours out
  ];
  let n = 100;
  for (const [policy, near, nearRefund, farRefund] of cases) {
    const far = slotAt(52, 120);
    const mk = async (start) => {
      const r = await book(base, { provider: 'policies', service: policy, start, client: client(n++) });
      assert.equal(r.status, 201, `${policy}: ${r.text}`);
      paid(r.json.booking);
      return r.json.booking;
    };
    // The control: what a cancel refunds near and far.
    const control = await mk(near);
    assert.equal((await cancel(base, control)).json.booking.refund.amount, nearRefund, policy);
    const farControl = await mk(far);
    assert.equal((await cancel(base, farControl)).json.booking.refund.amount, farRefund, policy);
    // The laundering attempt, with a detour through another near time.
    const b = await mk(near);
    const moved = await reschedule(base, b, far);
    assert.equal(moved.status, 200, moved.text);
    assert.equal(moved.json.booking.start, far);
    const back = await reschedule(base, b, slotAt(5, 180));
    assert.equal(back.status, 200, back.text);
    assert.equal((await reschedule(base, b, slotAt(60, 180))).status, 200);
    const cancelled = await cancel(base, b);
    assert.equal(cancelled.status, 200, cancelled.text);
    assert.equal(cancelled.json.booking.refund.amount, nearRefund, `${policy}: cancel after reschedule refunds what a cancel at reschedule time would`);
    // An honest reschedule far from the deadline keeps the full far refund.
    const early = await mk(far);
    assert.equal((await reschedule(base, early, slotAt(53, 120))).status, 200);
    assert.equal((await cancel(base, early)).json.booking.refund.amount, farRefund, `${policy}: no loss for an early reschedule`);
  }
  // The provider's cancel is unaffected: 100%.
  const b = (await book(base, { provider: 'policies', service: 'strict', start: slotAt(11, 180), client: client(n++) })).json.booking;
  paid(b);
  assert.equal((await reschedule(base, b, slotAt(52, 180))).status, 200);
  const byProvider = await request(base, 'POST', `/v1/bookings/${b.id}/cancel`, { headers: admin, body: {} });
  assert.equal(byProvider.json.booking.refund.amount, 10000);
});

test('a reschedule never moves a booking onto a day the client is locked out of', async () => {
  await putProvider(base, 'lockout');
  const first = (await book(base, { provider: 'lockout', service: 's30', start: '2026-11-23T10:00:00Z', client: person('late@example.com') })).json.booking;
  const tomorrow = (await book(base, { provider: 'lockout', service: 's30', start: slotAt(1, 240), client: person('Late+2@example.com') })).json.booking;
  const later = await startServer(db, { now: '2026-11-23T10:45:00Z' });
  try {
    assert.equal((await request(later.url, 'POST', `/v1/bookings/${first.id}/no-show`, { headers: admin })).status, 200);
    problem(await reschedule(later.url, tomorrow, '2026-11-23T13:00:00Z'), 422, 'CLIENT_LOCKED_OUT');
    // A new booking under a variant of the address is locked out too.
    problem(await book(later.url, { provider: 'lockout', service: 's30', start: '2026-11-23T13:00:00Z', client: person('LATE+x@Example.com') }), 422, 'CLIENT_LOCKED_OUT');
    // Another day is fine.
    assert.equal((await reschedule(later.url, tomorrow, slotAt(2, 240))).status, 200);
    // The no-show record holds a hash, not the address.
    const records = db.sql(`SELECT client_key_sha256, no_show_count FROM client_no_shows WHERE provider_id = 'lockout'`);
    assert.equal(records.length, 1);
    assert.match(records[0][0], /^[0-9a-f]{64}$/);
    assert.equal(records[0][1], '1');
  } finally {
    await later.stop();
  }
});

test('idempotent answers are sealed at rest: no token, name, address or key in the dump; replays are byte-identical', async () => {
  await putProvider(base, 'sealed');
  const key = `Sealed-Key-${crypto.randomUUID()}`;
  const body = { provider: 'sealed', service: 's30', start: slotAt(3, 60), notes: 'Zebra-notes-71',
    client: { name: 'Quentin Sealedname', email: 'quentin.sealed@example.org', phone: '+49 30 99887766' } };
  const first = await book(base, body, key);
  assert.equal(first.status, 201, first.text);
  const token = first.json.booking.manage_token;
  // A refusal is stored as well (same slot, another key).
  const refusedKey = `Refused-Key-${crypto.randomUUID()}`;
  const refused = await book(base, { ...body, client: { name: 'Rita Refused', email: 'rita.refused@example.org' } }, refusedKey);
  problem(refused, 409, 'SLOT_TAKEN');

  const replay = await book(base, body, key);
  assert.equal(replay.status, 201);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.text, first.text, 'byte-identical');
  const refusedAgain = await book(base, { ...body, client: { name: 'Rita Refused', email: 'rita.refused@example.org' } }, refusedKey);
  assert.equal(refusedAgain.text, refused.text);
  problem(await book(base, { ...body, notes: 'other' }, key), 422, 'IDEMPOTENCY_KEY_REUSED');
  // Another process reads the same sealed record.
  const other = await startServer(db);
  try {
    const there = await book(other.url, body, key);
    assert.equal(there.text, first.text);
  } finally {
    await other.stop();
  }

  const dump = dumpWithoutBookings();
  assert.ok(dump.includes('idempotency_keys'), 'the dump has the table');
  // Sealed records are base64 (job payloads too, since issue 12), so a
  // needle must be long enough, or hold a character base64 never writes,
  // not to turn up in them by chance: 'Rita' alone did, once in a few dozen runs.
  for (const secret of [token, key, refusedKey, 'Quentin', 'Sealedname', 'quentin.sealed', 'Rita Refused', 'rita.refused', '99887766', 'Zebra-notes'])
    assert.ok(!dump.includes(secret), `"${secret}" is in the database outside the bookings table`);
  // The key's record is found by the key's SHA-256.
  const sha = crypto.createHash('sha256').update(key).digest('hex');
  const [row] = db.sql(`SELECT status, length(response) FROM idempotency_keys WHERE key = '${sha}'`);
  assert.equal(row[0], '201');
  assert.ok(Number(row[1]) > first.text.length, 'the answer is stored sealed (nonce, tag, base64)');
});

test('names and free text refuse C1 controls, direction overrides and line separators, with the field\'s pointer', async () => {
  await putProvider(base, 'texts');
  const ok = { provider: 'texts', service: 's30', start: slotAt(4, 60), client: client(60) };
  const bad = ['\u0085', '\u009b', '\u202e', '\u202a', '\u2066', '\u2069', '\u2028', '\u2029', '\u0007', '\u007f'];
  for (const ch of bad) {
    for (const [pointer, body] of [
      ['/client/name', { ...ok, client: { ...ok.client, name: `Eve${ch}lyn` } }],
      ['/notes', { ...ok, notes: `first line${ch}second` }],
      ['/client/phone', { ...ok, client: { ...ok.client, phone: `+49 30${ch} 1234` } }],
      ['/time_zone', { ...ok, time_zone: `Europe/Berlin${ch}` }],
    ]) {
      const r = await book(base, body);
      problem(r, 400, 'INVALID_REQUEST');
      assert.ok(r.json.detail.startsWith(pointer), `${JSON.stringify(ch)} ${pointer}: ${r.text}`);
      assert.equal(r.json.pointer, pointer);
    }
  }
  // Direction marks: refused in names, allowed in free text (right-to-left prose needs them).
  const rlmName = await book(base, { ...ok, client: { ...ok.client, name: 'Dana\u200f' } });
  problem(rlmName, 400, 'INVALID_REQUEST');
  assert.equal(rlmName.json.pointer, '/client/name');
  const made = await book(base, { ...ok, notes: 'שלום\u200f\nline two\r\nthree\ttabbed' });
  assert.equal(made.status, 201, made.text);
  assert.equal(made.json.booking.notes, 'שלום\u200f\nline two\r\nthree\ttabbed');
  // A lone carriage return is not a line break.
  problem(await book(base, { ...ok, start: slotAt(4, 120), notes: 'a\rb' }), 400, 'INVALID_REQUEST');
  // Cancellation reasons.
  const reason = await cancel(base, made.json.booking, { reason: 'moved\u202eaway' });
  problem(reason, 400, 'INVALID_REQUEST');
  assert.equal(reason.json.pointer, '/reason');
  // Provider documents: names, bio, service names, schedule names.
  for (const [pointer, config] of [
    ['/name', providerConfig({ name: 'Dr\u2028Evil' })],
    ['/bio', providerConfig({ bio: 'About\u0085me' })],
    ['/services/0/name', providerConfig({ services: [{ ...providerConfig().services[0], name: 'Check\u202eup' }] })],
    ['/schedules/de\u2066fault', providerConfig({ schedules: { 'de\u2066fault': { weekly: [], overrides: [] } } })],
  ]) {
    const r = await request(base, 'PUT', '/v1/providers/texts', { body: config, headers: admin });
    problem(r, 400, 'INVALID_REQUEST');
    assert.equal(r.json.pointer, pointer, r.text);
  }
});

test('duplicates wait for the first request and replay it, in one process and across two: never a false 409', async () => {
  await putProvider(base, 'twins');
  const second = await startServer(db);
  try {
    const pairs = 24;
    const answers = await Promise.all(Array.from({ length: pairs }, async (_, i) => {
      const key = newKey();
      const body = { provider: 'twins', service: 's30', start: slotAt(1 + (i % 20), 60 + 30 * Math.floor(i / 20)), client: client(200 + i) };
      // Same process twice, and the other process once, all at once.
      return Promise.all([book(base, body, key), book(base, body, key), book(second.url, body, key)]);
    }));
    for (const trio of answers) {
      for (const r of trio) assert.equal(r.status, 201, r.text);
      assert.equal(new Set(trio.map((r) => r.json.booking.id)).size, 1);
      assert.equal(trio.filter((r) => r.headers['idempotent-replayed'] !== 'true').length, 1, 'one original answer');
      const original = trio.find((r) => r.headers['idempotent-replayed'] !== 'true');
      for (const r of trio) assert.equal(r.text, original.text);
    }
  } finally {
    await second.stop();
  }
});
