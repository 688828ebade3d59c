// The notifications core (issue 12): every change of a booking queues one
// `booking.event` job in the transaction that makes it, numbered by the
// booking's event_sequence, and the fan-out handler runs each; the provider's
// `notifications` settings and `address` round-trip through PUT and GET.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  admin, book, cleanupAll, client, freshDatabase, problem, providerConfig, putProvider, request, slotAt, startServer, until,
} from './harness.mjs';

after(cleanupAll);

const jobArgs = ['--job-poll', '0.1'];
// Job payloads are stored sealed (server-stub/src/jobs/job_queue.h): this
// test opens them itself, as documented, with the key the server derives
// from SLOTWISE_SECRET.
const SECRET = 'booking-events-test-secret-0123456789abcdef';
const PAYLOAD_KEY = Buffer.from(crypto.hkdfSync('sha256', SECRET, 'slotwise jobs v1', 'payload', 32));
const start = (db, options = {}) => startServer(db, { ...options, env: { SLOTWISE_SECRET: SECRET } });

function openPayload(jobKey, stored) {
  assert.ok(stored.startsWith('sealed:v1:'), `the payload of ${jobKey} is stored sealed`);
  const raw = Buffer.from(stored.slice('sealed:v1:'.length), 'base64');
  const decipher = crypto.createDecipheriv('aes-256-gcm', PAYLOAD_KEY, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(`job payload ${jobKey}`));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return JSON.parse(Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8'));
}

// The booking.event jobs of one booking, in order: [key, state, payload].
function events(db, bookingId) {
  return db.sql(`SELECT key, state, payload FROM jobs WHERE kind = 'booking.event' AND key LIKE 'booking.event:${bookingId}:%' ORDER BY id`)
    .map(([key, state, payload]) => ({ key, state, stored: payload, payload: openPayload(key, payload) }));
}

test('each change of a booking is one event job, numbered, with the booking as it was and who caused it', async () => {
  const db = await freshDatabase();
  const server = await start(db, { args: jobArgs });
  await putProvider(server.url, 'p1');
  const created = await book(server.url, { provider: 'p1', service: 's30', start: slotAt(2, 60), client: client(1), locale: 'de-AT' });
  assert.equal(created.status, 201, created.text);
  const { id, manage_token: token } = created.json.booking;
  const moved = await request(server.url, 'POST', `/v1/bookings/${id}/reschedule?token=${token}`, { body: { start: slotAt(2, 120) } });
  assert.equal(moved.status, 200, moved.text);
  const cancelled = await request(server.url, 'POST', `/v1/bookings/${id}/cancel?token=${token}`, { body: { reason: 'ill' } });
  assert.equal(cancelled.status, 200, cancelled.text);

  const all = await until('three events, all fanned out', () => {
    const e = events(db, id);
    return e.length === 3 && e.every((x) => x.state === 'done') ? e : null;
  }, 15000);
  assert.deepEqual(all.map((e) => e.key), [0, 1, 2].map((n) => `booking.event:${id}:${n}`));
  assert.deepEqual(all.map((e) => e.payload.type), ['booking.created', 'booking.rescheduled', 'booking.cancelled']);
  assert.deepEqual(all.map((e) => e.payload.actor), ['client', 'client', 'client']);
  assert.equal(all[0].payload.booking.status, 'CONFIRMED');
  assert.equal(all[0].payload.booking.start, slotAt(2, 60));
  assert.equal(all[1].payload.previous_start, slotAt(2, 60));
  assert.equal(all[1].payload.booking.start, slotAt(2, 120));
  assert.equal(all[2].payload.booking.status, 'CANCELLED');
  assert.equal(all[2].payload.booking.cancellation_reason, 'ill');
  // At rest, nothing of the client shows.
  for (const e of all) assert.ok(!e.stored.includes('client1@example.com') && !e.stored.includes('Client 1'), e.stored);
  // The booking keeps the client's locale and its manage token only sealed.
  const [[locale, sequence, sealed]] = db.sql(`SELECT client_locale, event_sequence, manage_token_sealed FROM bookings WHERE id = '${id}'`);
  assert.equal(locale, 'de-AT');
  assert.equal(sequence, '2');
  assert.ok(sealed.length > 40 && !sealed.includes(token), 'the manage token is stored sealed, not in clear');
});

test('the provider\'s transitions are events by "provider"; a request that lapses is "expired" by "system"', async () => {
  const db = await freshDatabase();
  let server = await start(db, { args: jobArgs });
  await putProvider(server.url, 'p1');
  const video = (n, minutes) => book(server.url, { provider: 'p1', service: 'video', start: slotAt(2, minutes), client: client(n) });
  const a = (await video(1, 60)).json.booking;
  const b = (await video(2, 120)).json.booking;
  const c = (await video(3, 180)).json.booking;
  assert.equal(a.status, 'PENDING');
  assert.equal((await request(server.url, 'POST', `/v1/bookings/${a.id}/confirm`, { headers: admin })).status, 200);
  assert.equal((await request(server.url, 'POST', `/v1/bookings/${b.id}/decline`, { headers: admin, body: { reason: 'full' } })).status, 200);
  const types = (id, n) => until(`${n} events of ${id}`, () => {
    const e = events(db, id);
    return e.length === n && e.every((x) => x.state === 'done') ? e.map((x) => `${x.payload.type}/${x.payload.actor}`) : null;
  }, 15000);
  assert.deepEqual(await types(a.id, 2), ['booking.created/client', 'booking.confirmed/provider']);
  assert.deepEqual(await types(b.id, 2), ['booking.created/client', 'booking.declined/provider']);
  // The request left alone expires (24 h, or at its start): the server
  // comes back after that, and its expiry job runs at once.
  await server.stop();
  server = await start(db, { args: jobArgs, now: slotAt(2, 200) });
  assert.deepEqual(await types(c.id, 2), ['booking.created/client', 'booking.expired/system']);
});

test('notifications settings and address: PUT takes them, GET answers the whole document, which PUT takes back unchanged', async () => {
  const db = await freshDatabase();
  const server = await startServer(db);
  const config = providerConfig({
    address: 'Hauptstraße 5, 10827 Berlin',
    notifications: { provider_email: 'desk@clinic.example', provider: { sms: ['booking.created'] }, client: ['email', 'sms'] },
  });
  await putProvider(server.url, 'p1', config);
  const got = await request(server.url, 'GET', '/v1/providers/p1', { headers: admin });
  assert.equal(got.status, 200, got.text);
  assert.equal(got.json.address, 'Hauptstraße 5, 10827 Berlin');
  assert.deepEqual(got.json.notifications, {
    provider_email: 'desk@clinic.example',
    provider_phone: null,
    provider: {
      email: ['booking.created', 'booking.cancelled', 'booking.rescheduled', 'booking.expired'],
      sms: ['booking.created'],
      whatsapp: [],
      push: ['booking.created', 'booking.cancelled', 'booking.rescheduled', 'booking.expired'],
    },
    client: ['email', 'sms'],
  });
  const again = await request(server.url, 'PUT', '/v1/providers/p1', { headers: admin, body: got.json });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual((await request(server.url, 'GET', '/v1/providers/p1', { headers: admin })).json, got.json);
  // Visitors see the address (the snapshot's provider part), never the settings.
  const snapshot = await request(server.url, 'GET', '/v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-25');
  assert.equal(snapshot.json.provider.address, 'Hauptstraße 5, 10827 Berlin');
  assert.ok(!snapshot.text.includes('desk@clinic.example'));
});

test('bad notifications settings are 400 INVALID_REQUEST naming the field', async () => {
  const db = await freshDatabase();
  const server = await startServer(db);
  const cases = [
    [{ notifications: 'all' }, '/notifications must be an object'],
    [{ notifications: { pager: true } }, 'unknown field /notifications/pager'],
    [{ notifications: { provider_email: 'not an address' } }, '/notifications/provider_email'],
    [{ notifications: { provider_phone: '030 1234567' } }, '/notifications/provider_phone'],
    [{ notifications: { provider: { fax: [] } } }, '/notifications/provider/fax'],
    [{ notifications: { provider: { email: ['booking.exploded'] } } }, 'unknown event booking.exploded'],
    [{ notifications: { provider: { email: 'booking.created' } } }, '/notifications/provider/email must be a list'],
    [{ notifications: { client: ['pigeon'] } }, 'unknown channel pigeon'],
    [{ address: '' }, '/address'],
    [{ address: 'line\u0000two' }, '/address'],
  ];
  for (const [overrides, detail] of cases) {
    const r = await request(server.url, 'PUT', '/v1/providers/p1', { headers: admin, body: providerConfig(overrides) });
    problem(r, 400, 'INVALID_REQUEST');
    assert.ok(r.json.detail.includes(detail), `${JSON.stringify(overrides)}: ${r.json.detail}`);
  }
});
