// Provider accounts (issue 11; api.md part 2, "Accounts, sessions and who
// may do what"): sign-in by emailed code, sessions, API keys, the cookie and
// its Origin rule. Real server processes on both backends; the code is read
// from the .eml files the server writes without --smtp.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanupAll, freshDatabase, request, startServer, tempDir } from './harness.mjs';

after(cleanupAll);

const WEB_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, predicate, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

// Real clock (no SLOTWISE_NOW): processes started apart agree on "now".
// The access log on: no code or token may reach it either.
async function startAccounts(db, mailDir, args = []) {
  return startServer(db, { now: null, args: ['--mail-dir', mailDir, '--job-poll', '0.1', '--web-root', WEB_ROOT, '--access-log', '-', ...args] });
}

async function setup(args = []) {
  const db = await freshDatabase();
  const mailDir = tempDir('slotwise-accounts-mail-');
  const server = await startAccounts(db, mailDir, args);
  return { db, mailDir, server };
}

// RFC 2045 quoted-printable: soft line breaks and =XX escapes.
const unQuotedPrintable = (s) => Buffer.from(s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');

function mails(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => {
    const raw = fs.readFileSync(path.join(dir, f), 'utf8');
    const to = (raw.match(/^To: (.*)$/m) || [])[1] || '';
    return { to: to.trim(), raw, text: unQuotedPrintable(raw) };
  });
}

// The mail of one challenge: its code and its link.
async function mailOf(dir, challenge) {
  const mail = await until(`the mail of ${challenge}`, () => mails(dir).find((m) => m.text.includes(`challenge=${challenge}&`)));
  const link = mail.text.match(/(http:\/\/\S+\/app\/sign-in#challenge=[a-z0-9_]+&code=[0-9]{8})/)[1];
  const code = link.slice(-8);
  return { ...mail, link, code };
}

const askCode = (server, email, opts = {}) => request(server.url, 'POST', '/v1/auth/email-code', { body: { email }, ...opts });
const signIn = (server, challenge, code, opts = {}) => request(server.url, 'POST', '/v1/auth/session', { body: { challenge, code }, ...opts });
const bearer = (token) => ({ authorization: `Bearer ${token}` });
const cookieOf = (res) => (res.headers['set-cookie'] || [])[0] || '';

// Asks for a code, reads the mail, signs in: { token, account, cookie, code, challenge }.
async function signedIn(server, mailDir, email, opts = {}) {
  const asked = await askCode(server, email, opts);
  assert.equal(asked.status, 202, asked.text);
  const { code } = await mailOf(mailDir, asked.json.challenge);
  const res = await signIn(server, asked.json.challenge, code, opts);
  assert.equal(res.status, 201, res.text);
  return { token: res.json.session.token, account: res.json.account, cookie: cookieOf(res).split(';')[0], code, challenge: asked.json.challenge };
}

function assertNoSecretsLogged(server, secrets) {
  const logged = server.output() + server.errors();
  for (const secret of secrets) assert.ok(!logged.includes(secret), `a secret reached the log: ${secret.slice(0, 6)}...`);
}

test('sign-in end to end: code by mail, link with the fragment, session, cookie, the account made on first sign-in', { timeout: 120000 }, async () => {
  const { server, mailDir } = await setup();
  const before = Date.now();
  const asked = await askCode(server, '  Alice@Example.COM ');
  assert.equal(asked.status, 202, asked.text);
  assert.match(asked.json.challenge, /^ch_[a-z2-7]+$/);
  const expires = Date.parse(asked.json.expires_at);
  assert.ok(Math.abs(expires - before - 15 * 60 * 1000) < 5000, `15 minutes: ${asked.json.expires_at}`);
  assert.equal(asked.headers['cache-control'], 'no-store');

  const mail = await mailOf(mailDir, asked.json.challenge);
  assert.equal(mail.to, 'alice@example.com');
  assert.equal(mail.link, `${server.url}/app/sign-in#challenge=${asked.json.challenge}&code=${mail.code}`);
  assert.match(mail.text, /an account is created when you sign in|one is created\s+when you sign in/);
  assert.ok(mail.raw.includes('text/html'), 'an HTML part too');

  // Opening the link's page (a mail scanner would) sends no fragment and signs nobody in.
  const page = await request(server.url, 'GET', '/app/sign-in');
  assert.equal(page.status, 200);
  assert.match(page.text, /\/app\/sign-in\/sign-in\.js/);
  const script = await request(server.url, 'GET', '/app/sign-in/sign-in.js');
  assert.equal(script.status, 200);
  assert.match(script.text, /location\.hash/);

  const res = await signIn(server, asked.json.challenge, mail.code);
  assert.equal(res.status, 201, res.text);
  assert.match(res.json.session.token, /^sws_[a-z2-7]{52}$/);
  assert.equal(res.json.account.email, 'alice@example.com');
  assert.match(res.json.account.id, /^acc_/);
  assert.ok(Date.parse(res.json.session.expires_at) - Date.now() > 29 * 24 * 3600 * 1000);
  const cookie = cookieOf(res);
  assert.match(cookie, new RegExp(`^slotwise_session=${res.json.session.token};`));
  for (const part of ['HttpOnly', 'SameSite=Lax', 'Path=/']) assert.ok(cookie.includes(part), `${part} in ${cookie}`);
  assert.ok(!cookie.includes('Secure'), 'plain HTTP on loopback: no Secure');
  assert.ok(mail.text.includes(`href="${server.url}/app/sign-in#challenge=${asked.json.challenge}&amp;code=${mail.code}"`), 'the HTML link, escaped');

  const me = await request(server.url, 'GET', '/v1/me', { headers: bearer(res.json.session.token) });
  assert.equal(me.status, 200, me.text);
  assert.deepEqual(me.json, { account: { id: res.json.account.id, email: 'alice@example.com', plan: 'free' }, providers: [] });

  // The second sign-in finds the account; its mail no longer speaks of creating one.
  const again = await askCode(server, 'alice@example.com');
  const second = await mailOf(mailDir, again.json.challenge);
  assert.ok(!/created when you sign in/.test(second.text));
  const res2 = await signIn(server, again.json.challenge, second.code);
  assert.equal(res2.status, 201);
  assert.equal(res2.json.account.id, res.json.account.id);

  assertNoSecretsLogged(server, [mail.code, second.code, res.json.session.token, res2.json.session.token]);
});

test('wrong, malformed, used, expired codes and the sixth try', { timeout: 120000 }, async () => {
  const { server, mailDir, db } = await setup();
  const asked = await askCode(server, 'bob@example.com');
  const { code } = await mailOf(mailDir, asked.json.challenge);
  const wrong = String((Number(code) + 1) % 100000000).padStart(8, '0');
  for (let i = 1; i <= 5; i++) {
    const res = await signIn(server, asked.json.challenge, wrong);
    assert.equal(res.status, 401, `try ${i}: ${res.text}`);
    assert.equal(res.json.code, 'INVALID_CODE');
  }
  const sixth = await signIn(server, asked.json.challenge, code);
  assert.equal(sixth.status, 410, 'the sixth try, even with the right code');
  assert.equal(sixth.json.code, 'CHALLENGE_EXPIRED');

  for (const body of [{ challenge: asked.json.challenge, code: '1234' }, { challenge: asked.json.challenge }, { challenge: 'x', code: '12345678' },
    { challenge: asked.json.challenge, code: 12345678 }, []]) {
    const res = await request(server.url, 'POST', '/v1/auth/session', { body });
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal(res.json.code, 'INVALID_REQUEST');
  }
  const notJson = await request(server.url, 'POST', '/v1/auth/session', { raw: '{"challenge":' });
  assert.equal(notJson.status, 400);
  for (const email of ['', 'no-at-sign', 'a@b@c', 'ä@example.com', `${'a'.repeat(65)}@example.com`, 'a..b@example.com', 'a@-x.com']) {
    const res = await askCode(server, email);
    assert.equal(res.status, 400, email);
    assert.equal(res.json.code, 'INVALID_REQUEST');
  }

  // Used: a code works once.
  const used = await signedIn(server, mailDir, 'carol@example.com');
  const replay = await signIn(server, used.challenge, used.code);
  assert.equal(replay.status, 410);
  assert.equal(replay.json.code, 'CHALLENGE_EXPIRED');

  // Expired: 15 minutes have passed.
  const late = await askCode(server, 'dave@example.com');
  const lateMail = await mailOf(mailDir, late.json.challenge);
  db.sql(`UPDATE email_challenges SET expires_at = expires_at - 901 WHERE id = '${late.json.challenge}'`);
  const expired = await signIn(server, late.json.challenge, lateMail.code);
  assert.equal(expired.status, 410);
  assert.equal(expired.json.code, 'CHALLENGE_EXPIRED');

  // An unknown challenge reads like a spent one.
  const unknown = await signIn(server, 'ch_aaaaaaaaaaaaaaaa', '12345678');
  assert.equal(unknown.status, 410);

  // Only hashes at rest.
  const stored = db.sql('SELECT code_hash FROM email_challenges').flat().join(' ');
  assert.ok(!stored.includes(code) && !stored.includes(lateMail.code));
  assert.ok(!db.sql('SELECT token_sha256 FROM sessions').flat().join(' ').includes(used.token));
  assertNoSecretsLogged(server, [code, lateMail.code, used.token]);
});

test('rate limits per address and per caller; an unknown address gets the same answer', { timeout: 120000 }, async () => {
  const { server, mailDir } = await setup();
  for (let i = 1; i <= 5; i++) assert.equal((await askCode(server, 'eve@example.com')).status, 202, `code ${i}`);
  const limited = await askCode(server, 'EVE@example.com');
  assert.equal(limited.status, 429);
  assert.equal(limited.json.code, 'RATE_LIMITED');
  const retry = Number(limited.headers['retry-after']);
  assert.ok(retry >= 1 && retry <= 900, `Retry-After ${retry}`);
  // Another address from the same caller is not limited by eve's count.
  assert.equal((await askCode(server, 'frank@example.com')).status, 202);

  // Per caller: 30 codes an hour from one client address, whatever the addresses.
  const caller = { localAddress: '127.0.0.7' };
  for (let i = 1; i <= 30; i++) assert.equal((await askCode(server, `user${i}@example.com`, caller)).status, 202, `caller code ${i}`);
  const callerLimited = await askCode(server, 'user31@example.com', caller);
  assert.equal(callerLimited.status, 429);
  assert.equal(callerLimited.json.code, 'RATE_LIMITED');
  assert.ok(Number(callerLimited.headers['retry-after']) >= 1);
  assert.equal((await askCode(server, 'user31@example.com', { localAddress: '127.0.0.8' })).status, 202, 'another caller is not limited');

  // Known and unknown addresses: the same status, the same members, comparable time.
  await signedIn(server, mailDir, 'known@example.com', { localAddress: '127.0.0.9' });
  const times = { known: [], unknown: [] };
  for (let i = 0; i < 4; i++) {
    for (const [kind, email] of [['known', 'known@example.com'], ['unknown', `nobody${i}@example.com`]]) {
      const start = process.hrtime.bigint();
      const res = await askCode(server, email, { localAddress: `127.0.1.${i + 1}` });
      times[kind].push(Number(process.hrtime.bigint() - start) / 1e6);
      assert.equal(res.status, 202, `${kind}: ${res.text}`);
      assert.deepEqual(Object.keys(res.json).sort(), ['challenge', 'expires_at']);
    }
  }
  const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  assert.ok(Math.abs(median(times.known) - median(times.unknown)) < 100, JSON.stringify(times));  // generous: a loaded CI machine
});

test('sessions across two processes: sign out in one is refused in the other at once; sign out everywhere; the list', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const mailDir = tempDir('slotwise-accounts-mail-');
  const a = await startAccounts(db, mailDir);
  const b = await startAccounts(db, mailDir);
  const first = await signedIn(a, mailDir, 'grace@example.com');
  assert.equal((await request(b.url, 'GET', '/v1/me', { headers: bearer(first.token) })).status, 200);
  const out = await request(a.url, 'DELETE', '/v1/auth/session', { headers: bearer(first.token) });
  assert.equal(out.status, 204);
  assert.match(cookieOf(out), /Max-Age=0/);
  const refused = await request(b.url, 'GET', '/v1/me', { headers: bearer(first.token) });
  assert.equal(refused.status, 401);
  assert.equal(refused.json.code, 'UNAUTHORIZED');
  assert.equal(refused.headers['www-authenticate'], 'Bearer');

  const s1 = await signedIn(a, mailDir, 'grace@example.com');
  const s2 = await signedIn(b, mailDir, 'grace@example.com', { headers: { 'user-agent': 'second-device' } });
  const s3 = await signedIn(b, mailDir, 'grace@example.com', { headers: { 'user-agent': Buffer.from([0x61, 0xff, 0xc3, 0x62]).toString('latin1') } });
  const listed = await request(a.url, 'GET', '/v1/auth/sessions', { headers: bearer(s1.token) });
  assert.equal(listed.status, 200, listed.text);
  assert.equal(listed.json.sessions.length, 3, 'the ended session is not listed');
  assert.ok(listed.json.sessions.some((s) => s.user_agent === 'a??b'), 'bytes that are not printable ASCII shown as ?');
  assert.deepEqual(listed.json.sessions.map((s) => s.current).sort(), [false, false, true]);
  assert.ok(listed.json.sessions.some((s) => s.user_agent === 'second-device'));
  assert.ok(!listed.text.includes(s1.token) && !listed.text.includes(s2.token), 'tokens are never listed');

  assert.equal((await request(b.url, 'DELETE', '/v1/auth/sessions', { headers: bearer(s2.token) })).status, 204);
  for (const [server, token] of [[a, s1.token], [b, s1.token], [a, s2.token], [a, s3.token]])
    assert.equal((await request(server.url, 'GET', '/v1/me', { headers: bearer(token) })).status, 401);
  assertNoSecretsLogged(a, [first.token, s1.token, s2.token, s1.code]);
  assertNoSecretsLogged(b, [first.token, s1.token, s2.token, s2.code]);
});

test('the session cookie: reads without Origin, changes only from the server\'s own origin', { timeout: 120000 }, async () => {
  const { server, mailDir } = await setup();
  const s = await signedIn(server, mailDir, 'heidi@example.com');
  const byCookie = (extra = {}) => ({ cookie: `other=1; ${s.cookie}`, ...extra });
  const me = await request(server.url, 'GET', '/v1/me', { headers: byCookie() });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.account.email, 'heidi@example.com');

  for (const origin of [undefined, 'http://evil.example', 'null', `${server.url}.evil.example`]) {
    const res = await request(server.url, 'POST', '/v1/api-keys', { body: { name: 'x' }, headers: byCookie(origin ? { origin } : {}) });
    assert.equal(res.status, 403, `Origin ${origin}: ${res.text}`);
    assert.equal(res.json.code, 'CSRF_REJECTED');
  }
  const made = await request(server.url, 'POST', '/v1/api-keys', { body: { name: 'from the dashboard' }, headers: byCookie({ origin: server.url }) });
  assert.equal(made.status, 201, made.text);

  // A sign-in posted from another site's page is refused too.
  const asked = await askCode(server, 'heidi@example.com');
  const { code } = await mailOf(mailDir, asked.json.challenge);
  const foreign = await signIn(server, asked.json.challenge, code, { headers: { origin: 'http://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.equal(foreign.json.code, 'CSRF_REJECTED');
  const own = await signIn(server, asked.json.challenge, code, { headers: { origin: server.url } });
  assert.equal(own.status, 201, 'the refused try did not spend the code');

  // Addressed to a name that is not loopback, the cookie is Secure.
  const remote = await askCode(server, 'heidi@example.com');
  const remoteMail = await mailOf(mailDir, remote.json.challenge);
  const secure = await signIn(server, remote.json.challenge, remoteMail.code, { headers: { host: 'book.example.test' } });
  assert.equal(secure.status, 201, secure.text);
  assert.match(cookieOf(secure), /; Secure/);

  const out = await request(server.url, 'DELETE', '/v1/auth/session', { headers: byCookie({ origin: server.url }) });
  assert.equal(out.status, 204);
  assert.equal((await request(server.url, 'GET', '/v1/me', { headers: byCookie() })).status, 401);
  // A public route ignores a stale cookie.
  assert.equal((await request(server.url, 'GET', '/v1/providers/none/snapshot?from=2026-12-01&to=2026-12-02', { headers: byCookie() })).status, 404);
});

test('API keys: shown once, used (last use recorded), listed, revoked (401 at once)', { timeout: 120000 }, async () => {
  const { server, mailDir, db } = await setup();
  const s = await signedIn(server, mailDir, 'ivan@example.com');
  const made = await request(server.url, 'POST', '/v1/api-keys', { body: { name: 'Zapier' }, headers: bearer(s.token) });
  assert.equal(made.status, 201, made.text);
  assert.match(made.json.key, /^swk_[a-z2-7]{52}$/);
  assert.equal(made.json.name, 'Zapier');
  assert.equal(made.json.last_used_at, null);

  const me = await request(server.url, 'GET', '/v1/me', { headers: bearer(made.json.key) });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.account.id, s.account.id);
  const list = await request(server.url, 'GET', '/v1/api-keys', { headers: bearer(s.token) });
  assert.equal(list.status, 200);
  assert.equal(list.json.api_keys.length, 1);
  assert.equal(list.json.api_keys[0].id, made.json.id);
  assert.ok(!('key' in list.json.api_keys[0]) && !list.text.includes(made.json.key), 'shown once');
  const firstUse = Date.parse(list.json.api_keys[0].last_used_at);
  assert.ok(Math.abs(firstUse - Date.now()) < 10000, 'last_used_at set');
  await sleep(1100);
  assert.equal((await request(server.url, 'GET', '/v1/me', { headers: bearer(made.json.key) })).status, 200);
  const moved = (await request(server.url, 'GET', '/v1/api-keys', { headers: bearer(s.token) })).json.api_keys[0].last_used_at;
  assert.ok(Date.parse(moved) > firstUse, `last_used_at moves: ${moved}`);

  // A key cannot manage keys or sessions.
  const byKey = await request(server.url, 'POST', '/v1/api-keys', { body: { name: 'more' }, headers: bearer(made.json.key) });
  assert.equal(byKey.status, 403);
  assert.equal(byKey.json.code, 'SESSION_REQUIRED');
  for (const body of [{}, { name: '' }, { name: 'x'.repeat(101) }, { name: 'a\nb' }, { name: 5 }]) {
    const res = await request(server.url, 'POST', '/v1/api-keys', { body, headers: bearer(s.token) });
    assert.equal(res.status, 400, JSON.stringify(body));
  }

  assert.equal((await request(server.url, 'DELETE', `/v1/api-keys/${made.json.id}`, { headers: bearer(s.token) })).status, 204);
  const revoked = await request(server.url, 'GET', '/v1/me', { headers: bearer(made.json.key) });
  assert.equal(revoked.status, 401);
  assert.equal((await request(server.url, 'DELETE', `/v1/api-keys/${made.json.id}`, { headers: bearer(s.token) })).status, 404);
  assert.equal((await request(server.url, 'GET', '/v1/api-keys', { headers: bearer(s.token) })).json.api_keys.length, 0);

  // Another account cannot revoke someone else's key.
  const other = await signedIn(server, mailDir, 'judy@example.com');
  const hers = await request(server.url, 'POST', '/v1/api-keys', { body: { name: 'hers' }, headers: bearer(other.token) });
  assert.equal((await request(server.url, 'DELETE', `/v1/api-keys/${hers.json.id}`, { headers: bearer(s.token) })).status, 404);
  assert.equal((await request(server.url, 'GET', '/v1/me', { headers: bearer(hers.json.key) })).status, 200);

  // No credential, the operator token (not an account), garbage.
  assert.equal((await request(server.url, 'GET', '/v1/me')).status, 401);
  const operator = await request(server.url, 'GET', '/v1/me', { headers: bearer('test-admin-token-0123456789') });
  assert.equal(operator.status, 403);
  assert.equal(operator.json.code, 'ACCOUNT_REQUIRED');
  assert.ok(!db.sql('SELECT key_sha256 FROM api_keys').flat().join(' ').includes(made.json.key));
  assertNoSecretsLogged(server, [made.json.key, hers.json.key, s.token, other.token]);
});
