// Test harness for slotwise-server: real server processes, a real SQLite
// file or a throwaway PostgreSQL cluster, plain HTTP over loopback.
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SERVER = process.env.SLOTWISE_SERVER || path.resolve('build/bin/slotwise-server');
export const BACKEND = process.env.SLOTWISE_TEST_BACKEND || 'sqlite';
export const ADMIN = 'test-admin-token-0123456789';
export const NOW = '2026-11-23T08:00:00Z'; // a Monday; Europe/Berlin is UTC+1 then
const PG_BIN = process.env.SLOTWISE_PG_BIN || '/usr/lib/postgresql/15/bin';

const cleanups = [];
export async function cleanupAll() {
  while (cleanups.length) {
    try { await cleanups.pop()(); } catch (e) { console.error('cleanup:', e.message); }
  }
}
process.on('exit', () => {
  // Last resort for a failing test: no process outlives the run.
  for (const p of livePids) try { process.kill(p, 'SIGKILL'); } catch {}
});
const livePids = new Set();

export function tempDir(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// ---- databases -------------------------------------------------------------

function asPostgres(cmd, args, opts = {}) {
  if (process.getuid && process.getuid() === 0) return execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], opts);
  return execFileSync(cmd, args, opts);
}

// A fresh PostgreSQL cluster in a temporary folder on a free loopback port;
// stopped and removed by cleanupAll().
export async function startPostgres() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slotwise-pg-'));
  fs.chmodSync(dir, 0o755);
  if (process.getuid && process.getuid() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const data = path.join(dir, 'data');
  const port = await freePort();
  asPostgres(`${PG_BIN}/initdb`, ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync'], { stdio: 'pipe' });
  asPostgres(`${PG_BIN}/pg_ctl`, ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '30', '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=300`, 'start'], { stdio: 'pipe' });
  cleanups.push(() => {
    try { asPostgres(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'pipe' }); } catch {}
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const stop = () => asPostgres(`${PG_BIN}/pg_ctl`, ['-D', data, '-m', 'immediate', '-w', 'stop'], { stdio: 'pipe' });
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, port, dir, stop };
}

// Takes a lock from a client of its own that makes the server's locked insert
// wait (SQLite: the write lock; PostgreSQL: the idempotency table) and holds
// it until the returned function is called.
async function holdLock(cmd, args, lockSql) {
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  cleanups.push(() => proc.kill('SIGKILL'));  // a failed test may never release it
  await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => { out += d; if (out.includes('held')) resolve(); });
    proc.on('exit', (code) => reject(new Error(`${cmd} exited (${code}) before it held the lock`)));
    proc.stdin.write(`${lockSql}\nSELECT 'held';\n`);
  });
  return () => new Promise((resolve) => { proc.on('exit', resolve); proc.stdin.end('COMMIT;\n'); });
}

// The two 32-bit advisory lock keys slotwise-server takes for an
// Idempotency-Key in PostgreSQL: FNV-1a 64 of its bytes, split in halves.
export function keyLockKeys(key) {
  let h = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(key)) h = ((h ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return [BigInt.asIntN(32, h >> 32n), BigInt.asIntN(32, h & 0xffffffffn)];
}

// A database for one test: `{ url, sql(query) -> rows of strings, hold() -> release() }`.
export async function freshDatabase() {
  if (BACKEND === 'postgres') {
    const pg = await startPostgres();
    const psql = ['-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres'];
    return {
      url: pg.url,
      stopDatabase: pg.stop,
      hold: (lockSql = 'BEGIN; LOCK TABLE idempotency_keys IN ACCESS EXCLUSIVE MODE;') => holdLock('psql', psql, lockSql),
      sql: (q) => execFileSync('psql', ['-X', '-q', '-At', '-F', '|', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(pg.port), '-U', 'postgres', '-d', 'postgres', '-c', q],
        { encoding: 'utf8' }).split('\n').filter((l) => l.length).map((l) => l.split('|')),
    };
  }
  const dir = tempDir('slotwise-sqlite-');
  const file = path.join(dir, 'slotwise.db');
  return {
    url: `sqlite:${file}`,
    // The server's job worker may be writing at that moment: wait for the
    // lock like the server does, and fail loudly instead of carrying on unlocked.
    hold: () => holdLock('sqlite3', ['-batch', '-bail', '-cmd', '.timeout 10000', file], 'BEGIN IMMEDIATE;'),
    sql: (q) => execFileSync('sqlite3', ['-batch', '-cmd', '.timeout 10000', file, q], { encoding: 'utf8' })
      .split('\n').filter((l) => l.length).map((l) => l.split('|')),
  };
}

// ---- server processes --------------------------------------------------------

export async function startServer(db, { now = NOW, args = [], env = {} } = {}) {
  const port = await freePort();
  // Without a folder of its own, a server on PostgreSQL writes its .eml
  // files into data/mail under the working directory: into the source tree.
  if (db.url.startsWith('postgres') && !args.includes('--mail-dir') && !args.includes('--smtp'))
    args = [...args, '--mail-dir', tempDir('slotwise-mail-')];
  // CTest sets this for the server suites: every answer is then held to
  // docs/openapi.json by server.openapi_contract (openapi_contract.mjs).
  if (process.env.SLOTWISE_RECORD_DIR && !args.includes('--record-exchanges')) {
    fs.mkdirSync(process.env.SLOTWISE_RECORD_DIR, { recursive: true });
    const name = `${path.basename(process.argv[1] ?? 'test', '.mjs')}-${process.pid}-${port}-${Date.now()}.jsonl`;
    args = [...args, '--record-exchanges', path.join(process.env.SLOTWISE_RECORD_DIR, name)];
  }
  const proc = spawn(SERVER, ['--db', db.url, '--listen', `127.0.0.1:${port}`, '--access-log', 'off', '--rate-limit', '0',
    '--meeting-base-url', 'https://meet.example.test/', ...args], {
    env: { ...process.env, SLOTWISE_ADMIN_TOKEN: ADMIN, SLOTWISE_NOW: now ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  livePids.add(proc.pid);
  let out = '', err = '';
  proc.stdout.on('data', (d) => { out += d; });
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => { livePids.delete(proc.pid); resolve({ code, signal }); }));
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 15000);
    const check = () => {
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    };
    proc.stdout.on('data', check);
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`server exited (${code}): ${out} ${err}`)); });
  });
  const server = {
    url, proc, exited, port,
    output: () => out, errors: () => err,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return exited;
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10000);
      const r = await exited; clearTimeout(t); return r;
    },
    async kill9() { proc.kill('SIGKILL'); return exited; },
  };
  cleanups.push(() => server.stop());
  return server;
}

// ---- HTTP ------------------------------------------------------------------------

// One request on its own connection. Resolves { status, headers, text, json }.
// `localAddress` picks the source address (any 127.x.y.z on loopback), so one
// test can act as several clients.
export function request(base, method, pathname, { body, headers = {}, raw, localAddress, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(pathname, base);
    const payload = raw !== undefined ? raw : body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = http.request(url, { method, agent: false, localAddress, headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch {}
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout ${method} ${pathname}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

export const admin = { authorization: `Bearer ${ADMIN}` };

let keyCounter = 0;
export const newKey = () => `key-${process.pid}-${Date.now()}-${++keyCounter}`;

export function book(base, booking, key = newKey()) {
  return request(base, 'POST', '/v1/bookings', { body: booking, headers: { 'idempotency-key': key } });
}

// ---- fixtures ----------------------------------------------------------------------

const everyDay = (start, end) => ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => ({ day, start, end }));

export function providerConfig(overrides = {}) {
  return {
    name: 'Test Clinic', kind: 'doctor', time_zone: 'Europe/Berlin', active: true, bio: 'Tests', photo_url: 'https://example.test/p.png',
    schedules: { default: { weekly: everyDay('08:00', '20:00'), overrides: [] } },
    services: [
      { id: 's30', name: 'Checkup', durations: [30, 60], min_notice_minutes: 60, max_advance_days: 90,
        price: { amount: 10000, currency: 'EUR' }, cancellation_policy: 'moderate', virtual: false, requires_confirmation: false },
      { id: 'video', name: 'Video call', durations: [30], min_notice_minutes: 60, max_advance_days: 90,
        price: { amount: 4000, currency: 'EUR' }, cancellation_policy: 'flexible', virtual: true, requires_confirmation: true },
      { id: 'off', name: 'Retired', active: false, durations: [30], price: { amount: 0, currency: 'EUR' }, cancellation_policy: 'strict' },
    ],
    ...overrides,
  };
}

export async function putProvider(base, id, config = providerConfig()) {
  const r = await request(base, 'PUT', `/v1/providers/${id}`, { body: config, headers: admin });
  if (r.status !== 201 && r.status !== 200) throw new Error(`PUT provider ${id}: ${r.status} ${r.text}`);
  return r;
}

export const client = (n = 1) => ({ name: `Client ${n}`, email: `client${n}@example.com`, phone: '+49 30 1234567' });

// Instants on the test provider's grid: Berlin 08:00-20:00 every day, 30-minute steps.
// An RFC 9457 answer with this status and stable code.
export function problem(r, status, code) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
  assert.equal(r.json.code, code, r.text);
  assert.equal(r.json.status, status);
  assert.ok(r.json.type && r.json.title && typeof r.json.detail === 'string');
}

// A provider's webhook endpoint on loopback that takes every delivery
// (204): `got` holds each in arrival order as { id (webhook-id), path, body
// (the text), json (parsed, or null) }; `of(type, bookingId)` the parsed
// events of one type about one booking.
export function webhookReceiver() {
  const got = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json = null;
      try { json = JSON.parse(body); } catch { /* kept as text */ }
      got.push({ id: req.headers['webhook-id'], path: req.url, body, json });
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${server.address().port}`;
    resolve({
      got, base, url: `${base}/hook`,
      of: (type, bookingId) => got.map((g) => g.json).filter((e) => e?.type === type && e.data?.booking?.id === bookingId),
      close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }),
    });
  }));
}

// Polls `predicate` until it returns something truthy (and returns that);
// fails the test after `timeoutMs`.
export async function until(what, predicate, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function slotAt(dayOffset, minutesAfterSeven) {
  const t = Date.parse('2026-11-23T07:00:00Z') + dayOffset * 86400000 + minutesAfterSeven * 60000;
  return new Date(t).toISOString().replace('.000Z', 'Z');
}

// ---- raw sockets and process figures ------------------------------------------------
// For tests that must send bytes no HTTP client would (smuggling, slow or
// oversized requests) and observe exactly what comes back, including a close.

// Resident memory of a process in KiB (VmRSS from /proc), NaN when it is gone.
export function rssKiB(pid) {
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m);
    return m ? Number(m[1]) : NaN;
  } catch { return NaN; }
}

export const isRunning = (server) => server.proc.exitCode === null && server.proc.signalCode === null;

// The HTTP/1.x responses at the start of `buf`. A response whose body runs
// until the close counts only when `closed`. Returns { responses, rest }:
// rest is the unparsed tail (an incomplete response, or garbage).
// headers: lowercase names; a repeated field is joined with ", ".
// The first `bodiless` responses answer HEAD requests: no body, whatever
// their Content-Length says.
export function parseResponses(buf, { closed = false, bodiless = 0 } = {}) {
  const responses = [];
  let at = 0;
  for (;;) {
    const end = buf.indexOf('\r\n\r\n', at, 'latin1');
    if (end < 0) break;
    const lines = buf.subarray(at, end).toString('latin1').split('\r\n');
    const m = lines[0].match(/^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/);
    if (!m) break;
    const status = Number(m[2]);
    const headers = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    }
    let bodyStart = end + 4, body;
    if (status < 200 || status === 204 || status === 304 || responses.length < bodiless) {
      body = Buffer.alloc(0);
      at = bodyStart;
    } else if (/chunked/i.test(headers['transfer-encoding'] || '')) {
      const parts = [];
      let p = bodyStart, done = false;
      for (;;) {
        const eol = buf.indexOf('\r\n', p, 'latin1');
        if (eol < 0) break;
        const size = parseInt(buf.subarray(p, eol).toString('latin1'), 16);
        if (!Number.isFinite(size)) break;
        if (size === 0) {
          const trailerEnd = buf.indexOf('\r\n\r\n', eol, 'latin1');
          if (buf.subarray(eol, eol + 4).toString('latin1') === '\r\n\r\n') { p = eol + 4; done = true; }
          else if (trailerEnd >= 0) { p = trailerEnd + 4; done = true; }
          break;
        }
        if (buf.length < eol + 2 + size + 2) break;
        parts.push(buf.subarray(eol + 2, eol + 2 + size));
        p = eol + 2 + size + 2;
      }
      if (!done) break;
      body = Buffer.concat(parts);
      at = p;
    } else if (headers['content-length'] !== undefined) {
      const length = Number(headers['content-length']);
      if (!Number.isSafeInteger(length) || buf.length < bodyStart + length) break;
      body = buf.subarray(bodyStart, bodyStart + length);
      at = bodyStart + length;
    } else {
      if (!closed) break;
      body = buf.subarray(bodyStart);
      at = buf.length;
    }
    const text = body.toString('utf8');
    let json;
    try { json = JSON.parse(text); } catch {}
    responses.push({ status, version: m[1], headers, body, text, json });
  }
  return { responses, rest: buf.subarray(at) };
}

// One TCP connection that records everything it receives and how it ended.
// closedBy: 'end' (the server's FIN), 'close', or an error code such as
// ECONNRESET; 'us' when the test destroyed it. Never rejects: a refused or
// reset connection is an observation, not an exception.
export class RawConnection {
  constructor(socket) {
    this.socket = socket;
    this.chunks = [];
    this.receivedBytes = 0;
    this.closed = false;
    this.closedBy = null;
    this.closedAt = null;
    this.error = null;
    this.waiters = new Set();
    this.bodiless = 0;  // how many of the first requests were HEAD (see parseResponses)
    socket.on('data', (d) => { this.chunks.push(d); this.receivedBytes += d.length; this.#notify(); });
    socket.on('end', () => this.#markClosed('end'));
    socket.on('error', (e) => { this.error = e; this.#markClosed(e.code || e.message); });
    socket.on('close', () => this.#markClosed('close'));
  }
  #markClosed(how) {
    if (!this.closed) { this.closed = true; this.closedBy = how; this.closedAt = Date.now(); }
    this.#notify();
  }
  #notify() { for (const w of [...this.waiters]) w(); }
  get received() {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] || Buffer.alloc(0);
  }
  responses() { return parseResponses(this.received, { closed: this.closed, bodiless: this.bodiless }).responses; }
  // false once the connection is closed (the bytes are dropped then).
  write(data) {
    if (this.closed || this.socket.destroyed) return false;
    try { this.socket.write(data); } catch { return false; }
    return true;
  }
  // Resolves true when predicate(this) holds, false after timeoutMs.
  waitFor(predicate, timeoutMs) {
    return new Promise((resolve) => {
      const check = () => {
        if (!predicate(this)) return false;
        clearTimeout(timer); this.waiters.delete(check); resolve(true); return true;
      };
      const timer = setTimeout(() => { this.waiters.delete(check); resolve(false); }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }
  waitClosed(timeoutMs) { return this.waitFor((c) => c.closed, timeoutMs); }
  waitResponses(count, timeoutMs) { return this.waitFor((c) => c.closed || c.responses().length >= count, timeoutMs); }
  // Resolves once the socket can take more bytes or is closed: a writer that
  // streams a large body stops as soon as the server hangs up.
  drained() {
    if (this.closed || !this.socket.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { this.socket.off('drain', done); this.waiters.delete(done); resolve(); };
      this.socket.on('drain', done);
      this.waiters.add(() => { if (this.closed) done(); });
    });
  }
  destroy() { if (!this.closed) { this.closed = true; this.closedBy = 'us'; this.closedAt = Date.now(); } this.socket.destroy(); }
}

// Connects (optionally from a chosen 127.x.y.z) and resolves once connected
// or once the attempt failed (then `closed` is true).
export function connectRaw(port, { host = '127.0.0.1', localAddress, timeoutMs = 10000 } = {}) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, localAddress });
    socket.setNoDelay(true);
    const conn = new RawConnection(socket);
    const timer = setTimeout(() => { conn.destroy(); conn.closedBy = 'connect-timeout'; resolve(conn); }, timeoutMs);
    const settle = () => { clearTimeout(timer); resolve(conn); };
    socket.once('connect', settle);
    conn.waitFor((c) => c.closed, timeoutMs + 1000).then(settle);
  });
}

// Sends `data` on a fresh connection and waits until `expect` responses have
// arrived and, when `waitClose`, until the server closes (at most timeoutMs).
// Resolves { responses, closed, closedBy, conn }; the socket is destroyed.
export async function rawRequest(port, data, { expect = 1, waitClose = false, timeoutMs = 5000, localAddress, bodiless = 0 } = {}) {
  const started = Date.now();
  const conn = await connectRaw(port, { localAddress, timeoutMs });
  conn.bodiless = bodiless;
  for (const piece of Array.isArray(data) ? data : [data]) conn.write(piece);
  await conn.waitFor((c) => c.closed || (!waitClose && c.responses().length >= expect), Math.max(1, timeoutMs - (Date.now() - started)));
  const closed = conn.closed, closedBy = conn.closedBy;
  const responses = conn.responses();
  conn.destroy();
  return { responses, closed, closedBy, conn, elapsedMs: Date.now() - started };
}

// ---- accounts ----------------------------------------------------------------------

// Signs `email` in on a server started with `--mail-dir DIR` (and a short
// `--job-poll`): asks for a code, reads it from the .eml file the server
// writes, signs in. Resolves { token, account, cookie }.
export async function signIn(server, email) {
  const args = server.proc.spawnargs;
  const mailDir = args[args.indexOf('--mail-dir') + 1];
  if (!args.includes('--mail-dir')) throw new Error('signIn needs a server started with --mail-dir');
  const asked = await request(server.url, 'POST', '/v1/auth/email-code', { body: { email } });
  if (asked.status !== 202) throw new Error(`email-code for ${email}: ${asked.status} ${asked.text}`);
  const challenge = asked.json.challenge;
  // RFC 2045 quoted-printable: soft line breaks and =XX escapes.
  const decoded = (raw) => Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const deadline = Date.now() + 20000;
  let code;
  while (!code) {
    const files = fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')) : [];
    for (const f of files) {
      const m = decoded(fs.readFileSync(path.join(mailDir, f), 'utf8')).match(new RegExp(`challenge=${challenge}&code=([0-9]{8})`));
      if (m) code = m[1];
    }
    if (code) break;
    if (Date.now() > deadline) throw new Error(`no mail with the code of ${challenge} in ${mailDir}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const res = await request(server.url, 'POST', '/v1/auth/session', { body: { challenge, code } });
  if (res.status !== 201) throw new Error(`sign-in of ${email}: ${res.status} ${res.text}`);
  return { token: res.json.session.token, account: res.json.account, cookie: (res.headers['set-cookie'] || [''])[0].split(';')[0] };
}
