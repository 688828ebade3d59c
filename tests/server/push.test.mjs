// Web Push (README "Web Push"), against real server processes on both
// backends and a local push service (push_service.mjs) that plays the
// browser: real P-256 subscription keys, the VAPID JWT verified with the
// server's public key, the body decrypted by the npm package http_ece (an
// independent RFC 8291 implementation). A new booking and a cancellation
// reach the owning account's browsers and nobody else's; 410 forgets a
// subscription; 500 is retried; another account's subscriptions are
// invisible to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  book, cleanupAll, client, freshDatabase, providerConfig, request, signIn, slotAt, startServer, tempDir, problem, until,
} from './harness.mjs';
import crypto from 'node:crypto';
import { startPushService } from './push_service.mjs';

let db, srv, base, push, owner, stranger, ownerKey, mailDir;
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const subscribe = (who, body) => request(base, 'POST', '/v1/me/push-subscriptions', { body, headers: bearer(who.token) });
const list = (who) => request(base, 'GET', '/v1/me/push-subscriptions', { headers: bearer(who.token) });
let slot = 0;
const nextSlot = () => slotAt(2 + Math.floor(slot / 20), 60 + 30 * (slot++ % 20));
const newBooking = async (n) => {
  const made = await book(base, { provider: 'pushclinic', service: 's30', start: nextSlot(), client: client(n) });
  assert.equal(made.status, 201, made.text);
  return made.json.booking;
};

before(async () => {
  db = await freshDatabase();
  push = await startPushService();
  srv = await startServer(db, {
    args: ['--mail-dir', (mailDir = tempDir('slotwise-push-mail-')), '--job-poll', '0.1', '--allow-private-targets', '--job-backoff', '0.3:1'],
  });
  base = srv.url;
  owner = await signIn(srv, 'owner@example.com');
  stranger = await signIn(srv, 'stranger@example.com');
  const c = providerConfig({ name: 'Push Practice' });
  c.services = c.services.map((s) => (s.id === 'video' ? { ...s, active: false } : s));
  const put = await request(base, 'PUT', '/v1/providers/pushclinic', { body: c, headers: bearer(owner.token) });
  assert.equal(put.status, 201, put.text);
  const key = await request(base, 'POST', '/v1/api-keys', { body: { name: 'push' }, headers: bearer(owner.token) });
  assert.equal(key.status, 201, key.text);
  ownerKey = { token: key.json.key };
});
after(async () => { await cleanupAll(); await push?.close(); });

test('GET /v1/push/vapid-public-key: a P-256 public key, the same on every call and after a restart', async () => {
  const r = await request(base, 'GET', '/v1/push/vapid-public-key');
  assert.equal(r.status, 200, r.text);
  const raw = Buffer.from(r.json.public_key, 'base64url');
  assert.equal(raw.length, 65);
  assert.equal(raw[0], 4);
  assert.equal((await request(base, 'GET', '/v1/push/vapid-public-key')).json.public_key, r.json.public_key);
  // Kept sealed in the database, never in clear.
  const stored = db.sql("SELECT secret FROM server_secrets WHERE name = 'vapid-private-key'");
  assert.equal(stored.length, 1);
  // The same mail folder: either process may send the sign-in mail below.
  const second = await startServer(db, { args: ['--mail-dir', mailDir, '--job-poll', '0.1'] });
  assert.equal((await request(second.url, 'GET', '/v1/push/vapid-public-key')).json.public_key, r.json.public_key);
  // Without --allow-private-targets only https:// endpoints are taken.
  const someone = await signIn(second, 'guarded@example.com');
  const plain = await request(second.url, 'POST', '/v1/me/push-subscriptions', { body: push.subscribe('guarded'), headers: bearer(someone.token) });
  problem(plain, 400, 'INVALID_PUSH_SUBSCRIPTION');
  await second.stop();
  push.expectServerKey(r.json.public_key);
});

test('a subscription needs an account and a well-formed PushSubscription', async () => {
  const good = push.subscribe('shape');
  problem(await request(base, 'POST', '/v1/me/push-subscriptions', { body: good }), 401, 'UNAUTHORIZED');
  const bad = [
    'not json',
    '['.repeat(10000),
    [],
    { keys: good.keys },
    { endpoint: 'ftp://x.example/push', keys: good.keys },
    { endpoint: 'https://user@x.example/push', keys: good.keys },
    { endpoint: `https://push.example/${'x'.repeat(2100)}`, keys: good.keys },
    { endpoint: good.endpoint },
    { endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh } },
    { endpoint: good.endpoint, keys: { p256dh: 'BAAA', auth: good.keys.auth } },
    // A point off the curve: the last byte of y changed.
    { endpoint: good.endpoint, keys: { p256dh: (() => { const b = Buffer.from(good.keys.p256dh, 'base64url'); b[64] ^= 1; return b.toString('base64url'); })(), auth: good.keys.auth } },
    { endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh, auth: 'c2hvcnQ' } },
    { endpoint: good.endpoint, keys: { p256dh: good.keys.p256dh, auth: '!!!!!!!!!!!!!!!!!!!!!!' } },
    { endpoint: 42, keys: good.keys },
  ];
  for (const body of bad) {
    const r = await request(base, 'POST', '/v1/me/push-subscriptions', { body: typeof body === 'string' ? body : JSON.stringify(body), headers: bearer(owner.token) });
    problem(r, 400, 'INVALID_PUSH_SUBSCRIPTION');
  }
  const made = await subscribe(owner, good);
  assert.equal(made.status, 201, made.text);
  assert.match(made.json.id, /^psub_[a-z2-7]+$/);
  // The same browser again keeps its id; the list shows it once.
  const again = await subscribe(owner, good);
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.id, made.json.id);
  const listed = await list(owner);
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual(listed.json.subscriptions.filter((s) => s.id === made.json.id).map((s) => s.endpoint), [good.endpoint]);
  assert.equal((await request(base, 'DELETE', `/v1/me/push-subscriptions/${made.json.id}`, { headers: bearer(owner.token) })).status, 204);
  problem(await request(base, 'DELETE', `/v1/me/push-subscriptions/${made.json.id}`, { headers: bearer(owner.token) }), 404, 'NOT_FOUND');
});

test('a new booking and its cancellation reach the owner\'s browsers, decrypted by http_ece; another account\'s never', async () => {
  const laptop = await subscribe(owner, push.subscribe('owner-laptop'));
  assert.equal(laptop.status, 201, laptop.text);
  // An API key of the account may subscribe too.
  const phone = await subscribe(ownerKey, push.subscribe('owner-phone'));
  assert.equal(phone.status, 201, phone.text);
  const other = await subscribe(stranger, push.subscribe('stranger'));
  assert.equal(other.status, 201, other.text);

  const b = await newBooking(1);
  for (const name of ['owner-laptop', 'owner-phone']) {
    const [message] = await until(`the booking.created push to ${name}`, () => push.received(name).filter((m) => m.booking_id === b.id).length && push.received(name));
    assert.equal(message.type, 'booking.created');
    assert.equal(message.title, 'New booking');
    assert.equal(message.booking_id, b.id);
    assert.equal(message.url, `/app/bookings/${b.id}`, 'the booking in the dashboard');
    // The time in the provider's zone (Berlin, UTC+1 in November).
    const local = new Date(Date.parse(b.start) + 3600e3).toISOString().slice(11, 16);
    assert.ok(message.body.includes(`${local} (Europe/Berlin)`), message.body);
    assert.ok(message.body.includes('Client 1') && message.body.includes('Checkup'), message.body);
    const [attempt] = push.attempts(name);
    assert.equal(attempt.headers['content-encoding'], 'aes128gcm');
    assert.equal(attempt.headers.urgency, 'high');
    assert.equal(attempt.headers.ttl, '86400');
    assert.equal(attempt.headers.topic, b.id);
    assert.equal(attempt.claims.aud, push.origin);
    assert.match(attempt.claims.sub, /^mailto:/);
    assert.deepEqual(push.rejected(name), []);
  }

  const cancelled = await request(base, 'POST', `/v1/bookings/${b.id}/cancel?token=${b.manage_token}`, { body: { reason: 'ill' } });
  assert.equal(cancelled.status, 200, cancelled.text);
  const types = await until('the booking.cancelled push', () => {
    const t = push.received('owner-laptop').map((m) => m.type);
    return t.includes('booking.cancelled') && t;
  });
  assert.deepEqual(types, ['booking.created', 'booking.cancelled']);
  const cancelMessage = push.received('owner-laptop')[1];
  assert.equal(cancelMessage.title, 'Booking cancelled');
  assert.ok(cancelMessage.body.includes('cancelled by the client'), cancelMessage.body);

  // The stranger's browser heard nothing, and the stranger cannot see or
  // delete the owner's subscriptions.
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(push.attempts('stranger'), []);
  const theirs = await list(stranger);
  assert.deepEqual(theirs.json.subscriptions.map((s) => s.id), [other.json.id]);
  problem(await request(base, 'DELETE', `/v1/me/push-subscriptions/${laptop.json.id}`, { headers: bearer(stranger.token) }), 404, 'NOT_FOUND');
  assert.ok((await list(owner)).json.subscriptions.some((s) => s.id === laptop.json.id));

  // What the provider does themselves is not announced back to them.
  const byOwner = await newBooking(2);
  await until('the second booking.created push', () => push.received('owner-laptop').some((m) => m.booking_id === byOwner.id));
  const ownCancel = await request(base, 'POST', `/v1/bookings/${byOwner.id}/cancel`, { body: {}, headers: bearer(owner.token) });
  assert.equal(ownCancel.status, 200, ownCancel.text);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(push.received('owner-laptop').filter((m) => m.booking_id === byOwner.id).map((m) => m.type), ['booking.created']);

  for (const id of [laptop.json.id, phone.json.id])
    assert.equal((await request(base, 'DELETE', `/v1/me/push-subscriptions/${id}`, { headers: bearer(owner.token) })).status, 204);
});

test('a 410 from the push service forgets the subscription; a 500 is retried until it is delivered', async () => {
  const doomed = await subscribe(owner, push.subscribe('doomed'));
  const flaky = await subscribe(owner, push.subscribe('flaky'));
  push.script('doomed', [410]);
  push.script('flaky', [500, 503]);
  const b = await newBooking(3);
  await until('the subscription answered 410 is gone', async () => !(await list(owner)).json.subscriptions.some((s) => s.id === doomed.json.id));
  assert.equal(db.sql(`SELECT COUNT(*) FROM push_subscriptions WHERE id = '${doomed.json.id}'`)[0][0], '0');
  const [message] = await until('the retried push', () => push.received('flaky').length && push.received('flaky'));
  assert.equal(message.booking_id, b.id);
  assert.deepEqual(push.attempts('flaky').map((a) => a.status), [500, 503, 201]);
  assert.ok((await list(owner)).json.subscriptions.some((s) => s.id === flaky.json.id));
  // The job is done, not dead, and nothing more is sent for it.
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(push.attempts('flaky').length, 3);
  assert.equal(push.attempts('doomed').length, 1);
  const jobs = db.sql("SELECT state FROM jobs WHERE kind = 'push.send' ORDER BY id").map((r) => r[0]);
  assert.ok(jobs.every((s) => s === 'done'), jobs.join(','));
  assert.equal((await request(base, 'DELETE', `/v1/me/push-subscriptions/${flaky.json.id}`, { headers: bearer(owner.token) })).status, 204);
});

test('a reschedule tells the old and the new time', async () => {
  const sub = await subscribe(owner, push.subscribe('moves'));
  assert.equal(sub.status, 201, sub.text);
  const b = await newBooking(4);
  await until('the booking.created push', () => push.received('moves').some((m) => m.booking_id === b.id));
  const to = nextSlot();
  const moved = await request(base, 'POST', `/v1/bookings/${b.id}/reschedule?token=${b.manage_token}`, { body: { start: to } });
  assert.equal(moved.status, 200, moved.text);
  const message = await until('the booking.rescheduled push', () => push.received('moves').find((m) => m.type === 'booking.rescheduled'));
  const berlin = (instant) => new Date(Date.parse(instant) + 3600e3).toISOString().slice(11, 16);
  assert.equal(message.title, 'Booking moved');
  assert.ok(message.body.includes(`${berlin(to)} (Europe/Berlin), moved from`), message.body);
  assert.ok(message.body.endsWith(`${berlin(b.start)} (Europe/Berlin)`), message.body);
  assert.equal((await request(base, 'DELETE', `/v1/me/push-subscriptions/${sub.json.id}`, { headers: bearer(owner.token) })).status, 204);
});

test('an account\'s subscriptions are in its export and go with its deletion', async () => {
  const leaver = await signIn(srv, 'leaver@example.com');
  const browser = push.subscribe('leaver');
  const sub = await subscribe(leaver, browser);
  assert.equal(sub.status, 201, sub.text);
  const exported = await request(base, 'GET', '/v1/me/export', { headers: bearer(leaver.token) });
  assert.equal(exported.status, 200, exported.text);
  assert.deepEqual(exported.json.push_subscriptions.map((s) => [s.id, s.endpoint]), [[sub.json.id, browser.endpoint]]);
  assert.equal((await request(base, 'DELETE', '/v1/me', { headers: bearer(leaver.token) })).status, 204);
  assert.equal(db.sql(`SELECT COUNT(*) FROM push_subscriptions WHERE id = '${sub.json.id}'`)[0][0], '0');
});

test('at most 20 subscriptions per account; a known browser may still subscribe again', async () => {
  const many = await signIn(srv, 'many@example.com');
  const browsers = [];
  for (let i = 0; i < 20; i++) {
    browsers.push(push.subscribe(`many-${i}`));
    assert.equal((await subscribe(many, browsers[i])).status, 201);
  }
  problem(await subscribe(many, push.subscribe('many-20')), 409, 'PUSH_SUBSCRIPTION_LIMIT');
  assert.equal((await subscribe(many, browsers[7])).status, 201);
  assert.equal((await list(many)).json.subscriptions.length, 20);
});

test('a push service that refuses the request (400) is not asked again, and the subscription is kept', async () => {
  const sub = await subscribe(owner, push.subscribe('refusing'));
  push.script('refusing', [400]);
  const b = await newBooking(5);
  await until('the refused attempt', () => push.attempts('refusing').length === 1);
  const state = await until('the job to end', () => {
    const rows = db.sql(`SELECT state, last_error FROM jobs WHERE kind = 'push.send' AND key LIKE '%${b.id}%${sub.json.id}'`);
    return rows.length && rows[0][0] !== 'queued' && rows[0][0] !== 'running' && rows[0];
  });
  assert.equal(state[0], 'dead');
  assert.match(state[1], /400/);
  await new Promise((r) => setTimeout(r, 800));
  assert.equal(push.attempts('refusing').length, 1);
  assert.ok((await list(owner)).json.subscriptions.some((s) => s.id === sub.json.id));
  assert.equal((await request(base, 'DELETE', `/v1/me/push-subscriptions/${sub.json.id}`, { headers: bearer(owner.token) })).status, 204);
});

test('SLOTWISE_VAPID_PRIVATE_KEY supplies the key; a malformed one stops the start', async () => {
  const ecdh = crypto.createECDH('prime256v1');
  ecdh.generateKeys();
  const own = await freshDatabase();
  const given = await startServer(own, { env: { SLOTWISE_VAPID_PRIVATE_KEY: ecdh.getPrivateKey().toString('base64url') } });
  const r = await request(given.url, 'GET', '/v1/push/vapid-public-key');
  assert.equal(r.json.public_key, ecdh.getPublicKey().toString('base64url'));
  assert.equal(own.sql("SELECT COUNT(*) FROM server_secrets WHERE name = 'vapid-private-key'")[0][0], '0');
  await given.stop();
  for (const bad of ['not base64!', Buffer.alloc(32).toString('base64url'), Buffer.alloc(31, 1).toString('base64url')])
    await assert.rejects(startServer(own, { env: { SLOTWISE_VAPID_PRIVATE_KEY: bad } }), /SLOTWISE_VAPID_PRIVATE_KEY/);
});
