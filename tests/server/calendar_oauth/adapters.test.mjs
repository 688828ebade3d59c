// The Google and Graph calendar clients (server-stub/src/adapters/) against
// the in-repo test servers, through calendar_oauth_probe: the PKCE code
// exchange, listing, full and incremental sync with an expired sync token,
// a 401 answered by one refresh, event create / conditional update / delete,
// and revocation.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import readline from 'node:readline';
import { startGoogleCalendarTestServer } from '../google_calendar_test_server.mjs';
import { startMsGraphTestServer } from '../ms_graph_test_server.mjs';

const PROBE = process.env.SLOTWISE_CALENDAR_OAUTH_PROBE;
const REDIRECT = 'http://127.0.0.1:9/v1/calendars/oauth/callback';

function startProbe(kind, base, clientId, clientSecret) {
  const proc = spawn(PROBE, [kind, base, base, clientId, clientSecret], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: proc.stdout });
  const waiting = [];
  lines.on('line', (l) => waiting.shift()(JSON.parse(l)));
  return {
    ask: (cmd) => new Promise((resolve) => { waiting.push(resolve); proc.stdin.write(JSON.stringify(cmd) + '\n'); }),
    stop: () => { proc.stdin.end(); },
  };
}

async function connect(probe) {
  const { url, verifier } = await probe.ask({ op: 'authorize', redirect: REDIRECT });
  const r = await fetch(url, { redirect: 'manual' });
  assert.equal(r.status, 302, 'the test server accepted the authorization request (PKCE S256 present)');
  const back = new URL(r.headers.get('location'));
  assert.equal(back.searchParams.get('state'), 'probe-state');
  return { code: back.searchParams.get('code'), verifier };
}

const OWN = (uid, start, end, summary = 'Haircut: Ada') => [
  'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Slotwise//test//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20261120T000000Z',
  `DTSTART:${start}`, `DTEND:${end}`, `SUMMARY:${summary}`, 'STATUS:CONFIRMED', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

test('Google Calendar client', { skip: !PROBE && 'SLOTWISE_CALENDAR_OAUTH_PROBE not set' }, async (t) => {
  const g = await startGoogleCalendarTestServer({ pageSize: 2 });
  const probe = startProbe('google', g.url, g.clientId, g.clientSecret);
  t.after(async () => { probe.stop(); await g.stop(); });

  const wrong = await connect(probe);
  const refused = await probe.ask({ op: 'exchange', code: wrong.code, redirect: REDIRECT, verifier: 'A'.repeat(43) });
  assert.equal(refused.error, 'invalid_grant');
  const { code, verifier } = await connect(probe);
  assert.deepEqual(await probe.ask({ op: 'exchange', code, redirect: REDIRECT, verifier }), { ok: true });
  const authorize = g.requests.find((r) => r.path === '/o/oauth2/v2/auth');
  assert.match(authorize.query, /access_type=offline/);

  const { calendars } = await probe.ask({ op: 'list' });
  assert.deepEqual(calendars.map((c) => [c.name, c.writable]), [['Work', true], ['Family', false]]);
  const cal = calendars[0].href;

  g.addEvent(cal, { id: 'weekly01', iCalUID: 'weekly@example', summary: 'School run', start: { dateTime: '2026-11-23T08:00:00+01:00' }, end: { dateTime: '2026-11-23T08:30:00+01:00' }, recurrence: ['RRULE:FREQ=WEEKLY;COUNT=3', 'EXDATE:20261130T070000Z'] });
  g.addEvent(cal, { id: 'allday01', summary: 'Holiday', start: { date: '2026-11-24' }, end: { date: '2026-11-25' }, transparency: 'transparent' });
  g.addEvent(cal, { id: 'single01', summary: 'Dentist', start: { dateTime: '2026-11-25T12:00:00Z' }, end: { dateTime: '2026-11-25T13:00:00Z' } });
  const full = await probe.ask({ op: 'changes', calendar: cal, token: '' });
  assert.equal(full.full, true);
  assert.equal(full.changed.length, 4, 'two weekly instances (one excluded), the all-day and the single event, over two pages');
  const byHref = Object.fromEntries(full.changed.map((o) => [o.href.split('/').pop(), o.ics]));
  assert.match(byHref.weekly01_20261123T070000Z, /DTSTART:20261123T070000Z\r\nDTEND:20261123T073000Z/);
  assert.match(byHref.weekly01_20261123T070000Z, /UID:weekly@example/);
  assert.match(byHref.allday01, /DTSTART;VALUE=DATE:20261124\r\nDTEND;VALUE=DATE:20261125\r\nTRANSP:TRANSPARENT/);
  assert.doesNotMatch(full.changed.map((o) => o.ics).join(''), /SUMMARY|Dentist|School/, 'titles never leave the adapter');

  await t.test('a 401 is answered by one refresh and the call succeeds', async () => {
    g.expireAccessTokens();
    g.removeEvent(cal, 'single01');
    const delta = await probe.ask({ op: 'changes', calendar: cal, token: full.next_token });
    assert.equal(delta.full, false);
    assert.deepEqual(delta.removed.map((h) => h.split('/').pop()), ['single01']);
    assert.equal((await probe.ask({ op: 'tokens' })).refreshes, 1);
    full.next_token = delta.next_token;
  });

  await t.test('an expired sync token is sync_token_expired; an empty token starts over', async () => {
    g.expireSyncTokens();
    assert.equal((await probe.ask({ op: 'changes', calendar: cal, token: full.next_token })).error, 'sync_token_expired');
    assert.equal((await probe.ask({ op: 'changes', calendar: cal, token: '' })).changed.length, 3);
  });

  await t.test('events: create once, conditional update, delete (twice is fine)', async () => {
    const ics = OWN('b-1@slotwise', '20261126T090000Z', '20261126T100000Z');
    const made = await probe.ask({ op: 'put', calendar: cal, uid: 'b-1@slotwise', ics });
    assert.ok(made.href && made.etag, JSON.stringify(made));
    const stored = g.events(cal).find((e) => e.iCalUID === 'b-1@slotwise');
    assert.equal(stored.start.dateTime, '2026-11-26T09:00:00Z');
    assert.equal(stored.summary, 'Haircut: Ada');
    assert.equal((await probe.ask({ op: 'put', calendar: cal, uid: 'b-1@slotwise', ics })).error, 'precondition_failed');
    const moved = OWN('b-1@slotwise', '20261126T110000Z', '20261126T120000Z');
    assert.equal((await probe.ask({ op: 'put', calendar: cal, uid: 'b-1@slotwise', ics: moved, if_match: '"0"' })).error, 'precondition_failed');
    const updated = await probe.ask({ op: 'put', calendar: cal, uid: 'b-1@slotwise', ics: moved, if_match: made.etag });
    assert.equal(updated.href, made.href);
    assert.notEqual(updated.etag, made.etag);
    assert.equal(g.events(cal).find((e) => e.iCalUID === 'b-1@slotwise').start.dateTime, '2026-11-26T11:00:00Z');
    assert.equal((await probe.ask({ op: 'put', calendar: calendars[1].href, uid: 'b-2@slotwise', ics })).error, 'auth_failed', 'a reader calendar refuses writes (403)');
    assert.deepEqual(await probe.ask({ op: 'delete', href: made.href }), { ok: true });
    assert.equal(g.events(cal).find((e) => e.iCalUID === 'b-1@slotwise').status, 'cancelled');
    assert.deepEqual(await probe.ask({ op: 'delete', href: made.href }), { ok: true });
  });

  await t.test('revocation ends the grant', async () => {
    assert.deepEqual(await probe.ask({ op: 'revoke' }), { revoked: true, can_revoke: true });
    assert.equal((await probe.ask({ op: 'list' })).error, 'auth_failed');
  });
});

test('Microsoft Graph client', { skip: !PROBE && 'SLOTWISE_CALENDAR_OAUTH_PROBE not set' }, async (t) => {
  const ms = await startMsGraphTestServer({ pageSize: 2 });
  const probe = startProbe('microsoft', ms.url, ms.clientId, ms.clientSecret);
  t.after(async () => { probe.stop(); await ms.stop(); });
  const { code, verifier } = await connect(probe);
  assert.deepEqual(await probe.ask({ op: 'exchange', code, redirect: REDIRECT, verifier }), { ok: true });
  const { calendars } = await probe.ask({ op: 'list' });
  assert.deepEqual(calendars.map((c) => [c.name, c.writable]), [['Calendar', true], ['Holidays', false]]);
  const cal = calendars[0].href;

  ms.addEvent(cal, { subject: 'Standup', showAs: 'busy', start: { dateTime: '2026-11-23T09:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-23T09:15:00', timeZone: 'UTC' }, recurrence: { pattern: { type: 'daily', interval: 1 }, range: { type: 'numbered', numberOfOccurrences: 3 } } });
  const free = ms.addEvent(cal, { subject: 'Focus', showAs: 'free', start: { dateTime: '2026-11-24T13:00:00', timeZone: 'UTC' }, end: { dateTime: '2026-11-24T14:00:00', timeZone: 'UTC' } });
  const full = await probe.ask({ op: 'changes', calendar: cal, token: '' });
  assert.equal(full.changed.length, 4);
  assert.equal(full.changed.filter((o) => /DTSTART:2026112\dT090000Z\r\nDTEND:2026112\dT091500Z/.test(o.ics)).length, 3);
  assert.match(full.changed.find((o) => o.href.endsWith(encodeURIComponent(free.id))).ics, /TRANSP:TRANSPARENT/);
  assert.doesNotMatch(full.changed.map((o) => o.ics).join(''), /Standup|Focus/);

  await t.test('401 -> one refresh (the refresh token rotates), delta removals', async () => {
    ms.expireAccessTokens();
    ms.removeEvent(cal, free.id);
    const delta = await probe.ask({ op: 'changes', calendar: cal, token: full.next_token });
    assert.deepEqual(delta.removed, [`me/events/${encodeURIComponent(free.id)}`]);
    const tokens = await probe.ask({ op: 'tokens' });
    assert.equal(tokens.refreshes, 1);
    assert.equal(tokens.has_refresh_token, true);
    ms.expireAccessTokens();
    assert.equal((await probe.ask({ op: 'list' })).calendars.length, 2, 'the rotated refresh token was kept');
    ms.expireDeltaTokens();
    assert.equal((await probe.ask({ op: 'changes', calendar: cal, token: delta.next_token })).error, 'sync_token_expired');
    assert.equal((await probe.ask({ op: 'changes', calendar: 'x', token: 'https://elsewhere.example/steal' })).error, 'sync_token_expired', 'a token pointing elsewhere is never followed');
  });

  await t.test('events: create, find by UID for a conditional update, delete', async () => {
    const ics = OWN('b-9@slotwise', '20261126T090000Z', '20261126T100000Z');
    const made = await probe.ask({ op: 'put', calendar: cal, uid: 'b-9@slotwise', ics });
    assert.match(made.href, /^me\/events\//);
    const moved = OWN('b-9@slotwise', '20261126T110000Z', '20261126T120000Z');
    assert.equal((await probe.ask({ op: 'put', calendar: cal, uid: 'b-9@slotwise', ics: moved, if_match: 'W/"stale"' })).error, 'precondition_failed');
    const updated = await probe.ask({ op: 'put', calendar: cal, uid: 'b-9@slotwise', ics: moved, if_match: made.etag });
    assert.equal(updated.href, made.href);
    const stored = ms.events(cal).find((e) => e.transactionId === 'b-9@slotwise');
    assert.equal(stored.start.dateTime, '2026-11-26T11:00:00');
    const delta = await probe.ask({ op: 'changes', calendar: cal, token: '' });
    assert.match(delta.changed.find((o) => o.href === made.href).ics, /UID:b-9@slotwise/, 'our own event reads back with our UID');
    assert.deepEqual(await probe.ask({ op: 'delete', href: made.href }), { ok: true });
    assert.deepEqual(await probe.ask({ op: 'delete', href: made.href }), { ok: true });
    assert.equal((await probe.ask({ op: 'revoke' })).can_revoke, false, 'Microsoft has no per-app revocation endpoint');
  });
});
