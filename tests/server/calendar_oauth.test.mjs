// Google Calendar and Microsoft Graph through the server (issue 15): the
// OAuth 2.0 flow with PKCE as a browser walks it (POST .../calendars,
// the service's consent, the callback), busy times from the service in the
// slots, a token refresh after a 401, an incremental sync after the sync
// token expired, the booking's event created and deleted at the service,
// and revocation on disconnect. The services are the in-repo test servers.
import test, { after } from 'node:test';
import assert from 'node:assert/strict';
import { admin, book, cleanupAll, client, freshDatabase, problem, putProvider, request, slotAt, startServer, until } from './harness.mjs';
import { startGoogleCalendarTestServer } from './google_calendar_test_server.mjs';
import { startMsGraphTestServer } from './ms_graph_test_server.mjs';

after(cleanupAll);

async function setup({ push = false, args = [] } = {}) {
  const g = await startGoogleCalendarTestServer({ allowHttpWebhooks: push });
  const ms = await startMsGraphTestServer({ allowHttpWebhooks: push });
  after(() => Promise.all([g.stop(), ms.stop()]));
  const db = await freshDatabase();
  const server = await startServer(db, {
    args: ['--job-poll', '0.2', '--job-backoff', '0.2:0.5', '--allow-private-targets', '--calendar-sync-every', '3600',
      '--google-oauth-base', g.url, '--google-api-base', g.url, '--microsoft-oauth-base', ms.url, '--microsoft-graph-base', ms.url,
      ...(push ? ['--calendar-push-over-http'] : []), ...args],
    env: { SLOTWISE_GOOGLE_CLIENT_ID: g.clientId, SLOTWISE_GOOGLE_CLIENT_SECRET: g.clientSecret,
      SLOTWISE_MICROSOFT_CLIENT_ID: ms.clientId, SLOTWISE_MICROSOFT_CLIENT_SECRET: ms.clientSecret },
  });
  return { g, ms, db, server, base: server.url };
}

// What a browser does with the authorization URL: the service grants and
// redirects to the server's callback.
async function consent(authorizationUrl) {
  const r = await fetch(authorizationUrl, { redirect: 'manual' });
  assert.equal(r.status, 302);
  return new URL(r.headers.get('location'));
}

const slotsOn = async (base, day) =>
  (await request(base, 'GET', `/v1/providers/p1/slots?service=s30&from=${day}&to=${day}`)).json.slots.map((s) => s.start);

test('Google: connect with PKCE, busy times, refresh after 401, expired sync token, events, revocation', async () => {
  const { g, base } = await setup();
  await putProvider(base, 'p1');
  const primary = 'primary-owner@example.test';
  // Tuesday 24 Nov, 10:00-11:00 Berlin: busy at Google.
  g.addEvent(primary, { id: 'dentist01', summary: 'Dentist', start: { dateTime: '2026-11-24T10:00:00+01:00' }, end: { dateTime: '2026-11-24T11:00:00+01:00' } });
  g.addEvent(primary, { id: 'free00001', summary: 'Maybe', transparency: 'transparent', start: { dateTime: '2026-11-24T15:00:00+01:00' }, end: { dateTime: '2026-11-24T16:00:00+01:00' } });

  problem(await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'google', extra: 1 }, headers: admin }), 400, 'INVALID_REQUEST');
  problem(await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'google' } }), 401, 'UNAUTHORIZED');
  const started = await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'google' }, headers: admin });
  assert.equal(started.status, 201, started.text);
  const auth = new URL(started.json.authorization_url);
  assert.equal(auth.origin + auth.pathname, `${g.url}/o/oauth2/v2/auth`);
  assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
  assert.match(auth.searchParams.get('code_challenge'), /^[A-Za-z0-9_-]{43}$/);
  assert.equal(auth.searchParams.get('redirect_uri'), `${base}/v1/calendars/oauth/callback`);

  const back = await consent(started.json.authorization_url);
  assert.equal(back.origin + back.pathname, `${base}/v1/calendars/oauth/callback`);
  // A browser: redirected to the dashboard's calendar settings.
  const done = await request(base, 'GET', back.pathname + back.search, { headers: { accept: 'text/html' } });
  assert.equal(done.status, 303, done.text);
  assert.equal(done.headers.location, `/app/settings/calendars?connected=${started.json.id}`);
  assert.ok(g.authority.events.some((e) => e.kind === 'code_exchanged'), 'the code was exchanged with the verifier');
  problem(await request(base, 'GET', back.pathname + back.search, { headers: { accept: 'application/json' } }), 400, 'CALENDAR_OAUTH_STATE_INVALID');
  problem(await request(base, 'GET', '/v1/calendars/oauth/callback?code=x&state=forged', { headers: { accept: 'application/json' } }), 400, 'CALENDAR_OAUTH_STATE_INVALID');

  const list = await request(base, 'GET', '/v1/providers/p1/calendars', { headers: admin });
  assert.equal(list.status, 200, list.text);
  const connection = list.json.connections.find((c) => c.id === started.json.id);
  assert.equal(connection.kind, 'google');
  assert.deepEqual(connection.calendars.map((c) => c.href), [primary, 'family0123456789@group.calendar.google.com']);
  assert.doesNotMatch(list.text, /ya29\.|1\/\/0g/, 'no token is ever shown');

  const sync = async () => {
    const r = await request(base, 'POST', `/v1/providers/p1/calendars/${started.json.id}/sync`, { headers: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.synced, true, r.text);
    return r.json;
  };
  await sync();
  let slots = await slotsOn(base, '2026-11-24');
  assert.ok(!slots.includes('2026-11-24T09:00:00Z') && !slots.includes('2026-11-24T09:30:00Z'), 'the busy hour is not offered');
  assert.ok(slots.includes('2026-11-24T10:00:00Z') && slots.includes('2026-11-24T14:00:00Z'), 'the free (transparent) event blocks nothing');

  // The access token expired at Google: one refresh, then the sync goes on.
  g.expireAccessTokens();
  g.addEvent(primary, { id: 'lunch0001', summary: 'Lunch', start: { dateTime: '2026-11-24T12:00:00Z' }, end: { dateTime: '2026-11-24T13:00:00Z' } });
  await sync();
  assert.equal(g.authority.events.filter((e) => e.kind === 'refreshed').length, 1);
  slots = await slotsOn(base, '2026-11-24');
  assert.ok(!slots.includes('2026-11-24T12:00:00Z'), 'the incremental sync brought the new event');
  const syncRequests = g.requests.filter((r) => r.path.endsWith('/events') && r.method === 'GET' && /syncToken=/.test(r.query));
  assert.ok(syncRequests.length >= 1, 'the second sync was incremental');

  // Google forgot the sync token: 410, then a full sync; a deletion meanwhile is seen.
  g.expireSyncTokens();
  g.removeEvent(primary, 'dentist01');
  await sync();
  assert.ok(g.requests.some((r) => r.answer?.status === 410));
  slots = await slotsOn(base, '2026-11-24');
  assert.ok(slots.includes('2026-11-24T09:00:00Z'), 'the deleted event no longer blocks');

  // Bookings are written into the chosen calendar, and removed on cancel.
  const patched = await request(base, 'PATCH', `/v1/providers/p1/calendars/${started.json.id}`, { body: { check: [primary], write_to: primary }, headers: admin });
  assert.equal(patched.status, 200, patched.text);
  const booked = await book(base, { provider: 'p1', service: 's30', start: slotAt(2, 120), client: client(1) });
  assert.equal(booked.status, 201, booked.text);
  const written = await until('the booking event at Google', () => g.events(primary).find((e) => e.status !== 'cancelled' && e.start?.dateTime === slotAt(2, 120)));
  assert.match(written.iCalUID, new RegExp(booked.json.booking.id));
  const cancelled = await request(base, 'POST', `/v1/bookings/${booked.json.booking.id}/cancel?token=${booked.json.booking.manage_token}`, { body: {} });
  assert.equal(cancelled.status, 200, cancelled.text);
  await until('the booking event deleted at Google', () => g.events(primary).find((e) => e.id === written.id).status === 'cancelled');

  // Google grants, then fails to list the calendars: nothing is connected and the fresh grant is revoked.
  const second = await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'google' }, headers: admin });
  const back2 = await consent(second.json.authorization_url);
  g.failNext(null, 503);  // the token exchange passes, calendarList.list answers 503
  problem(await request(base, 'GET', back2.pathname + back2.search, { headers: { accept: 'application/json' } }), 422, 'CALENDAR_UNREACHABLE');
  assert.equal(g.authority.events.filter((e) => e.kind === 'revoked').length, 1);
  assert.deepEqual((await request(base, 'GET', '/v1/providers/p1/calendars', { headers: admin })).json.connections.map((c) => c.id), [started.json.id]);

  // Disconnecting revokes the grant at Google.
  const removed = await request(base, 'DELETE', `/v1/providers/p1/calendars/${started.json.id}`, { headers: admin });
  assert.equal(removed.status, 204, removed.text);
  assert.equal(g.authority.events.filter((e) => e.kind === 'revoked').length, 2);
  assert.equal(g.authority.liveRefreshTokens(), 0);
});

test('Microsoft: connect (JSON callback), delta sync with a rotated refresh token, declined consent', async () => {
  const { ms, base } = await setup();
  await putProvider(base, 'p1');
  const cal = 'AAMkAGI2TGuLAAA=';
  ms.addEvent(cal, { subject: 'Shift', showAs: 'busy', start: { dateTime: '2026-11-25T08:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T09:00:00', timeZone: 'UTC' },
    recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: 2 } } });

  const started = await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'microsoft' }, headers: admin });
  assert.equal(started.status, 201, started.text);
  const back = await consent(started.json.authorization_url);
  const done = await request(base, 'GET', back.pathname + back.search, { headers: { accept: 'application/json' } });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.id, started.json.id);
  assert.deepEqual(done.json.calendars.map((c) => c.name), ['Calendar', 'Holidays']);

  const sync = async () => {
    const r = await request(base, 'POST', `/v1/providers/p1/calendars/${started.json.id}/sync`, { headers: admin });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json.synced, true, r.text);
  };
  await sync();
  for (const day of ['2026-11-25', '2026-11-26'])
    assert.ok(!(await slotsOn(base, day)).includes(`${day}T08:00:00Z`), `the occurrence on ${day} blocks`);
  // Twice expired: the second refresh needs the refresh token the first one rotated in.
  for (let i = 0; i < 2; i++) {
    ms.expireAccessTokens();
    await sync();
  }
  assert.equal(ms.authority.events.filter((e) => e.kind === 'refreshed').length, 2);

  // The person declines at Microsoft: the callback says so, nothing is connected.
  const again = await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'microsoft' }, headers: admin });
  const state = new URL(again.json.authorization_url).searchParams.get('state');
  problem(await request(base, 'GET', `/v1/calendars/oauth/callback?error=access_denied&state=${encodeURIComponent(state)}`, { headers: { accept: 'application/json' } }), 422, 'CALENDAR_OAUTH_DENIED');
  const browser = await request(base, 'GET', `/v1/calendars/oauth/callback?error=access_denied&state=x`, { headers: { accept: 'text/html' } });
  assert.equal(browser.status, 303);
  assert.equal(browser.headers.location, '/app/settings/calendars?calendar_error=CALENDAR_OAUTH_STATE_INVALID');
  const list = await request(base, 'GET', '/v1/providers/p1/calendars', { headers: admin });
  assert.deepEqual(list.json.connections.map((c) => c.id), [started.json.id]);

  // Hostile or broken callbacks and notifications: a problem, never a 5xx.
  const json = { accept: 'application/json' };
  problem(await request(base, 'GET', '/v1/calendars/oauth/callback', { headers: json }), 400, 'CALENDAR_OAUTH_STATE_INVALID');
  problem(await request(base, 'GET', `/v1/calendars/oauth/callback?code=c&state=${'s'.repeat(300)}`, { headers: json }), 400, 'CALENDAR_OAUTH_STATE_INVALID');
  problem(await request(base, 'GET', "/v1/calendars/oauth/callback?code=%27%3B%20DROP%20TABLE%20calendar_connections%3B--&state=%00", { headers: json }), 400, 'CALENDAR_OAUTH_STATE_INVALID');
  problem(await request(base, 'POST', `/v1/calendars/microsoft/notifications?connection=${started.json.id}`, { raw: 'not json {' }), 404, 'NOT_FOUND');
  problem(await request(base, 'POST', `/v1/calendars/microsoft/notifications`, { body: { value: 'x' } }), 404, 'NOT_FOUND');
  problem(await request(base, 'POST', `/v1/calendars/google/notifications?connection=${started.json.id}`, { raw: '' }), 404, 'NOT_FOUND');
  problem(await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind: 'icloud' }, headers: admin }), 400, 'UNKNOWN_CALENDAR_KIND');

  // Push notifications only count with the connection's secret.
  problem(await request(base, 'POST', `/v1/calendars/microsoft/notifications?connection=${started.json.id}`, {
    body: { value: [{ subscriptionId: 'x', clientState: 'guess', changeType: 'updated' }] } }), 404, 'NOT_FOUND');
  const validation = await request(base, 'POST', `/v1/calendars/microsoft/notifications?connection=${started.json.id}&validationToken=${encodeURIComponent('Validation: abc')}`, { raw: '' });
  assert.equal(validation.status, 200);
  assert.equal(validation.text, 'Validation: abc');
  assert.match(validation.headers['content-type'], /^text\/plain/);
});

test('push: a Google watch channel and a Graph subscription queue syncs; disconnecting stops them', async () => {
  const { g, ms, base } = await setup({ push: true });
  await putProvider(base, 'p1');
  const connect = async (kind) => {
    const started = await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind }, headers: admin });
    assert.equal(started.status, 201, started.text);
    const back = await consent(started.json.authorization_url);
    const done = await request(base, 'GET', back.pathname + back.search, { headers: { accept: 'application/json' } });
    assert.equal(done.status, 200, done.text);
    return started.json.id;
  };
  const google = await connect('google');
  assert.equal(g.channels.size, 2, 'one channel per calendar');
  assert.ok([...g.channels.values()].every((c) => c.address === `${base}/v1/calendars/google/notifications?connection=${google}`));
  const microsoft = await connect('microsoft');
  assert.equal(ms.subscriptions.size, 1, 'Graph validated the notification URL and made the subscription');

  // No POST .../sync here: the notifications alone bring the busy times in.
  g.addEvent('primary-owner@example.test', { summary: 'Pushed', start: { dateTime: '2026-11-24T09:00:00Z' }, end: { dateTime: '2026-11-24T10:00:00Z' } });
  ms.addEvent('AAMkAGI2TGuLAAA=', { subject: 'Pushed too', start: { dateTime: '2026-11-24T12:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-24T13:00:00', timeZone: 'UTC' } });
  await until('both busy times in the slots', async () => {
    const slots = await slotsOn(base, '2026-11-24');
    return !slots.includes('2026-11-24T09:00:00Z') && !slots.includes('2026-11-24T12:00:00Z') && slots.includes('2026-11-24T11:00:00Z');
  });
  assert.ok(g.notifications.some((n) => n.state === 'exists' && n.status === 204));
  assert.ok(ms.notifications.some((n) => n.status === 202));

  for (const id of [google, microsoft])
    assert.equal((await request(base, 'DELETE', `/v1/providers/p1/calendars/${id}`, { headers: admin })).status, 204);
  assert.equal(g.channels.size, 0, 'the watch channels were stopped');
  assert.equal(ms.subscriptions.size, 0, 'the subscription was deleted');
});

test('push channels are renewed by a sync once half their life is gone, the old ones stopped', async () => {
  const { g, ms, base } = await setup({ push: true, args: ['--calendar-push-ttl', '2'] });
  await putProvider(base, 'p1');
  const ids = {};
  for (const kind of ['google', 'microsoft']) {
    const started = await request(base, 'POST', '/v1/providers/p1/calendars', { body: { kind }, headers: admin });
    const back = await consent(started.json.authorization_url);
    assert.equal((await request(base, 'GET', back.pathname + back.search, { headers: { accept: 'application/json' } })).status, 200);
    ids[kind] = started.json.id;
  }
  const first = { google: [...g.channels.keys()], microsoft: [...ms.subscriptions.keys()] };
  assert.equal(first.google.length, 2);
  assert.equal(first.microsoft.length, 1);
  const connectedAt = Date.now();
  await until('half of the 2-second channel life gone', () => Date.now() - connectedAt > 1100);
  for (const kind of ['google', 'microsoft'])
    assert.equal((await request(base, 'POST', `/v1/providers/p1/calendars/${ids[kind]}/sync`, { headers: admin })).status, 200);
  await until('new channels in place of the old', () =>
    g.channels.size === 2 && ![...g.channels.keys()].some((id) => first.google.includes(id)) &&
    ms.subscriptions.size === 1 && !ms.subscriptions.has(first.microsoft[0]));
});
