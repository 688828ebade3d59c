// Client email verification (issue 11, item 6) against a real server on
// both backends: a service with "verify_client_email" answers a booking
// with HELD, mails the client a 6-digit code (read here from the .eml
// folder), and POST /v1/bookings/{id}/verify?token= moves the hold on to
// CONFIRMED or PENDING; wrong codes, the fifth wrong code, the hold blocking
// the slot until it lapses and then freeing it, the replay of the create,
// and no code in the server's output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { NOW, book, cleanupAll, freshDatabase, newKey, providerConfig, putProvider, request, slotAt, startServer, tempDir } from './harness.mjs';

let db, srv, base, mailDir;
let clientIndex = 0;
const servers = [];

const config = () => {
  const c = providerConfig();
  c.services.push(
    { id: 'v', name: 'Checkup (verified)', durations: [30], min_notice_minutes: 60, max_advance_days: 90,
      price: { amount: 5000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: true, requires_confirmation: false,
      verify_client_email: true },
    { id: 'vr', name: 'Request (verified)', durations: [30], min_notice_minutes: 60, max_advance_days: 90,
      price: { amount: 5000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: false, requires_confirmation: true,
      verify_client_email: true });
  return c;
};

const newClient = () => { const n = ++clientIndex; return { name: `Verifying Client ${n}`, email: `verify${n}-${process.pid}@example.com` }; };
const storedStatus = (id) => db.sql(`SELECT status FROM bookings WHERE id = '${id}'`)[0][0];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  db = await freshDatabase();
  mailDir = tempDir('slotwise-verify-mail-');
  srv = await startServer(db, { args: ['--mail-dir', mailDir, '--job-poll', '0.2'] });
  servers.push(srv);
  base = srv.url;
  await putProvider(base, 'p1', config());
});
after(cleanupAll);

// The .eml files addressed to `email`, as text.
function mailsTo(email) {
  if (!fs.existsSync(mailDir)) return [];
  return fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml'))
    .map((f) => fs.readFileSync(path.join(mailDir, f), 'utf8'))
    .filter((m) => /^To: .*$/m.test(m) && m.match(/^To: .*$/m)[0].includes(email));
}

async function codeFor(email) {
  for (const deadline = Date.now() + 15000; Date.now() < deadline; await sleep(100)) {
    const mails = mailsTo(email);
    if (mails.length) {
      assert.equal(mails.length, 1, `one mail to ${email}`);
      const m = mails[0].match(/\n {4}(\d{6})\r?\n/);
      assert.ok(m, `a 6-digit code in the mail:\n${mails[0]}`);
      return { code: m[1], mail: mails[0] };
    }
  }
  throw new Error(`no mail to ${email} in ${mailDir}`);
}

async function hold(service, start, extra = {}) {
  const who = newClient();
  const key = newKey();
  const body = { provider: 'p1', service, start, client: who, ...extra };
  const r = await book(base, body, key);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.booking.status, 'HELD');
  return { ...r.json.booking, token: r.json.booking.manage_token, who, key, body };
}

const verify = (b, code, { token = b.token, url = base } = {}) =>
  request(url, 'POST', `/v1/bookings/${b.id}/verify${token === null ? '' : `?token=${token}`}`, { body: code === undefined ? {} : { code } });
const wrongOf = (code) => String((Number(code) + 1) % 1000000).padStart(6, '0');

test('the snapshot tells the widget which services verify the address', async () => {
  const r = await request(base, 'GET', '/v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-25');
  assert.equal(r.status, 200, r.text);
  const flags = Object.fromEntries(r.json.services.map((s) => [s.id, s.verify_client_email]));
  assert.deepEqual(flags, { s30: false, video: false, off: false, v: true, vr: true });
});

test('HELD on create, the code by mail, a wrong code, then CONFIRMED; the hold blocks the slot meanwhile', async () => {
  const start = slotAt(2, 60);
  const b = await hold('v', start);
  // Fifteen minutes from the server's clock (SLOTWISE_NOW), at most.
  assert.ok(Date.parse(b.expires_at) - Date.parse(NOW) >= 15 * 60000 && Date.parse(b.expires_at) - Date.parse(NOW) < 16 * 60000, b.expires_at);
  assert.equal(b.meeting_link, undefined, 'no meeting link before the address is proven');
  const { code, mail } = await codeFor(b.who.email);
  assert.doesNotMatch(mail.match(/^Subject: .*$/m)[0], /\d{6}/, 'the subject (which is logged) holds no code');
  assert.match(mail, /Enter this code to confirm your booking/);
  assert.match(mail, /Content-Type: text\/html/);

  const other = await book(base, { provider: 'p1', service: 's30', start, client: newClient() });
  assert.equal(other.status, 409, other.text);
  assert.equal(other.json.code, 'SLOT_TAKEN');

  const wrong = await verify(b, wrongOf(code));
  assert.equal(wrong.status, 401, wrong.text);
  assert.equal(wrong.json.code, 'INVALID_CODE');
  assert.equal(wrong.json.attempts_left, 4);
  assert.equal(storedStatus(b.id), 'HELD');

  const spaced = `${code.slice(0, 3)} ${code.slice(3)}`;  // as people copy it
  const ok = await verify(b, spaced);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.booking.status, 'CONFIRMED');
  assert.equal(ok.json.booking.expires_at, undefined);
  assert.match(ok.json.booking.meeting_link, /^https:\/\/meet\.example\.test\//, 'a virtual service gets its link once confirmed');
  assert.equal(ok.json.booking.manage_token, undefined);
  assert.equal(storedStatus(b.id), 'CONFIRMED');
  assert.equal(ok.headers['access-control-allow-origin'], '*');
  assert.equal(ok.headers['cache-control'], 'no-store');

  const again = await verify(b, code);
  assert.equal(again.status, 409, again.text);
  assert.equal(again.json.code, 'INVALID_TRANSITION');
  assert.deepEqual(db.sql(`SELECT actor, action FROM audit_log WHERE entity_id = '${b.id}' ORDER BY id`),
    [['client', 'booking.create'], ['client', 'booking.verify']]);
});

test('a service that asks the provider to confirm: a verified hold becomes PENDING and waits for the provider', async () => {
  const b = await hold('vr', slotAt(2, 120));
  const { code } = await codeFor(b.who.email);
  const ok = await verify(b, code);
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.booking.status, 'PENDING');
  assert.equal(storedStatus(b.id), 'PENDING');
  // The request's own expiry (24 h by default, at most its start) replaces the hold's.
  const [[expires]] = db.sql(`SELECT expires_at FROM bookings WHERE id = '${b.id}'`);
  assert.ok(Number(expires) - Date.parse(NOW) / 1000 > 3600, `expires_at ${expires}`);
});

test('bad input is a 400, a missing or foreign token a 401/403, and none of them costs a try', async () => {
  const b = await hold('v', slotAt(2, 180));
  const { code } = await codeFor(b.who.email);
  for (const [body, label] of [[{}, 'no code'], [{ code: 123456 }, 'a number'], [{ code: '12345' }, 'five digits'],
    [{ code: '12a456' }, 'a letter'], [{ code: '1234567' }, 'seven digits'], [{ code, extra: 1 }, 'an unknown field']]) {
    const r = await request(base, 'POST', `/v1/bookings/${b.id}/verify?token=${b.token}`, { body });
    assert.equal(r.status, 400, `${label}: ${r.text}`);
    assert.equal(r.json.code, 'INVALID_REQUEST', label);
  }
  const notJson = await request(base, 'POST', `/v1/bookings/${b.id}/verify?token=${b.token}`, { raw: '{"code":', headers: { 'content-type': 'application/json' } });
  assert.equal(notJson.status, 400, notJson.text);
  const noToken = await verify(b, code, { token: null });
  assert.equal(noToken.status, 401, noToken.text);
  assert.equal(noToken.json.code, 'TOKEN_REQUIRED');
  const foreign = await verify(b, code, { token: 'a'.repeat(32) });
  assert.equal(foreign.status, 403, foreign.text);
  assert.equal(foreign.json.code, 'INVALID_TOKEN');
  const unknown = await request(base, 'POST', `/v1/bookings/bk_nothing/verify?token=${b.token}`, { body: { code } });
  assert.equal(unknown.status, 404, unknown.text);
  assert.equal(db.sql(`SELECT failed_attempts FROM booking_verifications WHERE booking_id = '${b.id}'`)[0][0], '0');
  const ok = await verify(b, code);
  assert.equal(ok.status, 200, ok.text);
});

test('five wrong codes release the hold: the slot is free and the right code is 410 CHALLENGE_EXPIRED', async () => {
  const start = slotAt(2, 240);
  const b = await hold('v', start);
  const { code } = await codeFor(b.who.email);
  for (let left = 4; left >= 0; left--) {
    const r = await verify(b, wrongOf(code));
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.code, 'INVALID_CODE');
    assert.equal(r.json.attempts_left, left);
  }
  assert.equal(storedStatus(b.id), 'EXPIRED');
  const late = await verify(b, code);
  assert.equal(late.status, 410, late.text);
  assert.equal(late.json.code, 'CHALLENGE_EXPIRED');
  const read = await request(base, 'GET', `/v1/bookings/${b.id}?token=${b.token}`);
  assert.equal(read.json.booking.status, 'EXPIRED');
  const other = await book(base, { provider: 'p1', service: 's30', start, client: newClient() });
  assert.equal(other.status, 201, `the released slot is free: ${other.text}`);
});

test('a locale picks the language of the mail; a bad locale or an address mail cannot reach is refused', async () => {
  const b = await hold('v', slotAt(3, 60), { locale: 'de-AT', time_zone: 'America/New_York' });
  const { mail } = await codeFor(b.who.email);
  assert.match(mail, /Geben Sie diesen Code ein/);
  assert.match(mail, /2026-11-26 0[23]:00 \(America\/New_York\)/, 'the time in the client\'s zone');
  const badLocale = await book(base, { provider: 'p1', service: 'v', start: slotAt(3, 90), client: newClient(), locale: 'de_DE!' });
  assert.equal(badLocale.status, 400, badLocale.text);
  const nonAscii = await book(base, { provider: 'p1', service: 'v', start: slotAt(3, 90), client: { name: 'Zoë', email: 'zoë@example.com' } });
  assert.equal(nonAscii.status, 422, nonAscii.text);
  assert.equal(nonAscii.json.code, 'EMAIL_UNDELIVERABLE');
  // A service without verification takes that address as before.
  const plain = await book(base, { provider: 'p1', service: 's30', start: slotAt(3, 90), client: { name: 'Zoë', email: 'zoë@example.com' } });
  assert.equal(plain.status, 201, plain.text);
});

test('the replay of a create answers HELD again, sends no second mail', async () => {
  const b = await hold('v', slotAt(3, 180));
  await codeFor(b.who.email);
  const replay = await book(base, b.body, b.key);
  assert.equal(replay.status, 201, replay.text);
  assert.equal(replay.headers['idempotent-replayed'], 'true');
  assert.equal(replay.json.booking.id, b.id);
  assert.equal(replay.json.booking.status, 'HELD');
  await sleep(500);
  assert.equal(mailsTo(b.who.email).length, 1);
});

test('an unverified hold lapses after 15 minutes: EXPIRED by its job, the slot free, the code 410', async () => {
  const start = slotAt(4, 60);
  const b = await hold('v', start);
  const { code } = await codeFor(b.who.email);
  const blocked = await book(base, { provider: 'p1', service: 's30', start, client: newClient() });
  assert.equal(blocked.status, 409, blocked.text);
  await srv.stop();
  // Sixteen minutes after the booking, by the server's clock.
  srv = await startServer(db, { now: new Date(Date.parse(NOW) + 16 * 60000).toISOString().replace('.000Z', 'Z'),
    args: ['--mail-dir', mailDir, '--job-poll', '0.2'] });
  servers.push(srv);
  base = srv.url;
  for (const deadline = Date.now() + 10000; Date.now() < deadline && storedStatus(b.id) !== 'EXPIRED';) await sleep(100);
  assert.equal(storedStatus(b.id), 'EXPIRED', 'the expiry job marks the hold');
  assert.deepEqual(db.sql(`SELECT actor, detail FROM audit_log WHERE entity_id = '${b.id}' AND action = 'booking.expire'`)
    .map(([actor, detail]) => [actor, JSON.parse(detail).from]), [['system', 'HELD']]);
  const late = await verify(b, code);
  assert.equal(late.status, 410, late.text);
  assert.equal(late.json.code, 'CHALLENGE_EXPIRED');
  const other = await book(base, { provider: 'p1', service: 's30', start, client: newClient() });
  assert.equal(other.status, 201, `the lapsed hold frees its slot: ${other.text}`);
});

test('a lapsed hold frees its slot even before its job has run (reads and the insert apply the same rule)', async () => {
  // Made by SQL so that no job is queued for it: only the rule frees it.
  const start = slotAt(5, 60);
  const b = await hold('v', start);
  db.sql(`UPDATE bookings SET expires_at = expires_at - 3600 WHERE id = '${b.id}'`);
  db.sql(`DELETE FROM jobs WHERE key = 'booking.expire:${b.id}'`);
  const read = await request(base, 'GET', `/v1/bookings/${b.id}?token=${b.token}`);
  assert.equal(read.json.booking.status, 'EXPIRED');
  const list = await request(base, 'GET', '/v1/providers/p1/bookings?from=2026-11-28&to=2026-11-29&status=HELD', { headers: { authorization: 'Bearer test-admin-token-0123456789' } });
  assert.equal(list.status, 200, list.text);
  assert.ok(!list.json.bookings.some((x) => x.id === b.id), 'a lapsed hold is not listed as HELD');
  const other = await book(base, { provider: 'p1', service: 's30', start, client: newClient() });
  assert.equal(other.status, 201, other.text);
  assert.equal(storedStatus(b.id), 'EXPIRED', 'the insert marked the lapsed hold on its way');
});

test('no code reaches the server\'s output', async () => {
  const codes = db.sql('SELECT booking_id FROM booking_verifications').length;
  assert.ok(codes >= 5);
  const files = fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')).map((f) => fs.readFileSync(path.join(mailDir, f), 'utf8'));
  const sent = files.map((m) => m.match(/\n {4}(\d{6})\r?\n/)).filter(Boolean).map((m) => m[1]);
  assert.ok(sent.length >= 5);
  for (const s of servers)
    for (const code of sent) {
      const alone = new RegExp(`(^|\\D)${code}(\\D|$)`);
      assert.doesNotMatch(s.output(), alone, `code ${code} in stdout`);
      assert.doesNotMatch(s.errors(), alone, `code ${code} in stderr`);
    }
});
