// Reliability: every wait on the database is bounded (a stuck lock holder or
// a frozen PostgreSQL gives 503 DATABASE_UNAVAILABLE within seconds, and
// never blocks another provider), a server started before its database
// serves once it appears, duplicates across two processes replay instead of
// 409, the rate limit is shared by the processes on one database, and the
// operator token is kept only as a hash.
//
// The bounds are those of server-stub/src/store_bounds.h: lock wait 3 s, a
// round trip 5 s, a connection 3 s. SLACK covers process scheduling on a
// busy test machine.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  ADMIN, BACKEND, admin, book, cleanupAll, freshDatabase, newKey, providerConfig, putProvider, request, slotAt,
  startPostgres, startServer, tempDir, isRunning, until,
} from './harness.mjs';

after(cleanupAll);

const LOCK_WAIT_MS = 3000;
const ROUND_TRIP_MS = 5000;
const CONNECT_MS = 3000;
const SLACK_MS = 1500;
const PG_BIN = process.env.SLOTWISE_PG_BIN || '/usr/lib/postgresql/15/bin';
const postgresOnly = BACKEND === 'postgres' ? false : 'PostgreSQL only: SQLite has no server process to freeze or start late';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const body = (provider, start, n) => ({ provider, service: 's30', start, client: { name: `Reliable ${n}`, email: `reliable${n}@example.com` } });

async function timed(promise) {
  const started = Date.now();
  const r = await promise;
  return { ...r, elapsedMs: Date.now() - started };
}

function assertUnavailable(r, boundMs, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.json.code, 'DATABASE_UNAVAILABLE', what);
  assert.ok(Number(r.headers['retry-after']) >= 1, `${what}: Retry-After ${r.headers['retry-after']}`);
  assert.ok(r.elapsedMs <= boundMs + SLACK_MS, `${what}: answered after ${r.elapsedMs} ms, bound ${boundMs} ms`);
}

// Retries `f` until `ok(result)` or `ms` passed; returns the last result.
async function eventually(f, ok, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    let r;
    try { r = await f(); } catch (e) { r = { error: e }; }
    if (ok(r) || Date.now() > deadline) return r;
    await sleep(250);
  }
}

// slotwise-server's advisory lock key for a provider (postgres_store.cpp):
// FNV-1a 64 of the id's bytes, as a signed bigint.
function providerLockKey(id) {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(id)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return BigInt.asIntN(64, h).toString();
}

function asPostgres(cmd, args) {
  if (process.getuid && process.getuid() === 0) return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' });
  return execFileSync(cmd, args, { stdio: 'pipe' });
}

// Every process of the cluster: the postmaster (found by its data folder)
// and its children (backends, checkpointer, WAL writer, ...).
function clusterPids(dataDir) {
  const postmaster = execFileSync('pgrep', ['-f', '--', `postgres -D ${dataDir}`], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
  assert.ok(postmaster.length >= 1, `no postmaster for ${dataDir}`);
  const children = postmaster.flatMap((p) => {
    try { return execFileSync('pgrep', ['-P', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').filter(Boolean); } catch { return []; }
  });
  return [...postmaster, ...children].map(Number);
}

function psqlOf(port) {
  return (q) => execFileSync('psql', ['-X', '-q', '-At', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-c', q],
    { encoding: 'utf8' }).split('\n').filter((l) => l.length).map((l) => l.split('|'));
}

test('a stuck holder of one provider\'s lock: its bookings get 503 within the lock bound, another provider books at once', async () => {
  const db = await freshDatabase();
  const server = await startServer(db);
  await putProvider(server.url, 'stuck');
  await putProvider(server.url, 'free');
  const release = BACKEND === 'postgres'
    ? await db.hold(`BEGIN; SELECT pg_advisory_xact_lock(${providerLockKey('stuck')});`)
    : await db.hold();  // SQLite: BEGIN IMMEDIATE, the one write lock
  try {
    // Five at once: they queue for the lock together (group commit), and
    // each is answered within the bound, not one bound after another.
    const [other, ...blocked] = await Promise.all([
      BACKEND === 'postgres' ? timed(book(server.url, body('free', slotAt(1, 60), 2))) : null,
      ...[0, 1, 2, 3, 4].map((i) => timed(book(server.url, body('stuck', slotAt(1, 60 + 30 * i), 10 + i)))),
    ]);
    for (const r of blocked) assertUnavailable(r, LOCK_WAIT_MS, 'a booking behind the held lock');
    const waited = Math.max(...blocked.map((r) => r.elapsedMs));
    assert.ok(waited >= LOCK_WAIT_MS - 500, `gave up after ${waited} ms, before the lock bound`);
    if (other) {
      assert.equal(other.status, 201, other.text);
      assert.ok(other.elapsedMs < 1500, `the other provider's booking took ${other.elapsedMs} ms`);
    }
  } finally {
    await release();
  }
  // Once the holder is gone, bookings succeed again (after Retry-After).
  const after = await eventually(() => book(server.url, body('stuck', slotAt(1, 60), 1)), (r) => r.status === 201, 5000);
  assert.equal(after.status, 201, after.text);
  assert.ok(isRunning(server));
});

test('a frozen PostgreSQL (SIGSTOP of every cluster process): 503 within the bound, the server stays up, and recovers after SIGCONT', { skip: postgresOnly }, async () => {
  const pg = await startPostgres();
  const db = { url: pg.url, sql: psqlOf(pg.port) };
  const server = await startServer(db);
  await putProvider(server.url, 'p1');
  assert.equal((await book(server.url, body('p1', slotAt(1, 60), 1))).status, 201);
  const pids = clusterPids(path.join(pg.dir, 'data'));
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  try {
    // The first request finds a pooled connection and waits one round
    // trip; later ones may need a fresh connection and wait the connect
    // bound instead.
    const first = await timed(book(server.url, body('p1', slotAt(1, 120), 2)));
    assertUnavailable(first, ROUND_TRIP_MS, 'booking while frozen');
    const answers = await Promise.all([0, 1, 2, 3].map((i) => timed(book(server.url, body('p1', slotAt(1, 180 + 30 * i), 3 + i)))));
    for (const r of answers) assertUnavailable(r, Math.max(ROUND_TRIP_MS, CONNECT_MS), 'concurrent booking while frozen');
    const health = await timed(request(server.url, 'GET', '/healthz'));
    assert.equal(health.status, 503, health.text);
    assert.ok(health.elapsedMs <= ROUND_TRIP_MS + SLACK_MS, `healthz took ${health.elapsedMs} ms`);
    assert.ok(isRunning(server), 'the server is still running');
  } finally {
    for (const pid of pids) { try { process.kill(pid, 'SIGCONT'); } catch {} }
  }
  const recovered = await eventually(() => book(server.url, body('p1', slotAt(2, 60), 9)), (r) => r.status === 201, 15000);
  assert.equal(recovered.status, 201, recovered.text ?? String(recovered.error));
  assert.equal((await request(server.url, 'GET', '/healthz')).status, 200);
  // Nothing answered 503 was stored.
  assert.equal(db.sql('SELECT COUNT(*) FROM bookings')[0][0], '2');
});

test('a server process frozen while it holds a provider\'s lock: the other process answers 503 within the bound, and books again once PostgreSQL ends the idle transaction', { skip: BACKEND === 'postgres' ? false : 'PostgreSQL only: SQLite cannot end a frozen process\'s transaction; its lock is free only when the process resumes or dies' }, async () => {
  const IDLE_IN_TRANSACTION_MS = 10000;
  const db = await freshDatabase();
  const a = await startServer(db);
  const b = await startServer(db);
  await putProvider(a.url, 'p1');
  // A's booking waits for p1's lock, held from psql; A is frozen while it
  // waits, then psql lets go: A's session gets the lock, runs the reads A
  // sent with it, and sits idle in its transaction, for A says nothing more.
  const release = await db.hold(`BEGIN; SELECT pg_advisory_xact_lock(${providerLockKey('p1')});`);
  const stuck = book(a.url, body('p1', slotAt(1, 60), 1)).catch((e) => ({ error: e }));
  // Frozen only once its session waits for the lock: on a loaded machine A
  // may take longer than any fixed pause to get there.
  await until('A waiting for p1\'s lock', () => db.sql("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")[0][0] === '1', 10000);
  a.proc.kill('SIGSTOP');
  let frozenAt;
  try {
    await release();
    frozenAt = Date.now();
    await sleep(300);
    const blocked = await timed(book(b.url, body('p1', slotAt(1, 120), 2)));
    assertUnavailable(blocked, LOCK_WAIT_MS, 'a booking behind the frozen process');
    const other = await eventually(() => book(b.url, body('p1', slotAt(1, 180), 3)), (r) => r.status === 201, IDLE_IN_TRANSACTION_MS + 8000);
    assert.equal(other.status, 201, other.text ?? String(other.error));
    const freedAfter = Date.now() - frozenAt;
    assert.ok(freedAfter <= IDLE_IN_TRANSACTION_MS + LOCK_WAIT_MS + SLACK_MS * 2, `p1 was blocked ${freedAfter} ms`);
  } finally {
    a.proc.kill('SIGCONT');
  }
  const late = await stuck;
  assert.ok(late.error || [201, 503].includes(late.status), `the frozen process's request: ${late.status} ${late.text}`);
  assert.ok(isRunning(a) && isRunning(b));
  const again = await eventually(() => book(a.url, body('p1', slotAt(1, 240), 4)), (r) => r.status === 201, 8000);
  assert.equal(again.status, 201, again.text ?? String(again.error));
});

test('a server started before its PostgreSQL waits for it (healthz 503, a log line), then serves', { skip: postgresOnly }, async () => {
  const pg = await startPostgres();
  const dataDir = path.join(pg.dir, 'data');
  pg.stop();
  const db = { url: pg.url, sql: psqlOf(pg.port) };
  const server = await startServer(db);
  const health = await timed(request(server.url, 'GET', '/healthz'));
  assert.equal(health.status, 503, health.text);
  assert.ok(health.elapsedMs <= CONNECT_MS + SLACK_MS);
  const waited = await eventually(async () => server.errors() + server.output(), (log) => /wait|retr/i.test(log), 5000);
  assert.match(waited, /wait|retr/i, 'the log says the server waits for its database');
  asPostgres(`${PG_BIN}/pg_ctl`, ['-D', dataDir, '-l', path.join(pg.dir, 'log'), '-w', '-t', '30', '-o',
    `-p ${pg.port} -k ${pg.dir} -c listen_addresses=127.0.0.1 -c max_connections=300`, 'start']);
  const ready = await eventually(() => request(server.url, 'GET', '/healthz'), (r) => r.status === 200, 30000);
  assert.equal(ready.status, 200, ready.text ?? String(ready.error));
  await putProvider(server.url, 'late');
  assert.equal((await book(server.url, body('late', slotAt(1, 60), 1))).status, 201);
  assert.ok(isRunning(server));
});

test('SQLite: a database path whose folder cannot exist is a hard error at start, not a wait', { skip: BACKEND === 'sqlite' ? false : 'SQLite only' }, async () => {
  const dir = tempDir('slotwise-notdir-');
  const file = path.join(dir, 'a-file');
  fs.writeFileSync(file, 'not a folder');
  const started = Date.now();
  await assert.rejects(startServer({ url: `sqlite:${path.join(file, 'slotwise.db')}` }), /exited \((?!0\))/);
  assert.ok(Date.now() - started < 10000);
});

test('the same request to a second process after the first answered: a byte-identical replay, never 409', async () => {
  const db = await freshDatabase();
  const a = await startServer(db);
  const b = await startServer(db);
  await putProvider(a.url, 'p1');
  for (let i = 0; i < 20; i++) {
    const key = newKey();
    const first = await book(a.url, body('p1', slotAt(1 + Math.floor(i / 20), i * 30), 100 + i), key);
    assert.equal(first.status, 201, first.text);
    const second = await book(b.url, body('p1', slotAt(1 + Math.floor(i / 20), i * 30), 100 + i), key);
    assert.equal(second.status, first.status, `pair ${i}: ${second.status} ${second.text}`);
    assert.equal(second.headers['idempotent-replayed'], 'true');
    assert.equal(second.text, first.text, `pair ${i}: the replay differs`);
  }
});

test('pairs sent to two processes nearly at once: never 409 IN_FLIGHT when the twin had already been answered', async () => {
  const db = await freshDatabase();
  const a = await startServer(db);
  const b = await startServer(db);
  await putProvider(a.url, 'p1');
  // Requests whose send and answer times are recorded at the client.
  const send = async (base, payload, key) => {
    const sentAt = Date.now();
    const r = await book(base, payload, key);
    return { ...r, sentAt, answeredAt: Date.now() };
  };
  const pairs = await Promise.all(Array.from({ length: 48 }, async (_, i) => {
    const key = newKey();
    const payload = body('p1', slotAt(3 + Math.floor(i / 24), (i % 24) * 30), 300 + i);
    // The twin leaves 0-40 ms later: sometimes while the first runs,
    // sometimes after it was answered.
    const first = send(i % 2 ? a.url : b.url, payload, key);
    await sleep((i * 7) % 41);
    const second = send(i % 2 ? b.url : a.url, payload, key);
    return Promise.all([first, second]);
  }));
  let replays = 0;
  for (const [i, pair] of pairs.entries()) {
    for (const [mine, twin] of [pair, [...pair].reverse()]) {
      assert.ok([201, 409].includes(mine.status), `pair ${i}: ${mine.status} ${mine.text}`);
      if (mine.status === 409) {
        assert.equal(mine.json.code, 'IDEMPOTENCY_KEY_IN_FLIGHT', mine.text);
        assert.ok(!(twin.status === 201 && twin.answeredAt < mine.sentAt),
          `pair ${i}: 409 IN_FLIGHT sent ${mine.sentAt - twin.answeredAt} ms after its twin was answered`);
      }
    }
    const created = pair.filter((r) => r.status === 201);
    assert.ok(created.length >= 1, `pair ${i}: no 201`);
    if (created.length === 2) {
      replays++;
      assert.equal(created[0].text, created[1].text, `pair ${i}: replay differs`);
      assert.equal(created.filter((r) => r.headers['idempotent-replayed'] === 'true').length, 1, `pair ${i}: one original answer`);
    }
  }
  assert.ok(replays > 0, 'some pairs were replays');
  assert.equal(Number(db.sql("SELECT COUNT(*) FROM bookings")[0][0]), 48);
});

test('the public rate limit is shared: two processes on one database admit burst + rate x time together, not twice that', async () => {
  const db = await freshDatabase();
  const args = ['--rate-limit', '2:10'];  // after the harness's `--rate-limit 0`: the last one counts
  const a = await startServer(db, { args });
  const b = await startServer(db, { args });
  await putProvider(a.url, 'p1');
  const from = '127.0.0.77';  // an address of its own
  const started = Date.now();
  let admitted = 0, limited = 0;
  for (let i = 0; i < 40; i++) {
    // A booking for an unknown provider: cheap, and counted like any public POST.
    const r = await request(i % 2 ? a.url : b.url, 'POST', '/v1/bookings',
      { body: body('nobody', slotAt(1, 60), 1), headers: { 'idempotency-key': newKey() }, localAddress: from });
    if (r.status === 429) {
      limited++;
      assert.equal(r.json.code, 'RATE_LIMITED', r.text);
      assert.ok(Number(r.headers['retry-after']) >= 1);
    } else {
      assert.equal(r.status, 404, r.text);
      admitted++;
    }
    await sleep(50);
  }
  const seconds = (Date.now() - started) / 1000;
  const allowed = 10 + 2 * seconds;
  assert.ok(admitted >= 10, `admitted ${admitted}: less than the burst`);
  assert.ok(admitted <= Math.ceil(allowed) + 1, `admitted ${admitted} in ${seconds.toFixed(1)} s; one shared bucket allows ${allowed.toFixed(1)}`);
  assert.ok(limited > 0);
  // Another address has its own bucket.
  const other = await request(a.url, 'POST', '/v1/bookings',
    { body: body('nobody', slotAt(1, 60), 1), headers: { 'idempotency-key': newKey() }, localAddress: '127.0.0.78' });
  assert.equal(other.status, 404, other.text);
});

test('failed credentials are counted across processes: after 10 from one address, both refuse it, even the right token', async () => {
  const db = await freshDatabase();
  const a = await startServer(db);
  const b = await startServer(db);
  const from = '127.0.0.88';
  const put = (server, token, localAddress = from) => request(server.url, 'PUT', '/v1/providers/p1',
    { body: providerConfig(), headers: { authorization: `Bearer ${token}` }, localAddress });
  for (let i = 0; i < 10; i++) {
    const r = await put(i % 2 ? a : b, `wrong-token-${i}-0123456789abcdef`);
    assert.equal(r.status, 401, `guess ${i}: ${r.status} ${r.text}`);
  }
  for (const server of [a, b]) {
    const r = await put(server, ADMIN);
    assert.equal(r.status, 429, r.text);
    assert.equal(r.json.code, 'TOO_MANY_FAILED_CREDENTIALS');
    assert.ok(Number(r.headers['retry-after']) > 60, `Retry-After ${r.headers['retry-after']}`);
  }
  assert.equal((await put(a, ADMIN, '127.0.0.89')).status, 201, 'another address is not locked out');
});

test('the generated operator token: printed once to stderr, never to stdout, valid after a restart, only its hash in the database', async () => {
  const db = await freshDatabase();
  const generated = { env: { SLOTWISE_ADMIN_TOKEN: '' } };
  const first = await startServer(db, generated);
  const token = (first.errors().match(/\b[a-z2-7]{32}\b/) || [])[0];
  assert.ok(token, `no generated token on stderr: ${first.errors()}`);
  assert.ok(!first.output().includes(token), 'the token is not on stdout');
  assert.equal(first.errors().split(token).length - 1, 1, 'printed once');
  const auth = { authorization: `Bearer ${token}` };
  const put = await request(first.url, 'PUT', '/v1/providers/p1', { body: providerConfig(), headers: auth });
  assert.equal(put.status, 201, put.text);
  assert.equal((await request(first.url, 'PUT', '/v1/providers/p1', { body: providerConfig(), headers: admin })).status, 401);
  await first.stop();

  const second = await startServer(db, generated);
  assert.ok(!second.errors().includes(token) && !second.output().includes(token), 'not printed again');
  assert.ok(!/\b[a-z2-7]{32}\b/.test(second.errors()), 'no new token generated');
  assert.equal((await request(second.url, 'PUT', '/v1/providers/p1', { body: providerConfig(), headers: auth })).status, 200);
  await second.stop();

  const dump = BACKEND === 'postgres'
    ? execFileSync('pg_dump', ['-h', '127.0.0.1', '-p', new URL(db.url).port, '-U', 'postgres', 'postgres'], { encoding: 'utf8' })
    : execFileSync('sqlite3', [db.url.slice('sqlite:'.length), '.dump'], { encoding: 'utf8' });
  assert.ok(dump.length > 1000 && dump.includes('operator_token'), 'the dump holds the schema');
  assert.ok(!dump.includes(token), 'no clear-text copy of the token in the database');

  // A token from the environment replaces the generated one.
  const third = await startServer(db);
  assert.equal((await request(third.url, 'PUT', '/v1/providers/p1', { body: providerConfig(), headers: auth })).status, 401);
  assert.equal((await request(third.url, 'PUT', '/v1/providers/p1', { body: providerConfig(), headers: admin })).status, 200);
  assert.ok(!third.errors().includes(ADMIN) && !third.output().includes(ADMIN));
  await third.stop();

  // An environment token outside 24..256 visible characters is refused at start.
  await assert.rejects(startServer(db, { env: { SLOTWISE_ADMIN_TOKEN: 'too short' } }), /exited/);
});
