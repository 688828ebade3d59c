// Providers reach only their owners (issue 11, items 4, 5 and 7), against
// real server processes on both backends: the configuration read back in
// the shape PUT takes, and a GET sent back as a PUT changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, cleanupAll, freshDatabase, request, startServer,
} from './harness.mjs';

let db, srv, base;
before(async () => {
  db = await freshDatabase();
  srv = await startServer(db);
  base = srv.url;
});
after(cleanupAll);

const problem = (r, status, code) => {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.json.code, code, r.text);
};

// Every member PUT takes, optional ones set, in the form the server keeps
// them (a service's `schedule`, `active` and buffers spelled out).
function fullConfig() {
  return {
    name: 'Round Trip Practice', kind: 'therapist', time_zone: 'America/New_York', active: true,
    bio: 'Line one\nLine two', photo_url: 'https://example.test/photo.jpg',
    booking_limits: { open_bookings_per_client: 7, pending_expiry_minutes: 90 },
    schedules: {
      default: {
        weekly: [{ day: 'mon', start: '09:00', end: '12:00' }, { day: 'mon', start: '13:00', end: '17:00' },
          { day: 'thu', start: '10:00', end: '18:00' }],
        overrides: [
          { date: '2026-12-24', kind: 'block' },
          { date: '2026-12-23', kind: 'block', start: '15:00', end: '17:00' },
          { date: '2026-12-27', kind: 'add', start: '10:00', end: '14:00' },
          { date: '2026-12-28', kind: 'replace', windows: [{ start: '08:00', end: '11:00' }] },
        ],
      },
      evenings: { weekly: [{ day: 'wed', start: '18:00', end: '21:00' }], overrides: [] },
    },
    services: [
      { id: 'intake', name: 'Intake', schedule: 'default', active: true, durations: [50, 80],
        buffer_before_minutes: 5, buffer_after_minutes: 10, slot_interval_minutes: 30, min_notice_minutes: 720,
        max_advance_days: 120, price: { amount: 12000, currency: 'USD' },
        cancellation_policy: [{ hours_before: 48, percent: 100 }, { hours_before: 0, percent: 50 }],
        virtual: false, requires_confirmation: true },
      { id: 'evening-call', name: 'Evening call', schedule: 'evenings', active: false, durations: [30],
        buffer_before_minutes: 0, buffer_after_minutes: 0, min_notice_minutes: 0,
        price: { amount: 0, currency: 'USD' }, cancellation_policy: 'strict', virtual: true, requires_confirmation: false },
    ],
  };
}

const getProvider = (id, headers = admin) => request(base, 'GET', `/v1/providers/${id}`, { headers });
const putConfig = (id, body, headers = admin) => request(base, 'PUT', `/v1/providers/${id}`, { body, headers });
const providerRow = (id) => db.sql(`SELECT revision, updated_at FROM providers WHERE id = '${id}'`);
const auditCount = () => Number(db.sql('SELECT COUNT(*) FROM audit_log')[0][0]);

test('GET /v1/providers/{id} answers the configuration in the shape PUT takes', async () => {
  const config = fullConfig();
  assert.equal((await putConfig('roundtrip', config)).status, 201);
  const got = await getProvider('roundtrip');
  assert.equal(got.status, 200, got.text);
  assert.match(got.headers['content-type'], /^application\/json/);
  assert.equal(got.headers['cache-control'], 'no-store');
  assert.deepEqual(got.json, config);
});

test('a GET sent back as a PUT changes nothing: no revision, no audit entry, the same document', async () => {
  const config = fullConfig();
  config.services[0].id = 'intake2';
  assert.equal((await putConfig('roundtrip2', config)).status, 201);
  const first = await getProvider('roundtrip2');
  const rowBefore = providerRow('roundtrip2');
  const auditBefore = auditCount();
  const again = await putConfig('roundtrip2', first.json);
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(providerRow('roundtrip2'), rowBefore);
  assert.equal(auditCount(), auditBefore);
  assert.deepEqual((await getProvider('roundtrip2')).json, first.json);
});

test('optional members left out stay left out; defaults are spelled out as PUT takes them', async () => {
  const minimal = {
    name: 'Minimal', kind: 'other', time_zone: 'UTC', active: true,
    schedules: { default: { weekly: [{ day: 'tue', start: '08:00', end: '09:00' }] } },
    services: [{ id: 'x', name: 'X', durations: [15], price: { amount: 1, currency: 'EUR' } }],
  };
  assert.equal((await putConfig('minimal', minimal)).status, 201);
  const got = await getProvider('minimal');
  assert.equal(got.status, 200, got.text);
  assert.deepEqual(got.json, {
    ...minimal,
    schedules: { default: { weekly: minimal.schedules.default.weekly, overrides: [] } },
    services: [{ id: 'x', name: 'X', schedule: 'default', active: true, durations: [15], buffer_before_minutes: 0,
      buffer_after_minutes: 0, min_notice_minutes: 0, price: { amount: 1, currency: 'EUR' },
      cancellation_policy: 'flexible', virtual: false, requires_confirmation: false }],
  });
  for (const absent of ['bio', 'photo_url', 'booking_limits']) assert.ok(!(absent in got.json), absent);
  const revision = providerRow('minimal');
  assert.equal((await putConfig('minimal', got.json)).status, 200);
  assert.deepEqual(providerRow('minimal'), revision);
  // A real change is still a change.
  const changed = { ...got.json, name: 'Minimal, renamed' };
  assert.equal((await putConfig('minimal', changed)).status, 200);
  assert.notDeepEqual(providerRow('minimal'), revision);
  assert.equal((await getProvider('minimal')).json.name, 'Minimal, renamed');
});

test('GET of a provider that does not exist, or without a credential', async () => {
  problem(await getProvider('nobody-here'), 404, 'UNKNOWN_PROVIDER');
  problem(await getProvider('roundtrip', {}), 401, 'UNAUTHORIZED');
});
