// The confirm and decline links of the provider's "request waiting" mail
// (server-stub/src/notifications/action_links.h): signed, expiring, acting
// once, and never acting on a GET (mail scanners follow links). The links
// here are made by an implementation of their own (Node's HKDF and HMAC over
// the documented token), so a server that signed with another key or over
// other bytes fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { admin, book, cleanupAll, client, freshDatabase, problem, putProvider, request, slotAt, startServer } from './harness.mjs';

after(cleanupAll);

const SECRET = 'action-links-test-secret-0123456789abcdef';
const KEY = Buffer.from(crypto.hkdfSync('sha256', SECRET, 'slotwise action links v1', 'confirm and decline links', 32));

// <booking id>-<c|d>-<expiry, Unix seconds>-<link id>-<hex HMAC-SHA256 of "slotwise link v1|" + the part before it>
function linkToken(bookingId, action, expiresSeconds, linkId = crypto.randomBytes(8).toString('hex')) {
  const unsigned = `${bookingId}-${action === 'confirm' ? 'c' : 'd'}-${expiresSeconds}-${linkId}`;
  return `${unsigned}-${crypto.createHmac('sha256', KEY).update(`slotwise link v1|${unsigned}`).digest('hex')}`;
}

const JSON_ACCEPT = { accept: 'application/json' };
const HTML_ACCEPT = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };

let db, srv, slot = 0;
before(async () => {
  db = await freshDatabase();
  srv = await startServer(db, { env: { SLOTWISE_SECRET: SECRET }, args: ['--pending-cap', '1000', '--open-bookings-cap', '1000'] });
  await putProvider(srv.url, 'p1');
});

// A PENDING request (the 'video' service asks the provider to confirm) and the expiry the server gave it.
async function pendingRequest() {
  const r = await book(srv.url, { provider: 'p1', service: 'video', start: slotAt(2, 60 + 30 * slot++), client: client(slot) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.booking.status, 'PENDING');
  const [[expires]] = db.sql(`SELECT expires_at FROM bookings WHERE id = '${r.json.booking.id}'`);
  return { id: r.json.booking.id, expires: Number(expires) };
}

const status = async (id) => (await request(srv.url, 'GET', `/v1/providers/p1/bookings?from=2026-11-20&to=2026-12-30`, { headers: admin }))
  .json.bookings.find((b) => b.id === id).status;
const link = (token) => `/v1/booking-actions/${token}`;

test('GET shows the page and its button and changes nothing; the POST confirms; a second use is LINK_USED', async () => {
  const b = await pendingRequest();
  const token = linkToken(b.id, 'confirm', b.expires);
  for (let i = 0; i < 3; i++) {
    const page = await request(srv.url, 'GET', link(token), { headers: HTML_ACCEPT });
    assert.equal(page.status, 200, page.text);
    assert.match(page.headers['content-type'], /^text\/html/);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');
    assert.equal(page.headers['cache-control'], 'no-store');
    assert.match(page.text, /<form method="post" action="\/v1\/booking-actions\/[^"]+"><button type="submit">Confirm the booking<\/button><\/form>/);
    assert.doesNotMatch(page.text, /<script/i);
    assert.match(page.text, /Video call/);
    // A scanner's HEAD and a JSON client's GET do not act either.
    assert.equal((await request(srv.url, 'HEAD', link(token))).status, 200);
    const described = await request(srv.url, 'GET', link(token), { headers: JSON_ACCEPT });
    assert.equal(described.status, 200, described.text);
    assert.deepEqual([described.json.action, described.json.booking_id, described.json.status], ['confirm', b.id, 'PENDING']);
  }
  assert.equal(await status(b.id), 'PENDING', 'a GET acted');

  const done = await request(srv.url, 'POST', link(token), { headers: { ...HTML_ACCEPT, 'content-type': 'application/x-www-form-urlencoded' }, raw: '' });
  assert.equal(done.status, 200, done.text);
  assert.match(done.text, /Booking confirmed/);
  assert.equal(await status(b.id), 'CONFIRMED');
  const audit = db.sql(`SELECT actor, action FROM audit_log WHERE entity_id = '${b.id}' AND action = 'booking.confirm'`);
  assert.equal(audit.length, 1);
  assert.match(audit[0][0], /^link:/);

  problem(await request(srv.url, 'POST', link(token), { headers: JSON_ACCEPT }), 409, 'LINK_USED');
  problem(await request(srv.url, 'GET', link(token), { headers: JSON_ACCEPT }), 409, 'LINK_USED');
  const usedPage = await request(srv.url, 'POST', link(token), { headers: HTML_ACCEPT });
  assert.equal(usedPage.status, 409);
  assert.match(usedPage.headers['content-type'], /^text\/html/);
  assert.match(usedPage.text, /LINK_USED/);
  assert.equal(await status(b.id), 'CONFIRMED');
});

test('a decline link after the request was confirmed is refused by the transition table; a fresh decline declines', async () => {
  const b = await pendingRequest();
  assert.equal((await request(srv.url, 'POST', link(linkToken(b.id, 'confirm', b.expires)), { headers: JSON_ACCEPT })).status, 200);
  const decline = link(linkToken(b.id, 'decline', b.expires));
  problem(await request(srv.url, 'POST', decline, { headers: JSON_ACCEPT }), 409, 'INVALID_TRANSITION');
  const page = await request(srv.url, 'GET', decline, { headers: HTML_ACCEPT });
  assert.equal(page.status, 409);
  assert.match(page.text, /no longer waiting/);
  assert.doesNotMatch(page.text, /<form/);
  assert.equal(await status(b.id), 'CONFIRMED');

  const other = await pendingRequest();
  const declined = await request(srv.url, 'POST', link(linkToken(other.id, 'decline', other.expires)), { headers: JSON_ACCEPT });
  assert.equal(declined.status, 200, declined.text);
  assert.equal(declined.json.status, 'DECLINED');
  assert.equal(declined.json.booking_id, other.id);
  assert.equal(await status(other.id), 'DECLINED');
});

test('a forged link (one character changed anywhere) is LINK_INVALID and acts on nothing', async () => {
  const b = await pendingRequest();
  const token = linkToken(b.id, 'confirm', b.expires);
  const flip = (s, i) => s.slice(0, i) + (s[i] === 'a' ? 'b' : s[i] === '0' ? '1' : /[0-9]/.test(s[i]) ? '0' : 'a') + s.slice(i + 1);
  const parts = token.split('-');
  const at = {
    'the booking id': parts[0].length - 1,
    'the action': parts[0].length + 1,
    'the expiry': parts[0].length + 3,
    'the link id': token.length - 66,
    'the signature': token.length - 1,
  };
  for (const [where, i] of Object.entries(at)) {
    const forged = flip(token, i);
    assert.notEqual(forged, token);
    problem(await request(srv.url, 'POST', link(forged), { headers: JSON_ACCEPT }), 404, 'LINK_INVALID');
    problem(await request(srv.url, 'GET', link(forged), { headers: JSON_ACCEPT }), 404, 'LINK_INVALID');
    const page = await request(srv.url, 'POST', link(forged), { headers: HTML_ACCEPT });
    assert.equal(page.status, 404, where);
    assert.match(page.text, /LINK_INVALID/);
  }
  // Signed with another key, cut short, garbage.
  const otherKey = `${b.id}-c-${b.expires}-abc-${crypto.createHmac('sha256', 'x').update('y').digest('hex')}`;
  for (const bad of [otherKey, token.slice(0, -1), 'nonsense', `${b.id}-x-1-2-3`])
    problem(await request(srv.url, 'POST', link(bad), { headers: JSON_ACCEPT }), 404, 'LINK_INVALID');
  // Escaped on the page: nothing of the path is echoed unescaped.
  assert.equal(await status(b.id), 'PENDING');
  // The genuine link still works.
  assert.equal((await request(srv.url, 'POST', link(token), { headers: JSON_ACCEPT })).json.status, 'CONFIRMED');
});

test('an expired link is LINK_EXPIRED (GET and POST) and acts on nothing', async () => {
  const b = await pendingRequest();
  const nowSeconds = Math.floor(Date.parse('2026-11-23T08:00:00Z') / 1000);
  const expired = link(linkToken(b.id, 'confirm', nowSeconds - 60));
  problem(await request(srv.url, 'POST', expired, { headers: JSON_ACCEPT }), 410, 'LINK_EXPIRED');
  problem(await request(srv.url, 'GET', expired, { headers: JSON_ACCEPT }), 410, 'LINK_EXPIRED');
  const page = await request(srv.url, 'GET', expired, { headers: HTML_ACCEPT });
  assert.equal(page.status, 410);
  assert.match(page.text, /LINK_EXPIRED/);
  assert.equal(await status(b.id), 'PENDING');
});

test('a link is not a credential for anything else: the provider routes still want the provider', async () => {
  const b = await pendingRequest();
  const token = linkToken(b.id, 'confirm', b.expires);
  problem(await request(srv.url, 'POST', `/v1/bookings/${b.id}/confirm?token=${token}`), 401, 'UNAUTHORIZED');
  problem(await request(srv.url, 'PUT', `/v1/booking-actions/${token}`, { headers: JSON_ACCEPT }), 404, 'NOT_FOUND');
  assert.equal(await status(b.id), 'PENDING');
});
