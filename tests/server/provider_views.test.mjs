// The dashboard's provider-side views against a real server, on SQLite and
// PostgreSQL: GET /v1/bookings/{id}/history (the booking and its audit
// trail) and GET /v1/providers/{id}/clients (who booked, how often,
// no-shows, the lock-out the server applies). An account sees only its own
// providers' bookings and clients: anyone else is told 404, word for word
// as for something that does not exist.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, book, cleanupAll, client, freshDatabase, problem, providerConfig, request, signIn, slotAt, startServer, tempDir } from './harness.mjs';

let db, srv, owner, stranger;
const mailDir = tempDir('slotwise-views-mail-');
const args = ['--mail-dir', mailDir, '--job-poll', '0.1', '--pending-cap', '100', '--open-bookings-cap', '100'];
const bearer = (who) => ({ authorization: `Bearer ${who.token}` });
const get = (path, headers) => request(srv.url, 'GET', path, { headers });
const made = {};

before(async () => {
  db = await freshDatabase();
  srv = await startServer(db, { args });
  owner = await signIn(srv, 'owner@example.com');
  stranger = await signIn(srv, 'stranger@example.com');
  // Two active services (one confirmed at once, one by request) need the paid plan.
  assert.equal((await request(srv.url, 'PUT', `/v1/accounts/${owner.account.id}/plan`, { body: { plan: 'paid' }, headers: admin })).status, 200);
  const put = await request(srv.url, 'PUT', '/v1/providers/pv-own', { body: providerConfig(), headers: bearer(owner) });
  assert.equal(put.status, 201, put.text);
  const ok = async (what, r) => { assert.ok(r.status === 201 || r.status === 200, `${what}: ${r.status} ${r.text}`); return r.json.booking ?? r.json; };
  // Tomorrow (day 1 of the harness's grid): started once the later server runs.
  made.confirmed = await ok('book 1', await book(srv.url, { provider: 'pv-own', service: 's30', start: slotAt(1, 60), client: client(1) }));
  made.request = await ok('book 2', await book(srv.url, { provider: 'pv-own', service: 'video', start: slotAt(1, 120), client: client(1) }));
  made.newYork = await ok('book 3', await book(srv.url, {
    provider: 'pv-own', service: 's30', start: slotAt(1, 180), time_zone: 'America/New_York',
    client: { name: 'Nora York', email: 'Nora.York@example.com' },
  }));
  made.cancelled = await ok('book 4', await book(srv.url, { provider: 'pv-own', service: 's30', start: slotAt(2, 60), client: client(2) }));
  await ok('confirm', await request(srv.url, 'POST', `/v1/bookings/${made.request.id}/confirm`, { body: {}, headers: bearer(owner) }));
  await ok('cancel', await request(srv.url, 'POST', `/v1/bookings/${made.cancelled.id}/cancel`, { body: { reason: 'Clinic closed' }, headers: bearer(owner) }));
});
after(cleanupAll);

test('history: the booking as the provider sees it and every transition, oldest first', async () => {
  const r = await get(`/v1/bookings/${made.request.id}/history`, bearer(owner));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['cache-control'], 'no-store');
  assert.equal(r.json.booking.id, made.request.id);
  assert.equal(r.json.booking.status, 'CONFIRMED');
  assert.equal(r.json.booking.manage_token, undefined, 'the manage token is the client\'s alone');
  assert.deepEqual(r.json.history.map((e) => [e.actor, e.action]), [['client', 'create'], ['account', 'confirm']]);
  assert.deepEqual(r.json.history[1].detail, { from: 'PENDING', to: 'CONFIRMED' });
  for (const e of r.json.history) assert.match(e.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  // No id of an account, key or link leaves the audit log.
  assert.doesNotMatch(r.text, new RegExp(owner.account.id));

  const cancelled = await get(`/v1/bookings/${made.cancelled.id}/history`, bearer(owner));
  assert.equal(cancelled.json.booking.cancellation_reason, 'Clinic closed');
  assert.equal(cancelled.json.booking.cancelled_by, 'provider');
  assert.deepEqual(cancelled.json.history.map((e) => e.action), ['create', 'cancel']);

  const zone = await get(`/v1/bookings/${made.newYork.id}/history`, bearer(owner));
  assert.equal(zone.json.booking.time_zone, 'America/New_York', 'the client\'s zone travels with the booking');
});

test('history: 404 for another account, for no booking; 401 without a credential', async () => {
  const other = await get(`/v1/bookings/${made.request.id}/history`, bearer(stranger));
  problem(other, 404, 'UNKNOWN_BOOKING');
  const none = await get('/v1/bookings/bk_nosuchbooking00/history', bearer(owner));
  problem(none, 404, 'UNKNOWN_BOOKING');
  // Word for word the same answer: nothing tells a stranger the booking exists.
  assert.equal(other.json.title, none.json.title);
  problem(await get(`/v1/bookings/${made.request.id}/history`), 401, 'UNAUTHORIZED');
  // The client's manage token does not open the provider's view.
  problem(await get(`/v1/bookings/${made.request.id}/history?token=${made.request.manage_token}`), 401, 'UNAUTHORIZED');
  assert.equal((await get(`/v1/bookings/${made.request.id}/history`, admin)).status, 200, 'the operator reaches every provider');
  // A malformed id is no route at all: a problem, never a 5xx.
  problem(await get('/v1/bookings/bad%20id%27--/history', bearer(owner)), 404, 'NOT_FOUND');
  problem(await get(`/v1/providers/${'x'.repeat(300)}/clients`, bearer(owner)), 404, 'UNKNOWN_PROVIDER');
});

test('clients: counted from the bookings; another account is told the provider does not exist', async () => {
  const r = await get('/v1/providers/pv-own/clients', bearer(owner));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers['cache-control'], 'no-store');
  const byEmail = Object.fromEntries(r.json.clients.map((c) => [c.email, c]));
  assert.deepEqual(Object.keys(byEmail).sort(), ['client1@example.com', 'client2@example.com', 'nora.york@example.com']);
  assert.equal(byEmail['client1@example.com'].bookings, 2);
  assert.equal(byEmail['client1@example.com'].upcoming, 2);
  assert.equal(byEmail['client2@example.com'].cancelled, 1);
  assert.equal(byEmail['client2@example.com'].upcoming, 0);
  assert.equal(byEmail['client2@example.com'].next_start, null);
  assert.equal(byEmail['client1@example.com'].next_start, made.confirmed.start);
  for (const c of r.json.clients) assert.equal(c.locked_out, false);

  problem(await get('/v1/providers/pv-own/clients', bearer(stranger)), 404, 'UNKNOWN_PROVIDER');
  problem(await get('/v1/providers/no-such/clients', bearer(owner)), 404, 'UNKNOWN_PROVIDER');
  problem(await get('/v1/providers/pv-own/clients'), 401, 'UNAUTHORIZED');
});

test('a no-show: counted, in the history, and the client locked out of same-day bookings as the server applies it', async () => {
  await srv.stop();
  // Day 3, 01:00 in Berlin: the bookings of day 1 have started.
  const later = await startServer(db, { now: '2026-11-26T00:00:00Z', args });
  const noShow = await request(later.url, 'POST', `/v1/bookings/${made.newYork.id}/no-show`, { body: {}, headers: bearer(owner) });
  assert.equal(noShow.status, 200, noShow.text);
  const done = await request(later.url, 'POST', `/v1/bookings/${made.confirmed.id}/complete`, { body: {}, headers: bearer(owner) });
  assert.equal(done.status, 200, done.text);

  const history = await request(later.url, 'GET', `/v1/bookings/${made.newYork.id}/history`, { headers: bearer(owner) });
  assert.deepEqual(history.json.history.map((e) => e.action), ['create', 'no_show']);
  assert.equal(history.json.booking.status, 'NO_SHOW');

  const clients = (await request(later.url, 'GET', '/v1/providers/pv-own/clients', { headers: bearer(owner) })).json.clients;
  const nora = clients.find((c) => c.email === 'nora.york@example.com');
  assert.equal(nora.no_shows, 1);
  assert.equal(nora.lockout_no_shows, 1);
  assert.equal(nora.locked_out, true);
  const one = clients.find((c) => c.email === 'client1@example.com');
  assert.equal(one.completed, 1);
  assert.equal(one.locked_out, false);
  assert.equal(one.last_start, made.request.start, 'the latest start that has passed');

  // The list's lock-out is the server's: the same client (by another
  // spelling of the address) is refused a same-day booking, another is not.
  const sameDay = slotAt(3, 180);
  const refused = await book(later.url, { provider: 'pv-own', service: 's30', start: sameDay, client: { name: 'Nora', email: 'nora.york@EXAMPLE.com' } });
  problem(refused, 422, 'CLIENT_LOCKED_OUT');
  const fine = await book(later.url, { provider: 'pv-own', service: 's30', start: sameDay, client: client(3) });
  assert.equal(fine.status, 201, fine.text);
  await later.stop();
});
