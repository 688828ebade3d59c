// Self-test of ms_graph_test_server.mjs with plain fetch: the identity
// platform's PKCE code flow and rotating refresh tokens, calendarView delta
// paging and its 410, events with If-Match, subscriptions' validation.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import { startMsGraphTestServer } from '../ms_graph_test_server.mjs';
import { s256 } from '../oauth_test_authority.mjs';

const REDIRECT = 'http://127.0.0.1:9/v1/calendars/oauth/callback';
const form = (o) => ({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(o).toString() });

async function signIn(ms, verifier) {
  const q = new URLSearchParams({ client_id: ms.clientId, redirect_uri: REDIRECT, response_type: 'code', response_mode: 'query', scope: 'offline_access Calendars.ReadWrite',
    state: 's', code_challenge: s256(verifier), code_challenge_method: 'S256' });
  const r = await fetch(`${ms.url}/common/oauth2/v2.0/authorize?${q}`, { redirect: 'manual' });
  assert.equal(r.status, 302);
  return new URL(r.headers.get('location')).searchParams.get('code');
}

test('Graph test server: PKCE, rotating refresh, delta, events, subscriptions', async (t) => {
  const ms = await startMsGraphTestServer({ allowHttpWebhooks: true });
  t.after(() => ms.stop());
  const verifier = crypto.randomBytes(40).toString('base64url');
  const tokenAt = `${ms.url}/common/oauth2/v2.0/token`;

  const bad = await fetch(tokenAt, form({ grant_type: 'authorization_code', code: await signIn(ms, verifier), client_id: ms.clientId, client_secret: ms.clientSecret, redirect_uri: REDIRECT, code_verifier: 'x'.repeat(43) }));
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error_description, /AADSTS501481/);

  const tok = await (await fetch(tokenAt, form({ grant_type: 'authorization_code', code: await signIn(ms, verifier), client_id: ms.clientId, client_secret: ms.clientSecret, redirect_uri: REDIRECT, code_verifier: verifier }))).json();
  assert.ok(tok.access_token && tok.refresh_token && tok.ext_expires_in);
  let access = tok.access_token;
  const api = (path, init = {}) => fetch(path.startsWith('http') ? path : `${ms.url}/v1.0${path}`, { ...init, headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', ...(init.headers || {}) } });

  const cals = (await (await api('/me/calendars')).json()).value;
  assert.deepEqual(cals.map((c) => c.canEdit), [true, false]);
  const cal = cals[0].id;

  await t.test('delta: window required, pages, removals, 410', async () => {
    assert.equal((await api(`/me/calendars/${cal}/calendarView/delta`)).status, 400);
    ms.addEvent(cal, { subject: 'daily', start: { dateTime: '2026-11-23T07:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-23T08:00:00', timeZone: 'UTC' }, recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: 3 } } });
    const single = ms.addEvent(cal, { subject: 'one', start: { dateTime: '2026-11-25T12:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-25T13:00:00', timeZone: 'UTC' } });
    ms.addEvent(cal, { subject: 'far', start: { dateTime: '2028-01-01T12:00:00', timeZone: 'UTC' }, end: { dateTime: '2028-01-01T13:00:00', timeZone: 'UTC' } });
    let page = await (await api(`/me/calendars/${cal}/calendarView/delta?startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-11-01T00:00:00Z`, { headers: { prefer: 'odata.maxpagesize=2' } })).json();
    const seen = [...page.value];
    while (page['@odata.nextLink']) { page = await (await api(page['@odata.nextLink'], { headers: { prefer: 'odata.maxpagesize=2' } })).json(); seen.push(...page.value); }
    assert.equal(seen.length, 4, 'three occurrences and one single event, the far one outside the window');
    assert.equal(seen.filter((e) => e.type === 'occurrence').length, 3);
    const deltaLink = page['@odata.deltaLink'];
    assert.match(deltaLink, /\$deltatoken=/);
    ms.removeEvent(cal, single.id);
    const changes = await (await api(deltaLink)).json();
    assert.deepEqual(changes.value.map((e) => [e.id, e['@removed']?.reason]), [[single.id, 'deleted']]);
    ms.expireDeltaTokens();
    const gone = await api(changes['@odata.deltaLink']);
    assert.equal(gone.status, 410);
    assert.equal((await gone.json()).error.code, 'syncStateNotFound');
  });

  await t.test('events: create (transactionId retried), PATCH with If-Match, DELETE', async () => {
    const body = { subject: 'b', transactionId: 'tx-1', start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-23T10:00:00', timeZone: 'UTC' } };
    const made = await api(`/me/calendars/${cal}/events`, { method: 'POST', body: JSON.stringify(body) });
    assert.equal(made.status, 201);
    const e = await made.json();
    assert.equal((await (await api(`/me/calendars/${cal}/events`, { method: 'POST', body: JSON.stringify(body) })).json()).id, e.id);
    const prop = 'String {8f3c2a61-5d0e-4b7a-9c1f-2e6d4a9b7c31} Name SlotwiseUid';
    const tagged = await (await api(`/me/calendars/${cal}/events`, { method: 'POST', body: JSON.stringify({ ...body, transactionId: 'tx-2', singleValueExtendedProperties: [{ id: prop, value: "o'brien" }] }) })).json();
    const filter = `singleValueExtendedProperties/Any(ep: ep/id eq '${prop}' and ep/value eq 'o''brien')`;
    const found = await (await api(`/me/calendars/${cal}/events?$filter=${encodeURIComponent(filter)}`)).json();
    assert.deepEqual(found.value.map((x) => x.id), [tagged.id], 'found by its extended property');
    assert.equal((await api(`/me/calendars/${cal}/events?$filter=${encodeURIComponent('subject eq 1')}`)).status, 400);
    assert.equal((await api(`/me/calendars/${cals[1].id}/events`, { method: 'POST', body: JSON.stringify(body) })).status, 403);
    assert.equal((await api(`/me/events/${e.id}`, { method: 'PATCH', headers: { 'if-match': 'W/"old"' }, body: '{"subject":"c"}' })).status, 412);
    assert.equal((await api(`/me/events/${e.id}`, { method: 'PATCH', headers: { 'if-match': e['@odata.etag'] }, body: '{"subject":"c"}' })).status, 200);
    assert.equal((await api(`/me/events/${e.id}`, { method: 'DELETE' })).status, 204);
    const again = await api(`/me/events/${e.id}`, { method: 'DELETE' });
    assert.equal(again.status, 404);
    assert.equal((await again.json()).error.code, 'ErrorItemNotFound');
  });

  await t.test('subscriptions: validation echo, notifications with clientState', async () => {
    const heard = [];
    let echo = true;
    const hook = http.createServer((req, res) => {
      const u = new URL(req.url, 'http://x');
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (u.searchParams.has('validationToken')) { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(echo ? u.searchParams.get('validationToken') : 'nope'); return; }
        heard.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(202); res.end();
      });
    });
    await new Promise((ok) => hook.listen(0, '127.0.0.1', ok));
    t.after(() => hook.close());
    const sub = { changeType: 'created,updated,deleted', notificationUrl: `http://127.0.0.1:${hook.address().port}/n`, resource: `/me/calendars/${cal}/events`, expirationDateTime: '2026-11-26T00:00:00Z', clientState: 'secret-cs' };
    echo = false;
    assert.equal((await api('/subscriptions', { method: 'POST', body: JSON.stringify(sub) })).status, 400);
    echo = true;
    const made = await api('/subscriptions', { method: 'POST', body: JSON.stringify(sub) });
    assert.equal(made.status, 201);
    const s = await made.json();
    ms.addEvent(cal, { subject: 'n', start: { dateTime: '2026-11-27T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-27T10:00:00', timeZone: 'UTC' } });
    for (let i = 0; i < 200 && !heard.length; i++) await new Promise((ok) => setTimeout(ok, 10));
    assert.equal(heard[0].value[0].clientState, 'secret-cs');
    assert.equal(heard[0].value[0].subscriptionId, s.id);
    assert.equal((await api(`/subscriptions/${s.id}`, { method: 'DELETE' })).status, 204);
  });

  await t.test('401 on an expired token; refresh rotates the refresh token', async () => {
    ms.expireAccessTokens();
    const r = await api('/me/calendars');
    assert.equal(r.status, 401);
    assert.equal((await r.json()).error.code, 'InvalidAuthenticationToken');
    const fresh = await (await fetch(tokenAt, form({ grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: ms.clientId, client_secret: ms.clientSecret, scope: 'offline_access Calendars.ReadWrite' }))).json();
    assert.ok(fresh.refresh_token && fresh.refresh_token !== tok.refresh_token);
    access = fresh.access_token;
    assert.equal((await api('/me/calendars')).status, 200);
    const old = await fetch(tokenAt, form({ grant_type: 'refresh_token', refresh_token: tok.refresh_token, client_id: ms.clientId, client_secret: ms.clientSecret }));
    assert.equal((await old.json()).error, 'invalid_grant');
  });
});
