// Providers reach only their owners (issue 11, items 4, 5 and 7), against
// real server processes on both backends: the configuration read back in
// the shape PUT takes (a GET sent back as a PUT changes nothing); accounts
// owning providers and nobody else reaching them (the isolation matrix, the
// database unchanged); the audit log naming the actor; plans; the export,
// the deletion of an account and the erasure of a client. Accounts sign in
// through the API, with the code read from the server's .eml folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  admin, book, cleanupAll, client, freshDatabase, providerConfig, request, signIn, slotAt, startServer, tempDir,
  problem,
} from './harness.mjs';

let db, srv, base;
before(async () => {
  db = await freshDatabase();
  srv = await startServer(db, { args: ['--mail-dir', tempDir('slotwise-isolation-mail-'), '--job-poll', '0.1'] });
  base = srv.url;
});
after(cleanupAll);


// Every member PUT takes, optional ones set, in the form the server keeps
// them (a service's `schedule`, `active` and buffers spelled out).
// A service's reminders when its document names none (api.md "Reminders").
const DEFAULT_REMINDERS = [{ before_minutes: 2880, channels: ['email'] }, { before_minutes: 60, channels: ['email'] }];
// A provider's notification choices when it made none: GET spells them out
// (domain/notification_settings.h), so a settings form shows what is in force.
const DEFAULT_NOTIFICATIONS = {
  provider_email: null, provider_phone: null, client: ['email'],
  provider: { email: ['booking.created', 'booking.cancelled', 'booking.rescheduled', 'booking.expired'],
    push: ['booking.created', 'booking.cancelled', 'booking.rescheduled', 'booking.expired'], sms: [], whatsapp: [] },
};

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
        virtual: false, requires_confirmation: true, verify_client_email: true },
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
  // The reminder fields a service left out come back spelled out as their defaults.
  const spelledOut = { notifications: DEFAULT_NOTIFICATIONS, ...config, services: config.services.map((s) => ({ reminders: DEFAULT_REMINDERS, review_request_after_minutes: 120, ...s })) };
  assert.deepEqual(got.json, spelledOut);
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
    notifications: DEFAULT_NOTIFICATIONS,
    schedules: { default: { weekly: minimal.schedules.default.weekly, overrides: [] } },
    services: [{ id: 'x', name: 'X', schedule: 'default', active: true, durations: [15], buffer_before_minutes: 0,
      buffer_after_minutes: 0, min_notice_minutes: 0, price: { amount: 1, currency: 'EUR' },
      cancellation_policy: 'flexible', virtual: false, requires_confirmation: false,
      reminders: DEFAULT_REMINDERS, review_request_after_minutes: 120 }],
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

// ---- accounts: ownership, the isolation matrix, plans, data rights -----------

const bearer = (token) => ({ authorization: `Bearer ${token}` });
// Whatever a request names, the answers to compare: the id in the detail
// stands for the thing the request named.
const shape = (r, id) => ({ status: r.status, type: r.headers['content-type'], body: r.text.split(id).join('<id>') });
const dump = () => ['providers', 'services', 'schedules', 'bookings', 'client_no_shows']
  .map((table) => db.sql(`SELECT * FROM ${table} ORDER BY 1, 2`));

// A free account's configuration: one active service.
const freeConfig = (name = 'Free Practice') => {
  const c = providerConfig({ name });
  c.services = c.services.map((s) => (s.id === 'video' ? { ...s, active: false } : s));
  return c;
};

let owner, stranger, strangerKey, revokedSession, deletedKey, ownerKey;
let booking;  // a CONFIRMED booking of the owner's provider `pa`
let pending;  // a PENDING one (the video service, set active for it)
let slot = 0;
const nextSlot = () => slotAt(2 + Math.floor(slot / 20), 60 + 30 * (slot++ % 20));

async function createKey(token, name) {
  const r = await request(base, 'POST', '/v1/api-keys', { body: { name }, headers: bearer(token) });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('accounts own the providers they create; another account, or the operator\'s provider, is PROVIDER_ID_TAKEN', async () => {
  owner = await signIn(srv, 'owner@example.com');
  stranger = await signIn(srv, 'stranger@example.com');
  assert.equal((await putConfig('pa', freeConfig(), bearer(owner.token))).status, 201);
  assert.equal((await putConfig('pa-second', freeConfig('Second practice'), bearer(owner.token))).status, 201);
  assert.deepEqual(db.sql("SELECT id, owner_account_id FROM providers WHERE id LIKE 'pa%' ORDER BY id"),
    [['pa', owner.account.id], ['pa-second', owner.account.id]]);
  const me = await request(base, 'GET', '/v1/me', { headers: bearer(owner.token) });
  assert.deepEqual(me.json.providers.sort(), ['pa', 'pa-second']);
  problem(await putConfig('pa', freeConfig('Stolen'), bearer(stranger.token)), 409, 'PROVIDER_ID_TAKEN');
  problem(await putConfig('roundtrip', freeConfig('Stolen'), bearer(stranger.token)), 409, 'PROVIDER_ID_TAKEN');
  // The operator reaches every provider, an account's too; an owner replaces its own.
  assert.equal((await putConfig('pa', { ...freeConfig(), bio: 'by the owner' }, bearer(owner.token))).status, 200);
  assert.equal((await getProvider('pa')).json.bio, 'by the owner');
  assert.equal(db.sql("SELECT owner_account_id FROM providers WHERE id = 'pa'")[0][0], owner.account.id);
});

test('the isolation matrix: every provider-side endpoint and booking action, answered as for nothing (404) or 401', async () => {
  ownerKey = await createKey(owner.token, 'owner integration');
  strangerKey = await createKey(stranger.token, 'stranger integration');
  const gone = await signIn(srv, 'stranger@example.com');
  assert.equal((await request(base, 'DELETE', '/v1/auth/session', { headers: bearer(gone.token) })).status, 204);
  revokedSession = gone.token;
  const doomed = await createKey(stranger.token, 'doomed');
  assert.equal((await request(base, 'DELETE', `/v1/api-keys/${doomed.id}`, { headers: bearer(stranger.token) })).status, 204);
  deletedKey = doomed.key;

  const made = await book(base, { provider: 'pa', service: 's30', start: nextSlot(), client: client(7) });
  assert.equal(made.status, 201, made.text);
  booking = made.json.booking;

  const missingProvider = 'no-such-provider';
  const missingBooking = 'bk_doesnotexist00000000';
  const endpoints = [
    { name: 'GET provider', send: (id, c) => request(base, 'GET', `/v1/providers/${id}`, c), kind: 'provider' },
    { name: 'list bookings', send: (id, c) => request(base, 'GET', `/v1/providers/${id}/bookings`, c), kind: 'provider' },
    ...['confirm', 'decline', 'cancel', 'complete', 'no-show'].map((action) => ({
      name: action, kind: 'booking',
      send: (id, c) => request(base, 'POST', `/v1/bookings/${id}/${action}`, { body: {}, ...c }),
    })),
  ];
  // Dead credentials count toward the failed-credential throttle (10 per
  // address): each kind comes from an address of its own.
  const callers = {
    'another account\'s session': { headers: bearer(stranger.token) },
    'another account\'s API key': { headers: bearer(strangerKey.key) },
    'no credential': { headers: {} },
    'a revoked session': { headers: bearer(revokedSession), localAddress: '127.0.0.2' },
    'a deleted key': { headers: bearer(deletedKey), localAddress: '127.0.0.3' },
  };
  const before = dump();
  for (const endpoint of endpoints) {
    const target = endpoint.kind === 'provider' ? 'pa' : booking.id;
    const missing = endpoint.kind === 'provider' ? missingProvider : missingBooking;
    for (const [who, caller] of Object.entries(callers)) {
      const r = await endpoint.send(target, caller);
      if (who.startsWith('another')) {
        assert.equal(r.status, 404, `${endpoint.name} by ${who}: ${r.text}`);
        assert.equal(r.json.code, endpoint.kind === 'provider' ? 'UNKNOWN_PROVIDER' : 'UNKNOWN_BOOKING');
        const absent = await endpoint.send(missing, caller);
        assert.deepEqual(shape(r, target), shape(absent, missing), `${endpoint.name} by ${who} differs from a missing one`);
        assert.equal(r.headers['www-authenticate'], absent.headers['www-authenticate']);
      } else {
        assert.equal(r.status, 401, `${endpoint.name} by ${who}: ${r.text}`);
        // Without any credential, cancel is the client's action: it asks for the manage token.
        const clientsToo = endpoint.name === 'cancel' && who === 'no credential';
        assert.equal(r.json.code, clientsToo ? 'TOKEN_REQUIRED' : 'UNAUTHORIZED', `${endpoint.name} by ${who}`);
      }
    }
  }
  // PUT: another account is told the id is taken (api.md); no credential, a
  // revoked session and a deleted key are 401.
  problem(await putConfig('pa', freeConfig('Stolen'), bearer(strangerKey.key)), 409, 'PROVIDER_ID_TAKEN');
  problem(await putConfig('pa', freeConfig('Stolen'), {}), 401, 'UNAUTHORIZED');
  for (const { headers, localAddress } of [callers['a revoked session'], callers['a deleted key']])
    problem(await request(base, 'PUT', '/v1/providers/pa', { body: freeConfig('Stolen'), headers, localAddress }), 401, 'UNAUTHORIZED');
  assert.deepEqual(dump(), before, 'the database changed');
  // The owner's key and the operator still reach it.
  assert.equal((await getProvider('pa', bearer(ownerKey.key))).status, 200);
  assert.equal((await request(base, 'GET', '/v1/providers/pa/bookings', { headers: admin })).json.bookings.length, 1);
});

test('the audit log names who did each change: account, API key, operator, client', async () => {
  const viaKey = await book(base, { provider: 'pa', service: 's30', start: nextSlot(), client: client(8) });
  const cancelled = await request(base, 'POST', `/v1/bookings/${viaKey.json.booking.id}/cancel`, { body: {}, headers: bearer(ownerKey.key) });
  assert.equal(cancelled.status, 200, cancelled.text);
  const bySession = await book(base, { provider: 'pa', service: 's30', start: nextSlot(), client: client(9) });
  assert.equal((await request(base, 'POST', `/v1/bookings/${bySession.json.booking.id}/cancel`, { body: {}, headers: bearer(owner.token) })).status, 200);
  const byClient = await book(base, { provider: 'pa', service: 's30', start: nextSlot(), client: client(10) });
  const b = byClient.json.booking;
  assert.equal((await request(base, 'POST', `/v1/bookings/${b.id}/cancel?token=${b.manage_token}`, { body: {} })).status, 200);
  const actor = (id, action) => db.sql(`SELECT actor FROM audit_log WHERE entity_id = '${id}' AND action = '${action}'`)[0][0];
  assert.equal(actor(viaKey.json.booking.id, 'booking.cancel'), `api_key:${ownerKey.id}`);
  assert.equal(actor(bySession.json.booking.id, 'booking.cancel'), `account:${owner.account.id}`);
  assert.equal(actor(b.id, 'booking.cancel'), 'client');
  assert.equal(actor('pa', 'provider.create'), `account:${owner.account.id}`);
  assert.equal(actor('roundtrip', 'provider.create'), 'admin');
});

test('plans: free allows one active service per provider; the operator sets the plan; operator providers are not limited', async () => {
  const two = providerConfig({ name: 'Two services' });  // s30 and video active
  const r = await putConfig('pa-two', two, bearer(owner.token));
  problem(r, 422, 'PLAN_LIMIT');
  assert.match(r.json.detail, /free plan allows one active service/);
  assert.equal(db.sql("SELECT COUNT(*) FROM providers WHERE id = 'pa-two'")[0][0], '0');
  problem(await putConfig('pa', two, bearer(ownerKey.key)), 422, 'PLAN_LIMIT');
  // The operator alone sets plans.
  const setPlan = (id, body, headers = admin) => request(base, 'PUT', `/v1/accounts/${id}/plan`, { body, headers });
  problem(await setPlan(owner.account.id, { plan: 'paid' }, bearer(owner.token)), 401, 'UNAUTHORIZED');
  problem(await setPlan(owner.account.id, { plan: 'gold' }), 400, 'INVALID_REQUEST');
  problem(await setPlan(owner.account.id, { plan: 'paid', extra: 1 }), 400, 'INVALID_REQUEST');
  problem(await setPlan('acc_nobody', { plan: 'paid' }), 404, 'UNKNOWN_ACCOUNT');
  const set = await setPlan(owner.account.id, { plan: 'paid' });
  assert.equal(set.status, 200, set.text);
  assert.deepEqual(set.json.account, { id: owner.account.id, plan: 'paid' });
  assert.equal((await request(base, 'GET', '/v1/me', { headers: bearer(owner.token) })).json.account.plan, 'paid');
  assert.equal((await putConfig('pa-two', two, bearer(owner.token))).status, 201);
  // Back to free: the stored configuration stands, a new second service does not.
  assert.equal((await setPlan(owner.account.id, { plan: 'free' })).status, 200);
  problem(await putConfig('pa-three', two, bearer(owner.token)), 422, 'PLAN_LIMIT');
  assert.equal((await putConfig('op-many', two)).status, 201);
});

test('export: everything of the account as JSON, and no secret in it', async () => {
  const r = await request(base, 'GET', '/v1/me/export', { headers: bearer(owner.token) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['cache-control'], 'no-store');
  const doc = r.json;
  assert.equal(doc.format, 'slotwise-export/1');
  assert.equal(doc.account.id, owner.account.id);
  assert.equal(doc.account.email, 'owner@example.com');
  assert.deepEqual(doc.providers.map((p) => p.id), ['pa', 'pa-second', 'pa-two']);
  assert.deepEqual(doc.providers[0].configuration, (await getProvider('pa')).json);
  const emails = doc.bookings.map((b) => b.client.email).sort();
  assert.deepEqual(emails, ['client10@example.com', 'client7@example.com', 'client8@example.com', 'client9@example.com']);
  assert.ok(doc.audit.some((e) => e.action === 'provider.create' && e.entity_id === 'pa'));
  assert.ok(doc.audit.some((e) => e.action === 'booking.cancel' && e.actor === `api_key:${ownerKey.id}`));
  assert.ok(doc.sessions.length >= 1);
  assert.deepEqual(doc.api_keys.map((k) => k.name), ['owner integration']);
  for (const secret of [owner.token, ownerKey.key, booking.manage_token]) assert.ok(!r.text.includes(secret), 'a secret in the export');
  assert.ok(!/sha256|code_hash/.test(r.text));
  // The same by the account's API key; the operator has no account.
  assert.equal((await request(base, 'GET', '/v1/me/export', { headers: bearer(ownerKey.key) })).status, 200);
  problem(await request(base, 'GET', '/v1/me/export', { headers: admin }), 403, 'ACCOUNT_REQUIRED');
  problem(await request(base, 'GET', '/v1/me/export'), 401, 'UNAUTHORIZED');
  // Another account's export holds nothing of this one.
  const other = await request(base, 'GET', '/v1/me/export', { headers: bearer(stranger.token) });
  assert.deepEqual(other.json.providers, []);
  assert.deepEqual(other.json.bookings, []);
});

test('the operator erases one client\'s personal data with every provider, by normalised address', async () => {
  const erasable = { name: 'Erin Erase', email: 'erin.erase@example.com', phone: '+49 30 555' };
  const atOwner = await book(base, { provider: 'pa', service: 's30', start: nextSlot(), client: erasable, notes: 'my notes' });
  const atOperator = await book(base, { provider: 'op-many', service: 's30', start: nextSlot(), client: erasable });
  assert.equal(atOwner.status, 201, atOwner.text);
  assert.equal(atOperator.status, 201, atOperator.text);
  const kept = await book(base, { provider: 'pa', service: 's30', start: nextSlot(), client: client(11) });
  const erase = (body, headers = admin) => request(base, 'POST', '/v1/clients/erase', { body, headers });
  problem(await erase({ email: 'erin.erase@example.com' }, bearer(owner.token)), 401, 'UNAUTHORIZED');
  problem(await erase({ email: 42 }), 400, 'INVALID_REQUEST');
  problem(await erase({ mail: 'x@example.com' }), 400, 'INVALID_REQUEST');
  const before = db.sql(`SELECT id, client_name FROM bookings WHERE id = '${kept.json.booking.id}'`);
  const r = await erase({ email: 'Erin.Erase+dentist@EXAMPLE.com' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { bookings: 2, no_show_records: 0 });
  const rows = db.sql(`SELECT client_name, client_email, client_phone, notes, client_key FROM bookings WHERE id = '${atOwner.json.booking.id}'`);
  assert.deepEqual(rows, [['Erased', 'erased@invalid', '', '', '']]);
  assert.equal(db.sql("SELECT COUNT(*) FROM bookings WHERE client_email LIKE '%erin%' OR client_name LIKE '%Erin%'")[0][0], '0');
  assert.deepEqual(db.sql(`SELECT id, client_name FROM bookings WHERE id = '${kept.json.booking.id}'`), before);
  // The manage link is dead; the provider keeps the time.
  const b = atOwner.json.booking;
  assert.equal((await request(base, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`)).status, 403);
  assert.equal(db.sql(`SELECT status FROM bookings WHERE id = '${b.id}'`)[0][0], 'CONFIRMED');
  assert.equal(db.sql("SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%erin%'")[0][0], '0');
});

test('account deletion: refused while bookings hold time, then bookings anonymised, providers gone, sessions and keys ended', async () => {
  const leaving = await signIn(srv, 'leaving@example.com');
  const key = await createKey(leaving.token, 'leaving key');
  assert.equal((await putConfig('leaving-clinic', freeConfig('Leaving'), bearer(leaving.token))).status, 201);
  const made = await book(base, { provider: 'leaving-clinic', service: 's30', start: nextSlot(), client: client(12) });
  assert.equal(made.status, 201, made.text);
  const b = made.json.booking;
  problem(await request(base, 'DELETE', '/v1/me', { headers: bearer(key.key) }), 403, 'SESSION_REQUIRED');
  const refused = await request(base, 'DELETE', '/v1/me', { headers: bearer(leaving.token) });
  problem(refused, 409, 'OPEN_BOOKINGS_REMAIN');
  assert.equal((await request(base, 'POST', `/v1/bookings/${b.id}/cancel`, { body: { reason: 'closing' }, headers: bearer(leaving.token) })).status, 200);
  const deleted = await request(base, 'DELETE', '/v1/me', { headers: bearer(leaving.token) });
  assert.equal(deleted.status, 204, deleted.text);
  // The session and the key are refused at once; the provider reads as absent everywhere.
  problem(await request(base, 'GET', '/v1/me', { headers: bearer(leaving.token) }), 401, 'UNAUTHORIZED');
  problem(await request(base, 'GET', '/v1/me', { headers: bearer(key.key) }), 401, 'UNAUTHORIZED');
  problem(await getProvider('leaving-clinic'), 404, 'UNKNOWN_PROVIDER');
  problem(await request(base, 'GET', '/v1/providers/leaving-clinic/snapshot'), 404, 'UNKNOWN_PROVIDER');
  problem(await book(base, { provider: 'leaving-clinic', service: 's30', start: nextSlot(), client: client(13) }), 404, 'UNKNOWN_PROVIDER');
  assert.equal((await request(base, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`)).status, 403);
  assert.deepEqual(db.sql(`SELECT client_name, client_email, client_phone, cancellation_reason, client_key FROM bookings WHERE id = '${b.id}'`),
    [['Erased', 'erased@invalid', '', '', '']]);
  assert.equal(db.sql(`SELECT COUNT(*) FROM sessions WHERE account_id = '${leaving.account.id}'`)[0][0], '0');
  assert.equal(db.sql(`SELECT COUNT(*) FROM api_keys WHERE account_id = '${leaving.account.id}'`)[0][0], '0');
  assert.equal(db.sql(`SELECT COUNT(*) FROM accounts WHERE email = 'leaving@example.com'`)[0][0], '0');
  assert.deepEqual(db.sql("SELECT action, detail FROM audit_log WHERE entity_id = 'leaving-clinic' ORDER BY id"),
    [['provider.create', ''], ['provider.delete', '{"bookings_anonymised":1}']]);
  // The id stays taken; the address may sign up afresh, as a new account.
  problem(await putConfig('leaving-clinic', freeConfig(), admin), 409, 'PROVIDER_ID_TAKEN');
  const again = await signIn(srv, 'leaving@example.com');
  assert.notEqual(again.account.id, leaving.account.id);
  assert.deepEqual((await request(base, 'GET', '/v1/me', { headers: bearer(again.token) })).json.providers, []);
});
