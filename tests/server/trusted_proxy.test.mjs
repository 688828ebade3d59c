// Issue 17: the client address behind a reverse proxy. X-Forwarded-For is
// believed only from a --trusted-proxy peer: from anyone else a spoofed
// header changes nothing (rate limit, access log); from the proxy each
// forwarded client gets its own rate-limit bucket. 127.0.0.2 plays the proxy,
// 127.0.0.1 and 127.0.0.3 a client connecting directly.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  SERVER, cleanupAll, freshDatabase, startServer, request, newKey, slotAt, tempDir, until, admin,
} from './harness.mjs';

after(cleanupAll);

const PROXY = '127.0.0.2';
// A booking for an unknown provider: cheap, 404, and counted like any public POST.
const post = (server, localAddress, forwardedFor) => request(server.url, 'POST', '/v1/bookings', {
  body: { provider: 'nobody', service: 's30', start: slotAt(1, 60), client: { name: 'Proxy', email: 'proxy@example.com' } },
  headers: { 'idempotency-key': newKey(), ...(forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor }) },
  localAddress,
});

function logLines(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

test('X-Forwarded-For names the client only when a trusted proxy sends it', async () => {
  const db = await freshDatabase();
  const log = path.join(tempDir('slotwise-xff-'), 'access.log');
  // Burst 3 and one more per second: a fourth POST within a second is refused.
  const server = await startServer(db, { args: ['--rate-limit', '1:3', '--access-log', log, '--trusted-proxy', `${PROXY}/32`] });
  assert.match(server.output(), /client address is taken from X-Forwarded-For of 127\.0\.0\.2\/32/);

  // A direct client rotating spoofed addresses is still one client: limited.
  const spoofed = [];
  for (let i = 0; i < 12; i++) spoofed.push((await post(server, '127.0.0.3', `203.0.113.${i + 1}`)).status);
  assert.ok(spoofed.every((s) => s === 404 || s === 429), spoofed.join());
  assert.ok(spoofed.includes(429), `a spoofed header from an untrusted peer escaped the limit: ${spoofed.join()}`);
  // Spoofing the proxy's own address in the header does not help either.
  const claimed = [];
  for (let i = 0; i < 6; i++) claimed.push((await post(server, '127.0.0.3', PROXY)).status);
  assert.ok(claimed.includes(429), claimed.join());

  // Through the proxy: twelve clients, two POSTs each, none limited, though
  // the proxy's one TCP address sent all 24.
  for (let i = 0; i < 12; i++) {
    for (let j = 0; j < 2; j++) {
      const r = await post(server, PROXY, `198.51.100.1, 192.0.2.${i + 1}`);
      assert.equal(r.status, 404, `forwarded client ${i}: ${r.status} ${r.text}`);
    }
  }
  // One forwarded client that keeps going hits its own limit...
  const one = [];
  for (let i = 0; i < 10; i++) one.push((await post(server, PROXY, '192.0.2.200')).status);
  assert.ok(one.includes(429), one.join());
  // ...while the next client behind the same proxy is admitted.
  assert.equal((await post(server, PROXY, '192.0.2.201')).status, 404);
  // A header the trusted proxy garbled: the request is the proxy's own, answered normally.
  const garbled = await post(server, PROXY, 'not-an-address');
  assert.equal(garbled.status, 404, garbled.text);

  const lines = await until('access log lines', () => {
    const l = logLines(log);
    return l.length >= 12 + 6 + 24 + 10 + 1 + 1 ? l : null;
  });
  const remotes = (predicate) => new Set(lines.filter(predicate).map((l) => l.remote));
  const posts = lines.filter((l) => l.method === 'POST');
  // The untrusted peer is logged as itself, never as what it claimed.
  assert.ok(remotes((l) => l.method === 'POST').has('127.0.0.3'));
  assert.ok(!posts.some((l) => /^203\.0\.113\./.test(l.remote)), 'a spoofed address reached the log');
  // The forwarded clients are logged as themselves, not as the proxy nor as
  // the address the client put in front of the list.
  for (let i = 0; i < 12; i++) assert.equal(posts.filter((l) => l.remote === `192.0.2.${i + 1}`).length, 2, `client ${i}`);
  assert.ok(!posts.some((l) => l.remote === '198.51.100.1'));
  assert.equal(posts.filter((l) => l.remote === PROXY).length, 1, 'only the garbled request is the proxy\'s own');
});

test('without --trusted-proxy the header is ignored, even from loopback', async () => {
  const db = await freshDatabase();
  const server = await startServer(db, { args: ['--rate-limit', '1:3'] });
  const statuses = [];
  for (let i = 0; i < 10; i++) statuses.push((await post(server, '127.0.0.4', `192.0.2.${i + 1}`)).status);
  assert.ok(statuses.includes(429), statuses.join());
});

test('SLOTWISE_TRUSTED_PROXIES works like the flag; a bad range stops the start with a usage error', async () => {
  const db = await freshDatabase();
  const server = await startServer(db, { args: ['--rate-limit', '1:3'], env: { SLOTWISE_TRUSTED_PROXIES: `10.0.0.0/8, ${PROXY}` } });
  assert.match(server.output(), /X-Forwarded-For of 10\.0\.0\.0\/8, 127\.0\.0\.2\/32/);
  for (let i = 0; i < 8; i++) assert.equal((await post(server, PROXY, `192.0.2.${i + 1}`)).status, 404);
  await server.stop();
  for (const [args, env] of [[['--trusted-proxy', '10.0.0.1/8'], {}], [['--trusted-proxy', 'localhost'], {}],
    [[], { SLOTWISE_TRUSTED_PROXIES: '127.0.0.1/33' }]]) {
    const r = spawnSync(SERVER, ['--db', db.url, '--listen', '127.0.0.1:0', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `${args} ${JSON.stringify(env)}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /needs address ranges like/);
  }
});

test('the failed-credential lock-out falls on the forwarded client, not on the proxy', async () => {
  const db = await freshDatabase();
  const server = await startServer(db, { args: ['--trusted-proxy', `${PROXY}/32`] });
  const guess = (localAddress, forwardedFor, i) => request(server.url, 'GET', '/v1/providers/p1/bookings', {
    localAddress, headers: { authorization: `Bearer wrong-guess-${i}-0123456789abcdefghij`, 'x-forwarded-for': forwardedFor } });
  let locked;
  for (let i = 0; i < 40 && !locked; i++) {
    const r = await guess(PROXY, '192.0.2.50', i);
    if (r.status === 429) locked = r;
    else assert.equal(r.status, 401, r.text);
  }
  assert.ok(locked, 'no lock-out of the forwarded guesser');
  assert.equal(locked.json.code, 'TOO_MANY_FAILED_CREDENTIALS');
  // Another client behind the same proxy still gets in with the right token.
  const other = await request(server.url, 'GET', '/v1/providers/p1/bookings', { localAddress: PROXY, headers: { ...admin, 'x-forwarded-for': '192.0.2.51' } });
  assert.equal(other.status, 404, other.text);  // admitted: p1 does not exist
  assert.equal(other.json.code, 'UNKNOWN_PROVIDER');
  // A direct guesser cannot shed its lock-out by claiming other addresses.
  let direct;
  for (let i = 0; i < 40 && !direct; i++) {
    const r = await guess('127.0.0.3', `192.0.2.${100 + i}`, i);
    if (r.status === 429) direct = i;
  }
  assert.ok(direct !== undefined, 'rotating spoofed addresses escaped the lock-out');
});
