// The CalDAV client (server-stub/src/adapters/caldav_client.*) against a real
// Radicale, through caldav_probe: discovery from a root, principal, calendar
// or well-known URL; credentials; sync-collection with its tokens; the
// CTag + calendar-query fallback (Radicale behind a proxy that refuses
// sync-collection); writes with If-None-Match / If-Match; and servers that
// answer badly or point elsewhere. Busy times read back through
// domain/calendar_busy close the loop.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startRadicale } from './radicale.mjs';

const PROBE = process.env.CALDAV_PROBE || path.resolve('../../build/bin/caldav_probe');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slotwise-caldav-'));
let radicale;

function probe(args, { allowPrivate = true } = {}) {
  return new Promise((resolve, reject) => {
    execFile(PROBE, [...(allowPrivate ? ['--allow-private'] : []), ...args], { timeout: 60000 }, (error, stdout, stderr) => {
      if (error && error.code !== 3) return reject(new Error(`caldav_probe ${args.join(' ')}: ${error.message} ${stderr}`));
      resolve(JSON.parse(stdout));
    });
  });
}
const as = (url, user = 'alice', password = 'alice-pw') => (...rest) => probe([url, user, password, ...rest]);

function ics(uid, lines) {
  return ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//slotwise tests//EN', 'BEGIN:VEVENT', `UID:${uid}`,
    'DTSTAMP:20260101T000000Z', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');
}
function icsFile(name, text) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}
const uidsOf = (changes) => changes.changed.map((o) => /UID:(.*)\r\n/.exec(o.ics)[1]).sort();

// A plain HTTP server answering as `handler` says, for the misbehaving-server cases.
async function fakeServer(handler) {
  const requests = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { requests.push({ method: req.method, url: req.url, headers: req.headers, body }); handler(req, res, body); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}/`, port: server.address().port, requests, close: () => new Promise((r) => server.close(r)) };
}

before(async () => {
  radicale = await startRadicale({ users: { alice: 'alice-pw', bob: 'bob-pw' } });
  await radicale.makeCalendar('alice', 'work', { name: 'Work' });
  await radicale.makeCalendar('alice', 'home', { name: 'Home & Family' });
  await radicale.makeCalendar('alice', 'tasks', { name: 'Tasks', components: ['VTODO'] });
  await radicale.makeCalendar('bob', 'private', { name: 'Bob private' });
});
after(async () => {
  await radicale?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('discovery finds the VEVENT calendars from a root, principal or well-known URL, and a typed calendar alone', async () => {
  const expected = [
    { href: radicale.calendarUrl('alice', 'home'), name: 'Home & Family', writable: true },
    { href: radicale.calendarUrl('alice', 'work'), name: 'Work', writable: true },
  ];
  const byHref = (a, b) => a.href.localeCompare(b.href);
  for (const url of [radicale.url, `${radicale.url}alice/`, `${radicale.url}.well-known/caldav`, radicale.url.replace(/\/$/, '')]) {
    const list = await as(url)('list');
    assert.deepEqual(list.sort(byHref), expected, url);
  }
  assert.deepEqual(await as(radicale.calendarUrl('alice', 'work'))('list'), [expected[1]]);
  // A calendar of tasks only takes no events: the account's event calendars are offered instead.
  assert.deepEqual((await as(radicale.calendarUrl('alice', 'tasks'))('list')).sort(byHref), expected);
  // Bob sees only his own.
  assert.deepEqual((await as(radicale.url, 'bob', 'bob-pw')('list')).map((c) => c.name), ['Bob private']);
});

test('wrong credentials are auth_failed; a closed port and a refused private address are unreachable', async () => {
  assert.equal((await as(radicale.url, 'alice', 'wrong')('list')).error, 'auth_failed');
  assert.equal((await as(radicale.url, 'mallory', 'x')('list')).error, 'auth_failed');
  // Alice's password does not open Bob's calendar (Radicale's owner_only rights answer 403).
  const other = await as(radicale.calendarUrl('bob', 'private'))('changes', radicale.calendarUrl('bob', 'private'), '');
  assert.equal(other.error, 'auth_failed', JSON.stringify(other));

  const closed = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
  assert.equal((await as(`http://127.0.0.1:${closed}/`)('list')).error, 'unreachable');
  const refused = await probe([radicale.url, 'alice', 'alice-pw', 'list'], { allowPrivate: false });
  assert.equal(refused.error, 'unreachable');
  assert.match(refused.detail, /refused/);
  assert.equal((await as('ftp://example.com/')('list')).error, 'rejected');
});

test('sync-collection: everything first, then only what changed; an unknown token is sync_token_expired', async () => {
  const cal = radicale.calendarUrl('alice', 'work');
  const alice = as(radicale.url);
  await radicale.putEvent('alice', 'work', 'a.ics', ics('a', ['DTSTART:20261201T100000Z', 'DURATION:PT1H']));
  await radicale.putEvent('alice', 'work', 'b.ics', ics('b', ['DTSTART:20261202T100000Z', 'DURATION:PT1H']));

  const first = await alice('changes', cal, '');
  assert.equal(first.full, true);
  assert.deepEqual(uidsOf(first), ['a', 'b']);
  assert.deepEqual(first.removed, []);
  assert.match(first.next_token, /^sync:/);
  for (const o of first.changed) {
    assert.ok(o.href.startsWith(cal) && o.etag, JSON.stringify(o));
    assert.equal(o.ics, (await radicale.getEvent('alice', 'work', path.basename(o.href))).body);
  }

  const quiet = await alice('changes', cal, first.next_token);
  assert.deepEqual({ changed: quiet.changed, removed: quiet.removed, full: quiet.full }, { changed: [], removed: [], full: false });

  await radicale.putEvent('alice', 'work', 'a.ics', ics('a', ['DTSTART:20261201T110000Z', 'DURATION:PT1H']));
  await radicale.deleteEvent('alice', 'work', 'b.ics');
  await radicale.putEvent('alice', 'work', 'c d.ics', ics('c', ['DTSTART:20261203T100000Z', 'DURATION:PT1H']));
  const next = await alice('changes', cal, quiet.next_token);
  assert.equal(next.full, false);
  assert.deepEqual(uidsOf(next), ['a', 'c']);
  assert.match(next.changed.find((o) => o.ics.includes('UID:a')).ics, /DTSTART:20261201T110000Z/);
  assert.deepEqual(next.removed, [`${cal}b.ics`]);

  assert.equal((await alice('changes', cal, 'sync:http://radicale.org/ns/sync/0000')).error, 'sync_token_expired');
  assert.equal((await alice('changes', radicale.calendarUrl('alice', 'gone'), '')).error, 'not_found');
  for (const name of ['a.ics', 'c d.ics']) await radicale.deleteEvent('alice', 'work', name);
});

test('put_event creates only when absent and replaces only the version it names; delete likewise', async () => {
  const cal = radicale.calendarUrl('alice', 'home');
  const alice = as(radicale.url);
  const uid = 'booking-42@slotwise.example';
  const v1 = icsFile('v1.ics', ics(uid, ['DTSTART:20261210T090000Z', 'DTEND:20261210T100000Z', 'SUMMARY:Haircut']));
  const v2 = icsFile('v2.ics', ics(uid, ['DTSTART:20261210T130000Z', 'DTEND:20261210T140000Z', 'SUMMARY:Haircut']));

  const created = await alice('put', cal, uid, v1);
  assert.equal(created.href, `${cal}booking-42@slotwise.example.ics`);
  assert.ok(created.etag);
  assert.equal((await radicale.getEvent('alice', 'home', path.basename(created.href))).status, 200);
  assert.equal((await alice('put', cal, uid, v1)).error, 'precondition_failed');  // already there

  const moved = await alice('put', cal, uid, v2, created.etag);
  assert.ok(moved.etag && moved.etag !== created.etag);
  assert.match((await radicale.getEvent('alice', 'home', path.basename(created.href))).body, /DTSTART:20261210T130000Z/);
  assert.equal((await alice('put', cal, uid, v1, created.etag)).error, 'precondition_failed');  // stale version

  assert.equal((await alice('delete', created.href, created.etag)).error, 'precondition_failed');
  assert.deepEqual(await alice('delete', created.href, moved.etag), {});
  assert.equal((await radicale.getEvent('alice', 'home', path.basename(created.href))).status, 404);
  assert.deepEqual(await alice('delete', created.href), {});  // already gone is fine

  // A UID with characters that are not path-safe is spelled in hex (servers disagree on an encoded '/').
  const odd = await alice('put', cal, 'a b/c?', icsFile('odd.ics', ics('a b/c?', ['DTSTART:20261211T090000Z', 'DURATION:PT1H'])));
  assert.equal(odd.href, `${cal}x-6120622f633f.ics`, JSON.stringify(odd));
  assert.deepEqual(await alice('delete', odd.href), {});
  assert.equal((await alice('put', radicale.calendarUrl('alice', 'gone'), uid, v1)).error, 'not_found');
  assert.equal((await as(radicale.url, 'alice', 'wrong')('put', cal, uid, v1)).error, 'auth_failed');
});

test('without sync-collection: the CTag, a calendar-query over a time range, and calendar-multiget', async () => {
  // Radicale behind a proxy that refuses sync-collection the way a server without it does (RFC 3253 supported-report).
  const target = new URL(radicale.url);
  const seen = [];
  let refuseWith = 403;
  const proxy = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const report = req.method === 'REPORT' ? /<[A-Za-z]*:?(sync-collection|calendar-query|calendar-multiget)/.exec(body)?.[1] : null;
      seen.push(report || req.method);
      if (report === 'sync-collection') {
        // Both ways servers say it: RFC 3253's supported-report precondition, or 501 for an unknown REPORT.
        if (refuseWith === 501) {
          res.writeHead(501);
          res.end();
        } else {
          res.writeHead(403, { 'content-type': 'application/xml' });
          res.end('<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:supported-report/></D:error>');
        }
        return;
      }
      const up = http.request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode, r.headers);
        r.pipe(res);
      });
      up.end(body);
    });
  });
  await new Promise((r) => proxy.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${proxy.address().port}/`;
  try {
    const cal = `${base}alice/work/`;
    const alice = as(base);
    const soon = new Date(Date.now() + 3 * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    await radicale.putEvent('alice', 'work', 'soon.ics', ics('soon', [`DTSTART:${soon}T100000Z`, 'DURATION:PT1H']));
    // Far beyond the query's range: not read.
    await radicale.putEvent('alice', 'work', 'far.ics', ics('far', ['DTSTART:20450101T100000Z', 'DURATION:PT1H']));

    const first = await alice('changes', cal, '');
    assert.equal(first.full, true);
    assert.deepEqual(uidsOf(first), ['soon']);
    assert.match(first.next_token, /^ctag:./);
    assert.deepEqual(seen.filter((s) => s !== 'PROPFIND'), ['sync-collection', 'calendar-query', 'calendar-multiget']);

    const quiet = await alice('changes', cal, first.next_token);
    assert.deepEqual(quiet, { changed: [], removed: [], full: false, next_token: first.next_token });

    const later = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10).replace(/-/g, '');
    await radicale.putEvent('alice', 'work', 'later.ics', ics('later', [`DTSTART:${later}T100000Z`, 'DURATION:PT1H']));
    const next = await alice('changes', cal, first.next_token);
    assert.equal(next.full, true);
    assert.deepEqual(uidsOf(next), ['later', 'soon']);
    assert.notEqual(next.next_token, first.next_token);

    refuseWith = 501;
    assert.deepEqual(uidsOf(await alice('changes', cal, '')), ['later', 'soon']);

    // The caller's window (sync's, on the server's clock) replaces the default range.
    const wide = await alice('changes', cal, '', '2044-12-31T00:00:00Z', '2045-01-02T00:00:00Z');
    assert.deepEqual(uidsOf(wide), ['far']);
    for (const name of ['soon.ics', 'far.ics', 'later.ics']) await radicale.deleteEvent('alice', 'work', name);
  } finally {
    await new Promise((r) => proxy.close(r));
  }
});

test('busy times read back from Radicale through calendar_busy', async () => {
  await radicale.putEvent('alice', 'home', 'weekly.ics', ics('weekly', [
    'DTSTART;TZID=Europe/Berlin:20260321T100000', 'DTEND;TZID=Europe/Berlin:20260321T110000', 'RRULE:FREQ=WEEKLY;COUNT=3',
  ]));
  await radicale.putEvent('alice', 'home', 'free.ics', ics('free', ['DTSTART:20260322T100000Z', 'DURATION:PT1H', 'TRANSP:TRANSPARENT']));
  try {
    const busy = await as(radicale.url)('busy', radicale.calendarUrl('alice', 'home'), '2026-03-01T00:00:00Z', '2026-04-30T00:00:00Z', 'Europe/Berlin');
    assert.deepEqual(busy.spans, [
      ['2026-03-21T09:00:00Z', '2026-03-21T10:00:00Z'],
      ['2026-03-28T09:00:00Z', '2026-03-28T10:00:00Z'],
      ['2026-04-04T08:00:00Z', '2026-04-04T09:00:00Z'],  // after the change to summer time
    ]);
    assert.deepEqual(busy.uids.sort(), ['free', 'weekly']);
    assert.equal(busy.skipped, 0);
  } finally {
    await radicale.deleteEvent('alice', 'home', 'weekly.ics');
    await radicale.deleteEvent('alice', 'home', 'free.ics');
  }
});

test('a server pointing to another origin over plain http gets no credentials there; broken XML is unreachable, not a crash', async () => {
  let port;
  const multistatus = (inner) => `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${inner}</d:multistatus>`;
  const fake = await fakeServer((req, res) => {
    if (req.url === '/') {
      res.writeHead(207, { 'content-type': 'application/xml' });
      // "localhost" is another origin than "127.0.0.1", though the same machine.
      res.end(multistatus(`<d:response><d:href>/</d:href><d:propstat><d:prop><d:current-user-principal><d:href>http://localhost:${port}/elsewhere/</d:href></d:current-user-principal></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`));
    } else if (req.url === '/moved/') {
      res.writeHead(301, { location: `http://localhost:${port}/elsewhere/` });
      res.end();
    } else if (req.url === '/slow-down/') {
      res.writeHead(429, { 'retry-after': '60' });
      res.end();
    } else if (req.url === '/down/') {
      res.writeHead(503);
      res.end();
    } else if (req.url.startsWith('/.well-known/')) {
      res.writeHead(404);
      res.end();
    } else if (req.url === '/deep/') {
      res.writeHead(207, { 'content-type': 'application/xml' });
      res.end(multistatus('<d:response>'.repeat(5000) + '</d:response>'.repeat(5000)));
    } else if (req.url === '/entity/') {
      res.writeHead(207, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><d:multistatus xmlns:d="DAV:">&a;</d:multistatus>');
    } else {
      res.writeHead(207, { 'content-type': 'application/xml' });
      res.end('<d:multistatus xmlns:d="DAV:"><d:response>');
    }
  });
  port = fake.port;
  try {
    for (const start of [fake.url, `${fake.url}moved/`]) {
      const result = await as(start)('list');
      assert.equal(result.error, 'not_found', JSON.stringify(result));
    }
    for (const where of ['slow-down/', 'down/']) assert.equal((await as(fake.url)('changes', `${fake.url}${where}`, '')).error, 'unreachable', where);
    assert.ok(fake.requests.every((r) => !r.url.startsWith('/elsewhere')), JSON.stringify(fake.requests.map((r) => r.url)));
    for (const where of ['deep/', 'entity/', 'truncated/']) {
      const r = await as(fake.url)('changes', `${fake.url}${where}`, '');
      assert.equal(r.error, 'unreachable', `${where}: ${JSON.stringify(r)}`);
    }
  } finally {
    await fake.close();
  }
});

test('a truncated sync-collection (507 on the collection) is asked again from its token until complete', async () => {
  const calendarData = (uid) => ics(uid, ['DTSTART:20261201T100000Z', 'DURATION:PT1H']);
  const ok = (href, props) => `<d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`;
  const status = (href, code) => `<d:response><d:href>${href}</d:href><d:status>HTTP/1.1 ${code} X</d:status></d:response>`;
  const pages = {
    '': [ok('/cal/a.ics', '<d:getetag>"1"</d:getetag>') + status('/cal/', 507), 't1'],
    t1: [ok('/cal/b%20c.ics', '<d:getetag>"2"</d:getetag>') + status('/cal/gone.ics', 404) + ok('/cal/', '<d:getetag>"c"</d:getetag>'), 't2'],
    t2: [status('/cal/a.ics', 404), 't3'],
  };
  const fake = await fakeServer((req, res, body) => {
    if (req.headers.authorization !== 'Basic ' + Buffer.from('alice:alice-pw').toString('base64')) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="x"' });
      return res.end();
    }
    res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' });
    if (body.includes('sync-collection')) {
      assert.equal(req.headers.depth, '0');
      const token = /<D:sync-token>(.*?)<\/D:sync-token>/.exec(body)?.[1] ?? '';
      const [inner, next] = pages[token];
      return res.end(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${inner}<d:sync-token>${next}</d:sync-token></d:multistatus>`);
    }
    // calendar-multiget: one object as CDATA, the other escaped, as servers do either.
    const hrefs = [...body.matchAll(/<D:href>(.*?)<\/D:href>/g)].map((m) => m[1]);
    const items = hrefs.map((h) => {
      const uid = h.includes('a.ics') ? 'a' : 'b';
      const data = uid === 'a' ? `<![CDATA[${calendarData(uid)}]]>` : calendarData(uid).replace(/\r/g, '&#13;');
      return ok(h, `<d:getetag>"${uid}"</d:getetag><C:calendar-data xmlns:C="urn:ietf:params:xml:ns:caldav">${data}</C:calendar-data>`);
    });
    res.end(`<?xml version="1.0"?><d:multistatus xmlns:d="DAV:">${items.join('')}</d:multistatus>`);
  });
  try {
    const cal = `${fake.url}cal/`;
    const first = await as(fake.url)('changes', cal, '');
    assert.equal(first.full, true);
    assert.deepEqual(first.changed.map((o) => [o.href, o.etag]), [[`${cal}a.ics`, '"a"'], [`${cal}b%20c.ics`, '"b"']]);
    assert.equal(first.changed[0].ics, calendarData('a'));
    assert.equal(first.changed[1].ics, calendarData('b'));
    assert.deepEqual(first.removed, []);
    assert.equal(first.next_token, 'sync:t2');
    const next = await as(fake.url)('changes', cal, first.next_token);
    assert.deepEqual({ changed: next.changed, removed: next.removed, full: next.full, next_token: next.next_token },
      { changed: [], removed: [`${cal}a.ics`], full: false, next_token: 'sync:t3' });
  } finally {
    await fake.close();
  }
});
