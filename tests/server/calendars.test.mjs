// Calendar sync (issue 15, api.md "Calendars") through the server against a
// real Radicale (radicale.mjs) on both backends: connecting (wrong
// credentials, an unreachable server, bad input), outside events shaping the
// slots exactly (busy, recurring with an exception date and a moved
// occurrence, all-day, transparent, cancelled) without their titles, the
// booking's event in the chosen calendar (once, moved by a reschedule, gone
// on cancel, an ETag mismatch, a remote deletion that leaves the booking
// alone), an outage reported once while the last busy times stay, a sync
// killed by kill -9 resumed from its stored token, and the secret feed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import {
  admin, book, cleanupAll, client, freshDatabase, problem, providerConfig, putProvider, request, signIn, slotAt, startServer,
  tempDir, until,
} from './harness.mjs';
import { startRadicale, davRequest } from './radicale.mjs';

const USER = 'ann';
const PASSWORD = 'ann-pw-0123';
let db, server, radicale, mailDir;
const args = () => ['--allow-private-targets', '--mail-dir', mailDir, '--calendar-sync-every', '3600', '--calendar-sync-lease', '3'];

function ics(uid, lines, extra = []) {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotwise tests//EN', 'BEGIN:VEVENT', `UID:${uid}`,
    'DTSTAMP:20261101T000000Z', ...lines, 'END:VEVENT', ...extra, 'END:VCALENDAR', ''].join('\r\n');
}

// A TCP relay to Radicale that can refuse (close) and hold (pause) connections.
function relay(targetPort) {
  const sockets = new Set();
  let holding = false;
  const held = [];
  const srv = net.createServer((c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
    const go = () => {
      const up = net.connect(targetPort, '127.0.0.1');
      sockets.add(up);
      up.on('close', () => sockets.delete(up));
      c.pipe(up); up.pipe(c);
      c.on('error', () => up.destroy()); up.on('error', () => c.destroy());
    };
    if (holding) held.push(go); else go();
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({
    url: `http://127.0.0.1:${srv.address().port}/`,
    hold() { holding = true; },
    release() { holding = false; for (const go of held.splice(0)) go(); },
    heldCount: () => held.length,
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); srv.close(r); }),
  })));
}

// The objects of a calendar collection, read straight from Radicale: [{href, ics, etag}].
async function objects(calendar) {
  const url = radicale.calendarUrl(USER, calendar);
  const r = await davRequest(url, 'PROPFIND', { user: USER, password: PASSWORD, headers: { depth: '1' } });
  const hrefs = [...r.body.matchAll(/<(?:\w+:)?href>([^<]+\.ics)<\/(?:\w+:)?href>/g)].map((m) => m[1]);
  const out = [];
  for (const href of hrefs) {
    const got = await davRequest(new URL(href, radicale.url).toString(), 'GET', { user: USER, password: PASSWORD });
    if (got.status === 200) out.push({ href, ics: got.body, etag: got.headers.etag });
  }
  return out;
}
const dtstart = (text) => (/DTSTART[^:\r\n]*:(\d{8}T\d{6}Z?)/.exec(text) || [])[1];
const asUtc = (iso) => iso.replace(/[-:]/g, '').replace('.000', '');

const bearer = admin;
const connect = (provider, body) => request(server.url, 'POST', `/v1/providers/${provider}/calendars`, { body, headers: bearer });
const sync = (provider, id) => request(server.url, 'POST', `/v1/providers/${provider}/calendars/${id}/sync`, { headers: bearer });
const slots = async (provider, day) => {
  const r = await request(server.url, 'GET', `/v1/providers/${provider}/slots?service=s30&from=${day}&to=${day}`);
  assert.equal(r.status, 200, r.text);
  return r.json.slots.map((s) => s.start);
};
const caldav = (extra = {}) => ({ kind: 'caldav', url: radicale.url, username: USER, password: PASSWORD, ...extra });

before(async () => {
  mailDir = tempDir('slotwise-calendar-mail-');
  radicale = await startRadicale({ users: { [USER]: PASSWORD } });
  for (const [cal, name] of [['work', 'Work'], ['home', 'Home'], ['bookings', 'Bookings'], ['later', 'Later']])
    await radicale.makeCalendar(USER, cal, { name });
  db = await freshDatabase();
  server = await startServer(db, { args: args() });
});

after(async () => {
  await cleanupAll();
  if (radicale) await radicale.stop();
});

test('connecting: wrong credentials, an unreachable server and bad input are refused; the calendars are listed without secrets', async () => {
  await putProvider(server.url, 'c1');
  problem(await connect('c1', caldav({ password: 'wrong' })), 422, 'CALENDAR_AUTH_FAILED');
  const closed = await relay(radicale.port);
  await closed.close();
  problem(await connect('c1', caldav({ url: closed.url })), 422, 'CALENDAR_UNREACHABLE');
  problem(await connect('c1', caldav({ kind: 'ical' })), 400, 'UNKNOWN_CALENDAR_KIND');
  problem(await connect('c1', caldav({ url: 'ftp://dav.example/' })), 400, 'INVALID_CALENDAR_URL');
  problem(await connect('c1', { kind: 'caldav', url: radicale.url, username: USER }), 400, 'INVALID_REQUEST');
  problem(await connect('c1', caldav({ color: 'red' })), 400, 'INVALID_REQUEST');
  problem(await connect('c1', caldav({ username: 5 })), 400, 'INVALID_REQUEST');
  problem(await connect('c1', caldav({ password: 'x'.repeat(5000) })), 400, 'INVALID_REQUEST');
  problem(await connect('c1', caldav({ url: `${radicale.url}${'a'.repeat(3000)}` })), 400, 'INVALID_REQUEST');
  problem(await connect('c1', caldav({ url: 'http://exa mple/' })), 400, 'INVALID_CALENDAR_URL');
  problem(await connect('c1', { kind: ['caldav'] }), 400, 'INVALID_REQUEST');
  problem(await request(server.url, 'POST', '/v1/providers/c1/calendars', { body: '[1,', headers: bearer }), 400, 'INVALID_REQUEST');
  problem(await request(server.url, 'POST', '/v1/providers/c1/calendars', { body: caldav() }), 401, 'UNAUTHORIZED');
  problem(await connect('ghost', caldav()), 404, 'UNKNOWN_PROVIDER');

  const made = await connect('c1', caldav());
  assert.equal(made.status, 201, made.text);
  assert.match(made.json.id, /^cal_/);
  const names = made.json.calendars.map((c) => c.name).sort();
  assert.deepEqual(names, ['Bookings', 'Home', 'Later', 'Work']);
  const listed = await request(server.url, 'GET', '/v1/providers/c1/calendars', { headers: bearer });
  assert.equal(listed.status, 200);
  assert.equal(listed.headers['cache-control'], 'no-store');
  assert.ok(!listed.text.includes(PASSWORD), 'the password is never shown');
  const [c] = listed.json.connections;
  assert.equal(c.id, made.json.id);
  assert.equal(c.kind, 'caldav');
  assert.equal(c.url, radicale.url);
  assert.equal(c.account, USER);
  assert.ok(c.calendars.every((x) => x.check === true && x.write_to === false));
  // Stored sealed: the database holds no password either.
  const stored = db.sql(`SELECT credentials_sealed, calendars FROM calendar_connections WHERE id = '${made.json.id}'`);
  assert.ok(!stored[0].join('|').includes(PASSWORD));

  const work = made.json.calendars.find((x) => x.name === 'Work').href;
  problem(await request(server.url, 'PATCH', `/v1/providers/c1/calendars/${made.json.id}`, { body: { check: ['/nope/'] }, headers: bearer }), 400, 'UNKNOWN_CALENDAR');
  problem(await request(server.url, 'PATCH', `/v1/providers/c1/calendars/${made.json.id}`, { body: { write_to: 7 }, headers: bearer }), 400, 'UNKNOWN_CALENDAR');
  problem(await request(server.url, 'PATCH', `/v1/providers/c1/calendars/cal_nope`, { body: {}, headers: bearer }), 404, 'UNKNOWN_CALENDAR_CONNECTION');
  problem(await request(server.url, 'PATCH', `/v1/providers/c1/calendars/${made.json.id}`, { body: { check: work }, headers: bearer }), 400, 'INVALID_REQUEST');
  problem(await request(server.url, 'PATCH', `/v1/providers/c1/calendars/${made.json.id}`, { body: { name: 'x' }, headers: bearer }), 400, 'INVALID_REQUEST');
  problem(await request(server.url, 'PATCH', `/v1/providers/c1/calendars/${made.json.id}`, { body: '"x"', headers: bearer }), 400, 'INVALID_REQUEST');
  problem(await request(server.url, 'POST', `/v1/providers/c1/calendars/bad%20id/sync`, { headers: bearer }), 404, 'NOT_FOUND');
  const patched = await request(server.url, 'PATCH', `/v1/providers/c1/calendars/${made.json.id}`, { body: { check: [work], write_to: work }, headers: bearer });
  assert.equal(patched.status, 200, patched.text);
  assert.deepEqual(patched.json.calendars.filter((x) => x.check).map((x) => x.href), [work]);
  assert.deepEqual(patched.json.calendars.filter((x) => x.write_to).map((x) => x.href), [work]);
  const gone = await request(server.url, 'DELETE', `/v1/providers/c1/calendars/${made.json.id}`, { headers: bearer });
  assert.equal(gone.status, 204);
  problem(await request(server.url, 'DELETE', `/v1/providers/c1/calendars/${made.json.id}`, { headers: bearer }), 404, 'UNKNOWN_CALENDAR_CONNECTION');
});

test('busy, recurring (an exception date, a moved occurrence), all-day, transparent and cancelled events shape the slots exactly', async () => {
  await putProvider(server.url, 'c2');
  await radicale.putEvent(USER, 'work', 'dentist.ics', ics('dentist', ['SUMMARY:Dentist Dr. Secret', 'DTSTART:20261124T090000Z', 'DTEND:20261124T100000Z']));
  // Daily at 12:00 UTC for three days; the 25th is excepted, the 26th moved to 15:00.
  await radicale.putEvent(USER, 'work', 'lunch.ics', [
    'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotwise tests//EN',
    'BEGIN:VEVENT', 'UID:lunch', 'DTSTAMP:20261101T000000Z', 'SUMMARY:Lunch', 'DTSTART:20261124T120000Z', 'DURATION:PT30M',
    'RRULE:FREQ=DAILY;COUNT=3', 'EXDATE:20261125T120000Z', 'END:VEVENT',
    'BEGIN:VEVENT', 'UID:lunch', 'DTSTAMP:20261101T000000Z', 'SUMMARY:Lunch', 'RECURRENCE-ID:20261126T120000Z',
    'DTSTART:20261126T150000Z', 'DTEND:20261126T153000Z', 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n'));
  await radicale.putEvent(USER, 'home', 'away.ics', ics('away', ['SUMMARY:Away', 'DTSTART;VALUE=DATE:20261127', 'DTEND;VALUE=DATE:20261128']));
  await radicale.putEvent(USER, 'home', 'free.ics', ics('free', ['SUMMARY:Maybe', 'DTSTART:20261124T140000Z', 'DTEND:20261124T150000Z', 'TRANSP:TRANSPARENT']));
  await radicale.putEvent(USER, 'home', 'off.ics', ics('off', ['SUMMARY:Called off', 'DTSTART:20261124T160000Z', 'DTEND:20261124T170000Z', 'STATUS:CANCELLED']));
  const before24 = await slots('c2', '2026-11-24');
  for (const t of ['09:00', '09:30', '12:00', '14:00', '16:00']) assert.ok(before24.includes(`2026-11-24T${t}:00Z`), t);

  const made = await connect('c2', caldav());
  assert.equal(made.status, 201, made.text);
  const done = await sync('c2', made.json.id);
  assert.equal(done.status, 200, done.text);
  assert.equal(done.json.synced, true, done.text);
  assert.equal(done.json.connection.status, 'ok');
  assert.ok(done.json.connection.last_sync_at);

  const d24 = await slots('c2', '2026-11-24');
  for (const t of ['09:00', '09:30', '12:00']) assert.ok(!d24.includes(`2026-11-24T${t}:00Z`), `busy at ${t}`);
  for (const t of ['08:30', '10:00', '12:30', '14:00', '14:30', '16:00', '16:30']) assert.ok(d24.includes(`2026-11-24T${t}:00Z`), `free at ${t}`);
  const d25 = await slots('c2', '2026-11-25');
  assert.ok(d25.includes('2026-11-25T12:00:00Z'), 'the exception date blocks nothing');
  const d26 = await slots('c2', '2026-11-26');
  assert.ok(d26.includes('2026-11-26T12:00:00Z'), 'the moved occurrence left its old time');
  assert.ok(!d26.includes('2026-11-26T15:00:00Z'), 'and blocks its new one');
  assert.deepEqual(await slots('c2', '2026-11-27'), [], 'an all-day event blocks the provider\'s whole day');
  assert.ok((await slots('c2', '2026-11-28')).length > 0);

  // The snapshot shows plain busy intervals, never the titles.
  const snap = await request(server.url, 'GET', '/v1/providers/c2/snapshot?from=2026-11-24&to=2026-11-27');
  assert.equal(snap.status, 200);
  assert.ok(snap.json.busy.some((b) => b.start === '2026-11-24T09:00:00Z' && b.end === '2026-11-24T10:00:00Z'), snap.text);
  for (const title of ['Dentist', 'Lunch', 'Away']) assert.ok(!snap.text.includes(title));
  // The authoritative check: a booking over an outside busy time is SLOT_TAKEN.
  problem(await book(server.url, { provider: 'c2', service: 's30', start: '2026-11-24T09:30:00Z', client: client(1) }), 409, 'SLOT_TAKEN');
  const early = (await book(server.url, { provider: 'c2', service: 's30', start: '2026-11-24T08:00:00Z', client: client(2) })).json.booking;
  problem(await request(server.url, 'POST', `/v1/bookings/${early.id}/reschedule?token=${early.manage_token}`, { body: { start: '2026-11-24T09:00:00Z' } }), 409, 'SLOT_TAKEN');

  // A change is read incrementally: the dentist moves, its old time frees.
  await radicale.putEvent(USER, 'work', 'dentist.ics', ics('dentist', ['SUMMARY:Dentist', 'DTSTART:20261124T100000Z', 'DTEND:20261124T103000Z']));
  assert.equal((await sync('c2', made.json.id)).json.synced, true);
  const again = await slots('c2', '2026-11-24');
  assert.ok(again.includes('2026-11-24T09:00:00Z') && !again.includes('2026-11-24T10:00:00Z'));
  // Unchecking a calendar frees what it blocked.
  const work = made.json.calendars.find((x) => x.name === 'Work').href;
  const home = made.json.calendars.find((x) => x.name === 'Home').href;
  await request(server.url, 'PATCH', `/v1/providers/c2/calendars/${made.json.id}`, { body: { check: [work] }, headers: bearer });
  assert.ok((await slots('c2', '2026-11-27')).length > 0);
  await request(server.url, 'PATCH', `/v1/providers/c2/calendars/${made.json.id}`, { body: { check: [work, home] }, headers: bearer });
  assert.equal((await sync('c2', made.json.id)).json.synced, true);
  assert.deepEqual(await slots('c2', '2026-11-27'), []);
  await request(server.url, 'DELETE', `/v1/providers/c2/calendars/${made.json.id}`, { headers: bearer });
  assert.ok((await slots('c2', '2026-11-27')).length > 0, 'a removed connection blocks nothing');
});

test('a booking appears once in the chosen calendar, moves with a reschedule (also after a remote edit), disappears on cancel; a remote deletion leaves the booking alone', async () => {
  await putProvider(server.url, 'c3');
  const made = await connect('c3', caldav());
  const target = made.json.calendars.find((x) => x.name === 'Bookings').href;
  // Made before the calendar is chosen: written when it is.
  const early = (await book(server.url, { provider: 'c3', service: 's30', start: '2026-11-27T10:00:00Z', client: client(6) })).json.booking;
  const patched = await request(server.url, 'PATCH', `/v1/providers/c3/calendars/${made.json.id}`, { body: { check: [target], write_to: target }, headers: bearer });
  assert.equal(patched.status, 200, patched.text);
  const mine = async (id) => (await objects('bookings')).filter((o) => o.ics.includes(`UID:${id}@slotwise`));
  await until('the earlier booking\'s event', async () => (await mine(early.id)).length === 1);

  const a = (await book(server.url, { provider: 'c3', service: 's30', start: '2026-11-25T10:00:00Z', duration_minutes: 60, client: client(7) })).json.booking;
  assert.equal(a.status, 'CONFIRMED');
  let events = await until('the booking\'s event', async () => { const e = await mine(a.id); return e.length ? e : null; });
  assert.equal(events.length, 1);
  assert.equal(dtstart(events[0].ics), '20261125T100000Z');
  assert.match(events[0].ics.replace(/\r\n /g, ''), /Client 7/);
  assert.ok(!/METHOD:/.test(events[0].ics), 'a calendar object carries no METHOD');
  // Read back by sync, our own event does not block the booking's own moves
  // (10:30-11:00 lies inside the event's 10:00-11:00).
  // (The sync queued by the booking event may have read it already.)
  const read = await sync('c3', made.json.id);
  assert.equal(read.json.synced, true, read.text);
  const stored = db.sql(`SELECT href FROM calendar_objects WHERE ics LIKE '%UID:${a.id}@slotwise%'`);
  assert.equal(stored.length, 1, 'sync read our own event back');
  assert.equal(db.sql(`SELECT COUNT(*) FROM calendar_busy WHERE object_href = '${stored[0][0]}'`)[0][0], '0', 'and it blocks nothing');
  const moved = await request(server.url, 'POST', `/v1/bookings/${a.id}/reschedule?token=${a.manage_token}`, { body: { start: '2026-11-25T10:30:00Z', duration_minutes: 30 } });
  assert.equal(moved.status, 200, moved.text);
  events = await until('the moved event', async () => { const e = await mine(a.id); return e.length === 1 && dtstart(e[0].ics) === '20261125T103000Z' ? e : null; });
  assert.equal((await objects('bookings')).filter((o) => o.ics.includes('@slotwise')).length, 2, 'moved, not copied');

  // Someone edits the event meanwhile: the server's If-Match fails (412), it reads again and writes over the new version.
  const edited = events[0].ics.replace(/SUMMARY:[^\r\n]*/, 'SUMMARY:edited on the phone');
  const name = events[0].href.split('/').filter(Boolean).pop();
  const put = await radicale.putEvent(USER, 'bookings', name, edited);
  assert.ok(put.status === 201 || put.status === 204, String(put.status));
  const moved2 = await request(server.url, 'POST', `/v1/bookings/${a.id}/reschedule?token=${a.manage_token}`, { body: { start: '2026-11-25T12:00:00Z' } });
  assert.equal(moved2.status, 200, moved2.text);
  await until('the event rewritten after the ETag mismatch', async () => { const e = await mine(a.id); return e.length === 1 && dtstart(e[0].ics) === '20261125T120000Z'; });

  const cancelled = await request(server.url, 'POST', `/v1/bookings/${a.id}/cancel?token=${a.manage_token}`, { body: {} });
  assert.equal(cancelled.status, 200, cancelled.text);
  await until('the event removed on cancel', async () => (await mine(a.id)).length === 0);

  // The provider deletes a booking's event by hand: the booking stays, and keeps its time.
  const b = (await book(server.url, { provider: 'c3', service: 's30', start: '2026-11-26T10:00:00Z', client: client(8) })).json.booking;
  const [eb] = await until('the second booking\'s event', async () => { const e = await mine(b.id); return e.length ? e : null; });
  assert.ok([200, 204].includes(await radicale.deleteEvent(USER, 'bookings', eb.href.split('/').filter(Boolean).pop())));
  assert.equal((await sync('c3', made.json.id)).json.synced, true);
  const still = await request(server.url, 'GET', `/v1/bookings/${b.id}?token=${b.manage_token}`);
  assert.equal(still.status, 200);
  assert.equal(still.json.booking.status, 'CONFIRMED');
  assert.equal(still.json.booking.start, '2026-11-26T10:00:00Z');
  problem(await book(server.url, { provider: 'c3', service: 's30', start: '2026-11-26T10:00:00Z', client: client(9) }), 409, 'SLOT_TAKEN');
  await request(server.url, 'DELETE', `/v1/providers/c3/calendars/${made.json.id}`, { headers: bearer });
});

test('an unreachable calendar is reported (last_error, one mail per outage) and its last busy times stay in force', async () => {
  await putProvider(server.url, 'c4', providerConfig({ notifications: { provider_email: 'desk@c4.example' } }));
  const gate = await relay(radicale.port);
  await radicale.putEvent(USER, 'later', 'x.ics', ics('x', ['SUMMARY:Shift', 'DTSTART:20261130T090000Z', 'DTEND:20261130T100000Z']));
  const made = await connect('c4', caldav({ url: gate.url }));
  assert.equal(made.status, 201, made.text);
  const later = made.json.calendars.find((x) => x.name === 'Later').href;
  await request(server.url, 'PATCH', `/v1/providers/c4/calendars/${made.json.id}`, { body: { check: [later] }, headers: bearer });
  assert.equal((await sync('c4', made.json.id)).json.synced, true);
  assert.ok(!(await slots('c4', '2026-11-30')).includes('2026-11-30T09:00:00Z'));
  await gate.close();
  const mailsBefore = fs.readdirSync(mailDir).length;
  const failed = await sync('c4', made.json.id);
  assert.equal(failed.status, 200, failed.text);
  assert.equal(failed.json.synced, false);
  assert.equal(failed.json.error.code, 'CALENDAR_UNREACHABLE');
  assert.equal((await sync('c4', made.json.id)).json.synced, false);
  const listed = await request(server.url, 'GET', '/v1/providers/c4/calendars', { headers: bearer });
  const c = listed.json.connections[0];
  assert.equal(c.status, 'error');
  assert.equal(c.last_error.code, 'CALENDAR_UNREACHABLE');
  assert.ok(c.last_error.at && typeof c.last_error.detail === 'string');
  assert.ok(!(await slots('c4', '2026-11-30')).includes('2026-11-30T09:00:00Z'), 'the last known busy time still blocks');
  const outage = (f) => fs.readFileSync(path.join(mailDir, f), 'utf8');
  const mails = await until('the outage mail', () => {
    const m = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml') && /desk@c4\.example/.test(outage(f)) && /calendar cannot be reached/.test(outage(f)));
    return m.length ? m : null;
  });
  assert.ok(fs.readdirSync(mailDir).length > mailsBefore);
  assert.equal(mails.length, 1, 'one mail per outage, not per failed sync');
  await request(server.url, 'DELETE', `/v1/providers/c4/calendars/${made.json.id}`, { headers: bearer });
});

test('a sync killed by kill -9 is resumed from its stored token by the next process', async () => {
  await putProvider(server.url, 'c5');
  const gate = await relay(radicale.port);
  await radicale.makeCalendar(USER, 'kill', { name: 'Kill' });
  await radicale.putEvent(USER, 'kill', 'one.ics', ics('one', ['DTSTART:20261201T090000Z', 'DTEND:20261201T100000Z']));
  const made = await connect('c5', caldav({ url: gate.url }));
  const cal = made.json.calendars.find((x) => x.name === 'Kill').href;
  await request(server.url, 'PATCH', `/v1/providers/c5/calendars/${made.json.id}`, { body: { check: [cal] }, headers: bearer });
  assert.equal((await sync('c5', made.json.id)).json.synced, true);
  const token = () => JSON.parse(db.sql(`SELECT calendars FROM calendar_connections WHERE id = '${made.json.id}'`)[0][0]).find((x) => x.href === cal).token;
  const stored = token();
  assert.ok(stored, 'a token is stored after the first sync');
  // A change, then a sync held on the wire while its process is killed.
  await radicale.putEvent(USER, 'kill', 'two.ics', ics('two', ['DTSTART:20261201T120000Z', 'DTEND:20261201T130000Z']));
  gate.hold();
  const pending = sync('c5', made.json.id).catch(() => null);
  await until('the sync to reach the calendar server', () => gate.heldCount() > 0);
  await server.kill9();
  await pending;
  assert.equal(token(), stored, 'nothing half-applied: the token is the last complete one');
  gate.release();
  // SLOTWISE_NOW starts each process's clock afresh: the new one starts
  // later than the killed one got to, as a real restart would.
  server = await startServer(db, { args: args(), now: '2026-11-23T10:00:00Z' });
  // The killed sync's lease lapses (3 s here); then the next sync reads on from the stored token.
  const resumed = await sync('c5', made.json.id);
  assert.equal(resumed.status, 200, resumed.text);
  assert.equal(resumed.json.synced, true, resumed.text);
  assert.notEqual(token(), stored);
  const d = await slots('c5', '2026-12-01');
  assert.ok(!d.includes('2026-12-01T09:00:00Z') && !d.includes('2026-12-01T12:00:00Z'), JSON.stringify(d));
  await request(server.url, 'DELETE', `/v1/providers/c5/calendars/${made.json.id}`, { headers: bearer });
  await gate.close();
});

test('the secret feed: held, pending and confirmed bookings in UTC with the client\'s name; rotating it retires the old URL at once', async () => {
  const config = providerConfig();
  config.services.push({ id: 'v', name: 'Checkup (verified)', durations: [30], min_notice_minutes: 60, max_advance_days: 90,
    price: { amount: 5000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: false,
    verify_client_email: true });
  await putProvider(server.url, 'c6', config);
  problem(await request(server.url, 'POST', '/v1/providers/c6/calendar-feed'), 401, 'UNAUTHORIZED');
  const first = await request(server.url, 'POST', '/v1/providers/c6/calendar-feed', { headers: bearer });
  assert.equal(first.status, 201, first.text);
  assert.match(first.json.url, /\/v1\/calendar-feeds\/[a-z2-7]{32}\.ics$/);
  const yes = (await book(server.url, { provider: 'c6', service: 's30', start: slotAt(2, 60), client: client(11) })).json.booking;
  const asked = (await book(server.url, { provider: 'c6', service: 'video', start: slotAt(2, 120), client: client(12) })).json.booking;
  assert.equal(asked.status, 'PENDING');
  const held = (await book(server.url, { provider: 'c6', service: 'v', start: slotAt(2, 180), client: client(14) })).json.booking;
  assert.equal(held.status, 'HELD');
  const no = (await book(server.url, { provider: 'c6', service: 's30', start: slotAt(3, 60), client: client(13) })).json.booking;
  await request(server.url, 'POST', `/v1/bookings/${no.id}/cancel?token=${no.manage_token}`, { body: {} });
  const feedPath = new URL(first.json.url).pathname;
  const feed = await request(server.url, 'GET', feedPath);
  assert.equal(feed.status, 200, feed.text);
  assert.match(feed.headers['content-type'], /^text\/calendar/);
  assert.match(feed.headers['cache-control'], /no-store|private/);
  const text = feed.text.replace(/\r\n[ \t]/g, '');
  assert.ok(text.startsWith('BEGIN:VCALENDAR\r\n') && text.trimEnd().endsWith('END:VCALENDAR'));
  assert.equal((text.match(/BEGIN:VEVENT/g) || []).length, 3, text);
  assert.ok(text.includes(`UID:${yes.id}@slotwise`) && text.includes(`UID:${asked.id}@slotwise`) && !text.includes(no.id));
  assert.ok(text.includes(`UID:${held.id}@slotwise`), 'a HELD booking is in the feed');
  assert.ok(/SUMMARY:[^\r\n]*Client 11/.test(text) && /SUMMARY:[^\r\n]*Client 12/.test(text), text);
  assert.ok(text.includes(`DTSTART:${asUtc(slotAt(2, 60))}`), text);
  for (const line of text.split('\r\n').filter((l) => /^DT(?:START|END)[;:]/.test(l))) assert.match(line, /^DT(?:START|END):\d{8}T\d{6}Z$/);
  const second = await request(server.url, 'POST', '/v1/providers/c6/calendar-feed', { headers: bearer });
  assert.equal(second.status, 201);
  assert.notEqual(second.json.url, first.json.url);
  problem(await request(server.url, 'GET', feedPath), 404, 'NOT_FOUND');
  assert.equal((await request(server.url, 'GET', new URL(second.json.url).pathname)).status, 200);
  problem(await request(server.url, 'GET', '/v1/calendar-feeds/nope.ics'), 404, 'NOT_FOUND');
});

test('an account reaches only its own providers\' calendars and feed', async () => {
  const owner = await signIn(server, 'cal-owner@example.com');
  const stranger = await signIn(server, 'cal-stranger@example.com');
  const config = providerConfig();
  config.services = config.services.filter((x) => x.id === 's30');
  const put = await request(server.url, 'PUT', '/v1/providers/owned-cal', { body: config, headers: { authorization: `Bearer ${owner.token}` } });
  assert.equal(put.status, 201, put.text);
  const as = (who) => ({ authorization: `Bearer ${who.token}` });
  const made = await request(server.url, 'POST', '/v1/providers/owned-cal/calendars', { body: caldav(), headers: as(owner) });
  assert.equal(made.status, 201, made.text);
  const id = made.json.id;
  for (const [method, p, body] of [
    ['GET', '/v1/providers/owned-cal/calendars'], ['POST', '/v1/providers/owned-cal/calendars', caldav()],
    ['PATCH', `/v1/providers/owned-cal/calendars/${id}`, { write_to: null }], ['POST', `/v1/providers/owned-cal/calendars/${id}/sync`],
    ['DELETE', `/v1/providers/owned-cal/calendars/${id}`], ['POST', '/v1/providers/owned-cal/calendar-feed'],
  ]) problem(await request(server.url, method, p, { body, headers: as(stranger) }), 404, 'UNKNOWN_PROVIDER');
  // Nor through a provider of its own: a connection id belongs to one provider.
  assert.equal((await request(server.url, 'PUT', '/v1/providers/stranger-cal', { body: config, headers: as(stranger) })).status, 201);
  problem(await request(server.url, 'POST', `/v1/providers/stranger-cal/calendars/${id}/sync`, { headers: as(stranger) }), 404, 'UNKNOWN_CALENDAR_CONNECTION');
  problem(await request(server.url, 'DELETE', `/v1/providers/stranger-cal/calendars/${id}`, { headers: as(stranger) }), 404, 'UNKNOWN_CALENDAR_CONNECTION');
  const listed = await request(server.url, 'GET', '/v1/providers/owned-cal/calendars', { headers: as(owner) });
  assert.equal(listed.json.connections.length, 1);
});
