// Self-test of google_calendar_test_server.mjs: the server's Google tests
// are only as good as this stand-in, so its documented behaviours are
// checked here with plain fetch, independent of the C++ client.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startGoogleCalendarTestServer } from '../google_calendar_test_server.mjs';
import { s256 } from '../oauth_test_authority.mjs';

const REDIRECT = 'http://127.0.0.1:9/v1/calendars/oauth/callback';

async function authorize(g, verifier, extra = {}) {
  const q = new URLSearchParams({ client_id: g.clientId, redirect_uri: REDIRECT, response_type: 'code', scope: 'https://www.googleapis.com/auth/calendar',
    state: 'st4te', code_challenge: s256(verifier), code_challenge_method: 'S256', access_type: 'offline', ...extra });
  const r = await fetch(`${g.url}/o/oauth2/v2/auth?${q}`, { redirect: 'manual' });
  assert.equal(r.status, 302);
  return new URL(r.headers.get('location'));
}
const form = (o) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o).toString() });

test('Google test server: OAuth with PKCE, refresh, revocation; the Calendar API', async (t) => {
  const g = await startGoogleCalendarTestServer({ pageSize: 2 });
  t.after(() => g.stop());
  const verifier = crypto.randomBytes(32).toString('base64url');

  await t.test('authorization needs S256', async () => {
    const back = await authorize(g, verifier, { code_challenge_method: 'plain' });
    assert.equal(back.searchParams.get('error'), 'invalid_request');
    assert.equal(back.searchParams.get('state'), 'st4te');
  });

  const back = await authorize(g, verifier);
  assert.equal(back.searchParams.get('state'), 'st4te');
  const code = back.searchParams.get('code');

  await t.test('a wrong verifier is invalid_grant and spends the code', async () => {
    const other = await authorize(g, verifier);
    const r = await fetch(`${g.url}/token`, form({ grant_type: 'authorization_code', code: other.searchParams.get('code'), client_id: g.clientId, client_secret: g.clientSecret, redirect_uri: REDIRECT, code_verifier: crypto.randomBytes(32).toString('base64url') }));
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error, 'invalid_grant');
  });

  const tok = await (await fetch(`${g.url}/token`, form({ grant_type: 'authorization_code', code, client_id: g.clientId, client_secret: g.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier }))).json();
  assert.ok(tok.access_token && tok.refresh_token);
  assert.equal(tok.token_type, 'Bearer');
  const again = await fetch(`${g.url}/token`, form({ grant_type: 'authorization_code', code, client_id: g.clientId, client_secret: g.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier }));
  assert.equal(again.status, 400, 'a code is good once');

  let access = tok.access_token;
  const api = (path, init = {}) => fetch(`${g.url}/calendar/v3${path}`, { ...init, headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', ...(init.headers || {}) } });

  const list = await (await api('/users/me/calendarList')).json();
  assert.deepEqual(list.items.map((c) => c.accessRole), ['owner', 'reader']);
  const cal = encodeURIComponent(list.items[0].id);

  await t.test('events: insert with a client id, duplicate, If-Match, delete twice', async () => {
    const ev = { id: 'sl0tabc123', iCalUID: 'b1@slotwise', summary: 'x', start: { dateTime: '2026-11-23T09:00:00Z' }, end: { dateTime: '2026-11-23T10:00:00Z' } };
    const ins = await api(`/calendars/${cal}/events`, { method: 'POST', body: JSON.stringify(ev) });
    assert.equal(ins.status, 200);
    const made = await ins.json();
    assert.equal(made.iCalUID, 'b1@slotwise');
    assert.equal((await api(`/calendars/${cal}/events`, { method: 'POST', body: JSON.stringify(ev) })).status, 409);
    assert.equal((await api(`/calendars/${cal}/events`, { method: 'POST', body: JSON.stringify({ ...ev, id: 'UPPER' }) })).status, 400);
    assert.equal((await api(`/calendars/${cal}/events/${made.id}`, { method: 'PUT', headers: { 'if-match': '"1"' }, body: JSON.stringify(ev) })).status, 412);
    const put = await api(`/calendars/${cal}/events/${made.id}`, { method: 'PUT', headers: { 'if-match': made.etag }, body: JSON.stringify({ ...ev, summary: 'y' }) });
    assert.equal(put.status, 200);
    assert.notEqual((await put.json()).etag, made.etag);
    assert.equal((await api(`/calendars/${cal}/events/${made.id}`, { method: 'DELETE' })).status, 204);
    assert.equal((await api(`/calendars/${cal}/events/${made.id}`, { method: 'DELETE' })).status, 410);
  });

  await t.test('sync: pages, syncToken, deletions, singleEvents, 410 after expiry', async () => {
    const id = list.items[0].id;
    g.addEvent(id, { id: 'weekly01', summary: 'w', start: { dateTime: '2026-11-23T07:00:00Z' }, end: { dateTime: '2026-11-23T08:00:00Z' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3', 'EXDATE:20261130T070000Z'] });
    g.addEvent(id, { id: 'single01', summary: 's', start: { date: '2026-11-24' }, end: { date: '2026-11-25' }, transparency: 'transparent' });
    const items = [];
    let page = await (await api(`/calendars/${cal}/events?singleEvents=true`)).json();
    items.push(...page.items);
    while (page.nextPageToken) {
      assert.equal(page.nextSyncToken, undefined);
      page = await (await api(`/calendars/${cal}/events?singleEvents=true&pageToken=${page.nextPageToken}`)).json();
      items.push(...page.items);
    }
    assert.deepEqual(items.map((e) => e.id).sort(), ['single01', 'weekly01_20261123T070000Z', 'weekly01_20261207T070000Z']);
    assert.ok(items.every((e) => !e.recurrence));
    const token = page.nextSyncToken;
    assert.ok(token);
    assert.equal((await api(`/calendars/${cal}/events?singleEvents=true&syncToken=${token}&timeMin=2026-01-01T00:00:00Z`)).status, 400);
    g.removeEvent(id, 'single01');
    const delta = await (await api(`/calendars/${cal}/events?singleEvents=true&syncToken=${token}`)).json();
    assert.deepEqual(delta.items.map((e) => [e.id, e.status]), [['single01', 'cancelled']]);
    g.expireSyncTokens();
    const gone = await api(`/calendars/${cal}/events?singleEvents=true&syncToken=${delta.nextSyncToken}`);
    assert.equal(gone.status, 410);
    assert.equal((await gone.json()).error.errors[0].reason, 'fullSyncRequired');
  });

  await t.test('an expired access token is 401; refresh gives a new one; revocation ends both', async () => {
    g.expireAccessTokens();
    const r = await api('/users/me/calendarList');
    assert.equal(r.status, 401);
    assert.match(r.headers.get('www-authenticate'), /invalid_token/);
    const fresh = await (await fetch(`${g.url}/token`, form({ grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: g.clientId, client_secret: g.clientSecret }))).json();
    assert.equal(fresh.refresh_token, undefined, 'Google keeps the refresh token');
    access = fresh.access_token;
    assert.equal((await api('/users/me/calendarList')).status, 200);
    assert.equal((await fetch(`${g.url}/revoke`, form({ token: tok.refresh_token }))).status, 200);
    assert.equal((await api('/users/me/calendarList')).status, 401);
    const dead = await fetch(`${g.url}/token`, form({ grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: g.clientId, client_secret: g.clientSecret }));
    assert.equal((await dead.json()).error, 'invalid_grant');
  });
});

test('Google test server: watch channels announce changes, https only', async (t) => {
  const g = await startGoogleCalendarTestServer({ allowHttpWebhooks: false });
  t.after(() => g.stop());
  const verifier = crypto.randomBytes(32).toString('base64url');
  const code = (await authorize(g, verifier)).searchParams.get('code');
  const tok = await (await fetch(`${g.url}/token`, form({ grant_type: 'authorization_code', code, client_id: g.clientId, client_secret: g.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier }))).json();
  const r = await fetch(`${g.url}/calendar/v3/calendars/primary/events/watch`, { method: 'POST', headers: { authorization: `Bearer ${tok.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'ch1', type: 'web_hook', address: 'http://127.0.0.1:9/hook' }) });
  assert.equal(r.status, 400);
  assert.equal((await r.json()).error.errors[0].reason, 'push.webhookUrlNotHttps');

  const g2 = await startGoogleCalendarTestServer({ allowHttpWebhooks: true });
  t.after(() => g2.stop());
  const heard = [];
  const { createServer } = await import('node:http');
  const hook = createServer((req, res) => { heard.push({ state: req.headers['x-goog-resource-state'], token: req.headers['x-goog-channel-token'] }); res.writeHead(200); res.end(); });
  await new Promise((ok) => hook.listen(0, '127.0.0.1', ok));
  t.after(() => hook.close());
  const code2 = (await authorize(g2, verifier)).searchParams.get('code');
  const tok2 = await (await fetch(`${g2.url}/token`, form({ grant_type: 'authorization_code', code: code2, client_id: g2.clientId, client_secret: g2.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier }))).json();
  const w = await fetch(`${g2.url}/calendar/v3/calendars/primary/events/watch`, { method: 'POST', headers: { authorization: `Bearer ${tok2.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'ch1', type: 'web_hook', address: `http://127.0.0.1:${hook.address().port}/hook`, token: 'tk' }) });
  assert.equal(w.status, 200);
  const channel = await w.json();
  g2.addEvent('primary-owner@example.test', { summary: 'x', start: { dateTime: '2026-11-23T09:00:00Z' }, end: { dateTime: '2026-11-23T10:00:00Z' } });
  for (let i = 0; i < 200 && heard.length < 2; i++) await new Promise((ok) => setTimeout(ok, 10));
  assert.deepEqual(heard, [{ state: 'sync', token: 'tk' }, { state: 'exists', token: 'tk' }]);
  const stop = await fetch(`${g2.url}/calendar/v3/channels/stop`, { method: 'POST', headers: { authorization: `Bearer ${tok2.access_token}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'ch1', resourceId: channel.resourceId }) });
  assert.equal(stop.status, 204);
});
