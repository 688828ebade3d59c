// The HTTP layer under attack (issue 9): real server processes on loopback,
// raw sockets where a normal client would refuse to send the bytes. Every
// case asserts the answer, that the server is still up, and where memory is
// the attack, a bound on its resident memory (VmRSS). Every loop is bounded
// in count and time; every socket is closed; traffic stays on 127.0.0.0/8.
// Source addresses: each test uses its own 127.x.y.z so that per-address
// limits kept in the shared database never leak from one test into another.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';
import {
  ADMIN, admin, book, cleanupAll, client, connectRaw, freshDatabase, isRunning, newKey, putProvider, rawRequest,
  request, rssKiB, slotAt, startServer, tempDir,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const MiB = 1 << 20;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

let db, webRoot, wasmName, wasmBytes;

// The real widget build when it is there (its hashed file names); otherwise a
// stand-in of the same shape, so that the suite runs on a fresh clone too.
function findWebRoot() {
  const dist = path.resolve(here, '../../web/dist');
  const wasm = fs.existsSync(dist) && fs.readdirSync(dist).find((f) => f.endsWith('.wasm'));
  if (wasm && fs.existsSync(path.join(dist, 'index.html'))) return { root: dist, wasm };
  const root = tempDir('slotwise-attack-web-');
  const name = 'slotwise-engine.0123abcd.wasm';
  const bytes = Buffer.alloc(300 * 1024);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251 < 200 ? i % 64 : (i * 31) & 0xff;
  bytes.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  fs.writeFileSync(path.join(root, name), bytes);
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>demo</title><p>demo</p>');
  return { root, wasm: name };
}

before(async () => {
  db = await freshDatabase();
  const web = findWebRoot();
  webRoot = web.root;
  wasmName = web.wasm;
  wasmBytes = fs.readFileSync(path.join(webRoot, wasmName));
  const setup = await startServer(db);
  await putProvider(setup.url, 'p1');
  await setup.stop();
});
after(cleanupAll);

// ---- helpers ---------------------------------------------------------------------

// A server for one test; always stopped at its end.
async function withServer(args, body) {
  const srv = await startServer(db, { args });
  try { return await body(srv); } finally { await srv.stop(); }
}

// Samples the server's resident memory every 50 ms; stop() gives the
// baseline, the peak and the growth at the peak in MiB.
function watchMemory(pid) {
  const baseKiB = rssKiB(pid);
  let peakKiB = baseKiB;
  const timer = setInterval(() => { const now = rssKiB(pid); if (now > peakKiB) peakKiB = now; }, 50);
  timer.unref();  // a failed assertion before stop() must not keep the run alive
  return {
    stop() {
      clearInterval(timer);
      const now = rssKiB(pid);
      if (now > peakKiB) peakKiB = now;
      return { baseMiB: baseKiB / 1024, peakMiB: peakKiB / 1024, growthMiB: (peakKiB - baseKiB) / 1024 };
    },
  };
}

async function assertStillUp(srv) {
  assert.ok(isRunning(srv), `the server process exited: ${srv.errors().slice(-500)}`);
  const health = await request(srv.url, 'GET', '/healthz', { timeoutMs: 5000 });
  assert.equal(health.status, 200, 'GET /healthz after the attack');
}

const isProblem = (r) => /application\/problem\+json/.test(r.headers['content-type'] || '') &&
  r.json !== undefined && r.json.status === r.status && typeof r.json.code === 'string';

function assertProblem(r, status, what) {
  assert.ok(r, `${what}: no answer`);
  assert.equal(r.status, status, `${what}: status (body ${r.text.slice(0, 200)})`);
  assert.ok(isProblem(r), `${what}: a problem+json body with status and code, got ${r.headers['content-type']} ${r.text.slice(0, 200)}`);
}

const head = (lines) => Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1');

// Sends `header`, then the pieces nextPiece(index, bytesSentSoFar) returns
// until it returns null, stopping as soon as the server answers or closes, or
// after timeLimitMs. Returns what came back and how much was sent.
async function streamUntilAnswered(port, header, nextPiece, { timeLimitMs = 30000, localAddress } = {}) {
  const conn = await connectRaw(port, { localAddress });
  const started = Date.now();
  let sent = 0;
  conn.write(header);
  for (let index = 0; !conn.closed && conn.receivedBytes === 0 && Date.now() - started < timeLimitMs; index++) {
    // One pass of the event loop before each write: an answer that has
    // arrived is read before a write can fail on the closed socket (EPIPE
    // would otherwise destroy it with the answer unread).
    await new Promise((resolve) => setImmediate(resolve));
    if (conn.closed || conn.receivedBytes > 0) break;
    const chunk = nextPiece(index, sent);
    if (!chunk) break;
    conn.write(chunk);
    sent += chunk.length;
    await conn.drained();
  }
  // The answer may trail the last write; then the server should hang up.
  await conn.waitResponses(1, 5000);
  await conn.waitClosed(3000);
  const result = { responses: conn.responses(), closed: conn.closed, closedBy: conn.closedBy, sent, elapsedMs: Date.now() - started };
  conn.destroy();
  return result;
}

const booking = (n, dayOffset, minutes) => ({ provider: 'p1', service: 's30', start: slotAt(dayOffset, minutes), client: client(n) });

// ---- 1. headers ---------------------------------------------------------------------

test('a header block over 16 KiB or over 100 fields is 431; memory stays bounded', async () => {
  await withServer([], async (srv) => {
    const memory = watchMemory(srv.proc.pid);
    // A 1 MiB header line, streamed: the server must answer before it has it all.
    const line = await streamUntilAnswered(srv.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ',
      (i) => (i < 16 ? Buffer.alloc(65536, 'a') : i === 16 ? Buffer.from('\r\n\r\n') : null));
    assertProblem(line.responses[0], 431, '1 MiB header line');
    // 16,000 header fields, streamed in groups of 500.
    const group = (k) => Buffer.from(Array.from({ length: 500 }, (_, i) => `X-F${k + i}: v\r\n`).join(''));
    const fields = await streamUntilAnswered(srv.port, 'GET /healthz HTTP/1.1\r\nHost: a\r\n',
      (i) => (i < 32 ? group(i * 500) : i === 32 ? Buffer.from('\r\n') : null));
    assertProblem(fields.responses[0], 431, '16,000 header fields');
    // 101 short fields: under 16 KiB, over the field count.
    const many = await rawRequest(srv.port, head(['GET /healthz HTTP/1.1', 'Host: a', ...Array.from({ length: 101 }, (_, i) => `X-F${i}: v`)]));
    assertProblem(many.responses[0], 431, '102 header fields (12 bytes each)');
    // The request line counts too: a 64 KiB target.
    const target = await streamUntilAnswered(srv.port, 'GET /', (i) => (i < 4 ? Buffer.alloc(16384, 'a') : i === 4 ? Buffer.from(' HTTP/1.1\r\nHost: a\r\n\r\n') : null));
    const targetStatus = target.responses[0]?.status;
    assert.ok([414, 431].includes(targetStatus) && isProblem(target.responses[0]), `64 KiB request target: ${targetStatus}`);
    // A request within both limits still works: the limit is not a blanket refusal.
    const fine = await rawRequest(srv.port, head(['GET /healthz HTTP/1.1', 'Host: a', ...Array.from({ length: 60 }, (_, i) => `X-F${i}: ${'v'.repeat(100)}`)]));
    assert.equal(fine.responses[0]?.status, 200, '61 fields, 7 KiB');
    const { growthMiB } = memory.stop();
    assert.ok(growthMiB < 20, `RSS grew ${growthMiB.toFixed(1)} MiB (bound 20)`);
    await assertStillUp(srv);
  });
});

// ---- 2. bodies ---------------------------------------------------------------------

test('an API body over 64 KiB is 413 however it is framed, answered early; memory stays bounded', async () => {
  await withServer([], async (srv) => {
    const memory = watchMemory(srv.proc.pid);
    const post = (framing) => `POST /v1/bookings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nIdempotency-Key: ${newKey()}\r\n${framing}\r\n\r\n`;
    const whole = Buffer.alloc(70000, ' ');
    const small = await rawRequest(srv.port, [Buffer.from(post(`Content-Length: ${whole.length}`)), whole], { timeoutMs: 10000 });
    assertProblem(small.responses[0], 413, '70,000-byte body with Content-Length');
    assert.equal(small.responses[0].json.code, 'PAYLOAD_TOO_LARGE');

    const total = 256 * MiB, piece = Buffer.alloc(65536, ' ');
    const declared = await streamUntilAnswered(srv.port, post(`Content-Length: ${total}`), (i, sent) => (sent < total ? piece : null));
    assertProblem(declared.responses[0], 413, 'Content-Length: 256 MiB, streamed');
    assert.ok(declared.closed, 'the server closes the connection after refusing a 256 MiB body');
    assert.ok(declared.sent < 64 * MiB, `the server stopped the upload early (${(declared.sent / MiB).toFixed(1)} MiB sent)`);

    const chunk = Buffer.concat([Buffer.from('10000\r\n'), piece, Buffer.from('\r\n')]);
    const chunked = await streamUntilAnswered(srv.port, post('Transfer-Encoding: chunked'), (i, sent) => (sent < total ? chunk : null));
    assertProblem(chunked.responses[0], 413, '256 MiB chunked body, streamed');
    assert.ok(chunked.closed, 'the server closes the connection after refusing a 256 MiB chunked body');
    assert.ok(chunked.sent < 64 * MiB, `the server stopped the chunked upload early (${(chunked.sent / MiB).toFixed(1)} MiB sent)`);

    // 70,000 one-byte chunks: small pieces add up all the same.
    const tiny = Buffer.from('1\r\na\r\n'.repeat(1000));
    const tinyChunks = await streamUntilAnswered(srv.port, post('Transfer-Encoding: chunked'), (i) => (i < 70 ? tiny : i === 70 ? Buffer.from('0\r\n\r\n') : null));
    assertProblem(tinyChunks.responses[0], 413, '70,000 one-byte chunks');

    // Bytes that are not body but must be bounded as well: a chunk extension and trailers.
    const extension = await streamUntilAnswered(srv.port, post('Transfer-Encoding: chunked') + '1;ext=', (i) => (i < 16 ? Buffer.alloc(65536, 'e') : i === 16 ? Buffer.from('\r\na\r\n0\r\n\r\n') : null));
    const extensionAnswer = extension.responses[0];
    assert.ok(extensionAnswer && [400, 413, 431].includes(extensionAnswer.status) && isProblem(extensionAnswer), `1 MiB chunk extension: ${extensionAnswer?.status}`);
    const trailerLines = Buffer.from('X-Trailer: vvvvvvvvvvvvvvvvvvvv\r\n'.repeat(2000));
    const trailers = await streamUntilAnswered(srv.port, post('Transfer-Encoding: chunked') + '2\r\n{}\r\n0\r\n', (i) => (i < 16 ? trailerLines : i === 16 ? Buffer.from('\r\n') : null));
    const trailerAnswer = trailers.responses[0];
    assert.ok(trailerAnswer && [400, 413, 431].includes(trailerAnswer.status) && isProblem(trailerAnswer), `1 MiB of trailers: ${trailerAnswer?.status}`);

    // Expect: 100-continue with a declared 256 MiB: refused at once, not invited.
    const expecting = await rawRequest(srv.port, post(`Content-Length: ${total}\r\nExpect: 100-continue`), { timeoutMs: 3000 });
    assertProblem(expecting.responses[0], 413, 'Expect: 100-continue with Content-Length 256 MiB');

    const { growthMiB } = memory.stop();
    assert.ok(growthMiB < 30, `RSS grew ${growthMiB.toFixed(1)} MiB (bound 30)`);
    await assertStillUp(srv);
  });
});

test('a request Content-Encoding (gzip and brotli bombs) is 415 before anything is inflated', async () => {
  // 60 MiB of zeros gzip to 61 KB, under the 64 KiB limit, so only the
  // encoding can refuse it; 100 MiB gzip to 100 KB, over it (413 or 415).
  const gzipBomb = zlib.gzipSync(Buffer.alloc(60 * MiB), { level: 9 });
  const bigGzipBomb = zlib.gzipSync(Buffer.alloc(100 * MiB), { level: 9 });
  const brotliBomb = zlib.brotliCompressSync(Buffer.alloc(100 * MiB));
  assert.ok(gzipBomb.length < 65536 && brotliBomb.length < 1024);
  await withServer([], async (srv) => {
    const memory = watchMemory(srv.proc.pid);
    const send = (encoding, body, chunked = false) => {
      const framing = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${body.length}`;
      const payload = chunked ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]) : body;
      return rawRequest(srv.port, [head(['POST /v1/bookings HTTP/1.1', 'Host: a', 'Content-Type: application/json',
        `Content-Encoding: ${encoding}`, `Idempotency-Key: ${newKey()}`, framing]), payload], { timeoutMs: 10000 });
    };
    assertProblem((await send('gzip', gzipBomb)).responses[0], 415, 'gzip bomb (61 KB -> 60 MiB)');
    assertProblem((await send('br', brotliBomb)).responses[0], 415, 'brotli bomb (172 B -> 100 MiB)');
    assertProblem((await send('br', brotliBomb, true)).responses[0], 415, 'brotli bomb, chunked');
    assertProblem((await send('gzip', gzipBomb, true)).responses[0], 415, 'gzip bomb, chunked');
    assertProblem((await send('deflate', zlib.deflateSync(Buffer.from('{}')))).responses[0], 415, 'deflate');
    const big = (await send('gzip', bigGzipBomb)).responses[0];
    assert.ok(big && [413, 415].includes(big.status) && isProblem(big), `100 KB gzip bomb: ${big?.status} ${big?.text.slice(0, 100)}`);
    const { growthMiB } = memory.stop();
    assert.ok(growthMiB < 20, `RSS grew ${growthMiB.toFixed(1)} MiB (bound 20)`);
    await assertStillUp(srv);
  });
});

// ---- 3. request smuggling --------------------------------------------------------

// What a desynchronised parser would answer as a request of its own.
const smuggled = 'GET /v1/providers/p1/snapshot HTTP/1.1\r\nHost: a\r\n\r\n';

test('smuggling building blocks are 400 and the connection is closed; nothing behind them is answered', async () => {
  const post = (...fields) => ['POST /v1/bookings HTTP/1.1', 'Host: a', 'Content-Type: application/json', `Idempotency-Key: ${newKey()}`, ...fields];
  const cases = {
    'Content-Length with Transfer-Encoding': head(post('Content-Length: 5', 'Transfer-Encoding: chunked')) + '0\r\n\r\n',
    'Transfer-Encoding before Content-Length': head(post('Transfer-Encoding: chunked', 'Content-Length: 40')) + '0\r\n\r\n',
    'two equal Content-Lengths': head(post('Content-Length: 2', 'Content-Length: 2')) + '{}',
    'two different Content-Lengths': head(post('Content-Length: 2', 'Content-Length: 52')) + '{}',
    'a Content-Length list': head(post('Content-Length: 2, 2')) + '{}',
    'Content-Length 2x': head(post('Content-Length: 2x')) + '{}',
    'Content-Length +2': head(post('Content-Length: +2')) + '{}',
    'Content-Length -2': head(post('Content-Length: -2')) + '{}',
    'Content-Length 0x2': head(post('Content-Length: 0x2')) + '{}',
    'Content-Length 2.0': head(post('Content-Length: 2.0')) + '{}',
    'empty Content-Length': head(post('Content-Length: ')) + '{}',
    'GET with a body': head(['GET /healthz HTTP/1.1', 'Host: a', 'Content-Length: 5']) + 'hello',
    'GET with a chunked body': head(['GET /healthz HTTP/1.1', 'Host: a', 'Transfer-Encoding: chunked']) + '5\r\nhello\r\n0\r\n\r\n',
    'HEAD with a body': head(['HEAD /healthz HTTP/1.1', 'Host: a', 'Content-Length: 5']) + 'hello',
    'OPTIONS with a body': head(['OPTIONS /v1/bookings HTTP/1.1', 'Host: a', 'Origin: https://x.test',
      'Access-Control-Request-Method: POST', 'Content-Length: 5']) + 'hello',
  };
  await withServer([], async (srv) => {
    const failures = [];
    for (const [name, bytes] of Object.entries(cases)) {
      const isHead = bytes.startsWith('HEAD');  // its answer has no body to check
      const r = await rawRequest(srv.port, Buffer.from(bytes + smuggled, 'latin1'), { expect: 2, timeoutMs: 3000, bodiless: isHead ? 1 : 0 });
      const statuses = r.responses.map((x) => x.status);
      if (statuses.length !== 1 || statuses[0] !== 400 || !(isHead || isProblem(r.responses[0]))) failures.push(`${name}: answers ${JSON.stringify(statuses)}`);
      if (!r.closed) failures.push(`${name}: connection left open`);
    }
    assert.deepEqual(failures, []);
    await assertStillUp(srv);
  });
});

// Beyond the brief's list, by RFC 9112 7.1: a chunked body is framed by its
// size lines, extensions and trailer fields, and a parser that skips what it
// does not understand there can disagree with a proxy about where the
// message ends. The same rule as for the head: refuse and close.
test('malformed chunked framing (sizes, extensions, trailer fields) is refused and the connection closed', async () => {
  const post = ['POST /v1/bookings HTTP/1.1', 'Host: a', 'Content-Type: application/json', 'Idempotency-Key: chunked-framing', 'Transfer-Encoding: chunked'];
  const cases = {
    'size zz': 'zz\r\n{}\r\n0\r\n\r\n',
    'size -1': '-1\r\n{}\r\n0\r\n\r\n',
    'size 0x2': '0x2\r\n{}\r\n0\r\n\r\n',
    'size with inner space': '2 2\r\n{}\r\n0\r\n\r\n',
    'size past 64 bits': '10000000000000002\r\n{}\r\n0\r\n\r\n',
    'no CRLF after the data': '2\r\n{}XX0\r\n\r\n',
    'extension name not a token': '2;@@@\r\n{}\r\n0\r\n\r\n',
    'extension with an unterminated quote': '2;a="x\r\n{}\r\n0\r\n\r\n',
    'trailer line without a colon': '2\r\n{}\r\n0\r\nnot a field\r\n\r\n',
    'trailer obs-fold': '2\r\n{}\r\n0\r\nX-T: a\r\n b\r\n\r\n',
    'trailer with NUL': '2\r\n{}\r\n0\r\nX-T: a\u0000b\r\n\r\n',
  };
  await withServer([], async (srv) => {
    const failures = [];
    for (const [name, body] of Object.entries(cases)) {
      // Two answers or a close, whichever comes first: a second answer is the failure.
      const r = await rawRequest(srv.port, Buffer.from(head(post) + body + smuggled, 'latin1'), { expect: 2, timeoutMs: 3000 });
      const statuses = r.responses.map((x) => x.status);
      if (statuses.length !== 1 || ![400, 413].includes(statuses[0]) || !isProblem(r.responses[0])) failures.push(`${name}: answers ${JSON.stringify(statuses)}`);
      else if (!r.closed) failures.push(`${name}: connection left open`);
    }
    assert.deepEqual(failures, []);
    await assertStillUp(srv);
  });
});

// RFC 9112 3.2: Host is how an origin server tells its names apart; a
// request without one, or with two that a proxy and the server could each
// pick differently, is refused like any other framing ambiguity.
test('Host (RFC 9112 3.2): HTTP/1.1 without Host, two Host fields or an invalid value is 400 and closed; HTTP/1.0 without Host is served', async () => {
  const refused = {
    'HTTP/1.1 without Host': ['GET /healthz HTTP/1.1'],
    'two equal Host fields': ['GET /healthz HTTP/1.1', 'Host: a', 'Host: a'],
    'two different Host fields': ['GET /healthz HTTP/1.1', 'Host: a', 'host: b'],
    'HTTP/1.0 with two Host fields': ['GET /healthz HTTP/1.0', 'Host: a', 'Host: b'],
    'Host with a space': ['GET /healthz HTTP/1.1', 'Host: a b'],
    'Host with a path': ['GET /healthz HTTP/1.1', 'Host: a/b'],
    'Host with userinfo': ['GET /healthz HTTP/1.1', 'Host: user@a'],
    'Host with a bad port': ['GET /healthz HTTP/1.1', 'Host: a:80x'],
    'Host with a six-digit port': ['GET /healthz HTTP/1.1', 'Host: a:123456'],
    'Host with a port and no host': ['GET /healthz HTTP/1.1', 'Host: :80'],
    'Host with an unclosed IPv6 literal': ['GET /healthz HTTP/1.1', 'Host: [::1'],
    'Host with a bad IPv6 literal': ['GET /healthz HTTP/1.1', 'Host: [zz::1]'],
    'Host with a bad percent escape': ['GET /healthz HTTP/1.1', 'Host: a%zz'],
    'Host as a URL': ['GET /healthz HTTP/1.1', 'Host: http://a'],
    'POST without Host': ['POST /v1/bookings HTTP/1.1', 'Content-Type: application/json', 'Content-Length: 2'],
  };
  const served = {
    'HTTP/1.0 without Host': ['GET /healthz HTTP/1.0'],
    'HTTP/1.0 with a Host': ['GET /healthz HTTP/1.0', 'Host: a'],
    'an empty Host (RFC 9112 3.2)': ['GET /healthz HTTP/1.1', 'Host:'],
    'Host with a port': ['GET /healthz HTTP/1.1', 'Host: 127.0.0.1:8080'],
    'Host as an IPv6 literal': ['GET /healthz HTTP/1.1', 'Host: [::1]:8080'],
    'Host in capitals': ['GET /healthz HTTP/1.1', 'HOST: Example.COM'],
    'Host with sub-delims and an escape': ['GET /healthz HTTP/1.1', "Host: a-b_c~d!$&'()*+,;=%41"],
  };
  await withServer([], async (srv) => {
    const failures = [];
    for (const [name, lines] of Object.entries(refused)) {
      const bytes = head(lines) + (lines[0].startsWith('POST') ? '{}' : '');
      const r = await rawRequest(srv.port, Buffer.from(bytes + smuggled, 'latin1'), { expect: 2, timeoutMs: 3000 });
      const statuses = r.responses.map((x) => x.status);
      if (statuses.length !== 1 || statuses[0] !== 400 || !isProblem(r.responses[0]) || r.responses[0].json.code !== 'INVALID_REQUEST')
        failures.push(`${name}: answers ${JSON.stringify(statuses)} ${r.responses[0]?.text.slice(0, 120) ?? ''}`);
      else if (!r.closed) failures.push(`${name}: connection left open`);
    }
    for (const [name, lines] of Object.entries(served)) {
      const r = await rawRequest(srv.port, head([...lines, 'Connection: close']), { waitClose: true, timeoutMs: 3000 });
      const answer = r.responses[0];
      if (r.responses.length !== 1 || answer.status !== 200 || answer.json?.status !== 'ok')
        failures.push(`${name}: answers ${JSON.stringify(r.responses.map((x) => x.status))} ${answer?.text.slice(0, 120) ?? ''}`);
    }
    assert.deepEqual(failures, []);
    await assertStillUp(srv);
  });
});

// RFC 9112 3.2.2-3.2.4: a server must accept the absolute form (the path is
// the target's, the Host field's value is not used); the authority form is
// CONNECT's only and the asterisk form OPTIONS's only.
test('request-target forms (RFC 9112 3.2): absolute-form is served from its path, CONNECT and misplaced authority or asterisk forms are 400, OPTIONS * is 204 without CORS', async () => {
  await withServer([], async (srv) => {
    const origin = `http://127.0.0.1:${srv.port}`;
    const failures = [];
    const one = async (lines, check, name) => {
      const r = await rawRequest(srv.port, head([...lines, 'Connection: close']), { waitClose: true, timeoutMs: 3000 });
      const answer = r.responses[0];
      const problem = r.responses.length !== 1 ? `answers ${JSON.stringify(r.responses.map((x) => x.status))}` : check(answer);
      if (problem) failures.push(`${name}: ${problem} (${answer?.status} ${answer?.text.slice(0, 120) ?? ''})`);
      return r;
    };
    const health = (x) => (x.status === 200 && x.json?.status === 'ok' ? null : 'not the health answer');
    await one([`GET ${origin}/healthz HTTP/1.1`, 'Host: other.example'], health, 'absolute-form, another Host');
    await one([`GET HTTP://127.0.0.1:${srv.port}/healthz HTTP/1.1`, `Host: 127.0.0.1:${srv.port}`], health, 'absolute-form, scheme in capitals');
    await one([`GET https://localhost/healthz HTTP/1.1`, 'Host: localhost'], health, 'absolute-form https');
    await one([`GET http://[::1]:8080/healthz HTTP/1.0`], health, 'absolute-form with an IPv6 literal, HTTP/1.0 without Host');
    await one([`GET ${origin}/v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-30 HTTP/1.1`, 'Host: a'],
      (x) => (x.status === 200 && typeof x.json?.generated_at === 'string' && x.headers['access-control-allow-origin'] === '*' ? null : 'not the snapshot'),
      'absolute-form with a query');
    await one([`GET ${origin}/no/such/path HTTP/1.1`, 'Host: a'], (x) => (x.status === 404 && isProblem(x) ? null : 'not 404'), 'absolute-form, unknown path');
    const badRequest = (x) => (x.status === 400 && isProblem(x) && x.json.code === 'INVALID_REQUEST' ? null : 'not 400 INVALID_REQUEST');
    for (const [name, line] of Object.entries({
      'absolute-form with userinfo': 'GET http://user:pw@127.0.0.1/healthz HTTP/1.1',
      'absolute-form with an empty host': 'GET http:///healthz HTTP/1.1',
      'absolute-form of another scheme': 'GET ftp://127.0.0.1/healthz HTTP/1.1',
      'absolute-form with a bad port': 'GET http://127.0.0.1:80x/healthz HTTP/1.1',
      'absolute-form with a fragment': 'GET http://127.0.0.1#x HTTP/1.1',
      'authority-form on GET': 'GET 127.0.0.1:443 HTTP/1.1',
      'CONNECT in authority-form': 'CONNECT 127.0.0.1:443 HTTP/1.1',
      'CONNECT in origin-form': 'CONNECT /healthz HTTP/1.1',
      'asterisk-form on GET': 'GET * HTTP/1.1',
      'asterisk-form on POST': 'POST * HTTP/1.1',
    })) {
      const r = await one([line, 'Host: a'], badRequest, name);
      if (!r.closed) failures.push(`${name}: connection left open`);
    }
    const serverWide = (x) => (x.status === 204 && /\bGET\b/.test(x.headers.allow || '') && x.headers['access-control-allow-origin'] === undefined
      ? null : `not 204 with Allow and no CORS: ${JSON.stringify(x.headers)}`);
    await one(['OPTIONS * HTTP/1.1', 'Host: a', 'Origin: https://x.test', 'Access-Control-Request-Method: POST'], serverWide, 'OPTIONS *');
    await one([`OPTIONS ${origin} HTTP/1.1`, 'Host: a'], serverWide, 'OPTIONS in absolute-form with an empty path');
    // Still a preflight on the widget's paths when the target is absolute.
    await one([`OPTIONS ${origin}/v1/bookings HTTP/1.1`, 'Host: a', 'Origin: https://x.test', 'Access-Control-Request-Method: POST'],
      (x) => (x.status === 204 && x.headers['access-control-allow-origin'] === '*' ? null : 'not a preflight'), 'preflight in absolute-form');
    assert.deepEqual(failures, []);
    await assertStillUp(srv);
  });
});

test('a body after a 429 is skipped, never parsed as a second request', async () => {
  await withServer(['--rate-limit', '1:1'], async (srv) => {
    const post = (body) => `POST /v1/bookings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nIdempotency-Key: ${newKey()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const bytes = post('{}') + post(smuggled) + post(smuggled) + 'GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n';
    const r = await rawRequest(srv.port, Buffer.from(bytes), { waitClose: true, timeoutMs: 5000, localAddress: '127.0.9.1' });
    const statuses = r.responses.map((x) => x.status);
    assert.ok(statuses.includes(429), `a 429 among ${JSON.stringify(statuses)}`);
    assert.ok(!r.responses.some((x) => /generated_at/.test(x.text)), `a smuggled snapshot was answered: ${JSON.stringify(statuses)}`);
    assert.ok(statuses.length <= 4, `one answer per request at most: ${JSON.stringify(statuses)}`);
    for (const x of r.responses.slice(0, 3)) assert.ok(x.status >= 400 && x.status < 500 && isProblem(x), `${x.status} ${x.text.slice(0, 100)}`);
    await assertStillUp(srv);
  });
});

test('up to 200,000 pipelined requests from a client that never reads: the server stops reading, memory stays bounded', async () => {
  await withServer([], async (srv) => {
    const memory = watchMemory(srv.proc.pid);
    const conn = await connectRaw(srv.port, { localAddress: '127.0.13.1' });
    conn.socket.pause();  // never read: the answers can only pile up in the server
    const batch = Buffer.from('GET /v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-25 HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(1000));
    const started = Date.now();
    let batches = 0;
    // The client's socket holds what the server does not take; stop at 200 batches or 5 s.
    while (batches < 200 && !conn.closed && Date.now() - started < 5000) {
      conn.write(batch);
      batches++;
      for (const waitStarted = Date.now(); conn.socket.writableNeedDrain && !conn.closed && Date.now() - waitStarted < 200;) await sleep(20);
    }
    await sleep(1500);
    const { baseMiB, peakMiB, growthMiB } = memory.stop();
    console.log(`# pipelining without reading: ${batches * 1000} requests written, ${(conn.socket.writableLength / MiB).toFixed(1)} MiB still queued in the client; server RSS ${baseMiB.toFixed(1)} -> peak ${peakMiB.toFixed(1)} MiB`);
    conn.destroy();
    assert.ok(growthMiB < 30, `RSS grew ${growthMiB.toFixed(1)} MiB (bound 30)`);
    await assertStillUp(srv);
  });
});

// ---- 4. slow clients ----------------------------------------------------------------

test('slow clients are cut off (body at 1 byte/s, slow headers, idle keep-alive) while others are served', async () => {
  await withServer([], async (srv) => {
    const started = Date.now();
    const slowBody = await connectRaw(srv.port, { localAddress: '127.0.10.1' });
    slowBody.write(`POST /v1/bookings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nIdempotency-Key: ${newKey()}\r\nContent-Length: 200\r\n\r\n`);
    const slowHeader = await connectRaw(srv.port, { localAddress: '127.0.10.2' });
    slowHeader.write('GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ');
    const silent = await connectRaw(srv.port, { localAddress: '127.0.10.3' });
    const idle = await connectRaw(srv.port, { localAddress: '127.0.10.4' });
    idle.write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.ok(await idle.waitResponses(1, 3000) && idle.responses()[0]?.status === 200, 'keep-alive request answered');
    const idleSince = Date.now();

    let ticks = 0;
    const dripping = setInterval(() => {
      ticks++;
      slowBody.write(' ');
      if (ticks % 2 === 0) slowHeader.write('a');
    }, 1000);
    // A normal client meanwhile: one request every 500 ms, each answered fast.
    const others = [];
    try {
      while (!(slowBody.closed && slowHeader.closed && silent.closed && idle.closed) && Date.now() - started < 32000) {
        const t0 = Date.now();
        const r = await request(srv.url, 'GET', '/v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-30', { timeoutMs: 2000 }).catch((e) => ({ status: e.message }));
        others.push({ status: r.status, ms: Date.now() - t0 });
        await sleep(500);
      }
    } finally {
      clearInterval(dripping);
    }
    const lived = (c, since = started) => (c.closed ? `${((c.closedAt - since) / 1000).toFixed(1)} s` : 'still open');
    const report = `slow body ${lived(slowBody)}, slow header ${lived(slowHeader)}, silent ${lived(silent)}, idle keep-alive ${lived(idle, idleSince)}`;
    console.log(`# slow clients: ${report}; normal client ${others.length} requests, slowest ${Math.max(...others.map((o) => o.ms))} ms`);
    for (const c of [slowBody, slowHeader, silent, idle]) c.destroy();
    assert.ok(slowBody.closed && slowBody.closedBy !== 'us', `slow body closed by the server (${report})`);
    assert.ok(slowBody.closedAt - started <= 30000, `slow body cut off within 30 s (${report})`);
    for (const r of slowBody.responses()) assert.equal(r.status, 408, 'a slow body is answered 408 or closed');
    assert.ok(slowHeader.closedBy !== 'us' && slowHeader.closedAt - started <= 13000, `slow header cut off after the 10 s header timeout (${report})`);
    for (const r of slowHeader.responses()) assert.equal(r.status, 408, 'a slow header is answered 408 or closed');
    assert.ok(silent.closedBy !== 'us' && silent.closedAt - started <= 13000, `a silent connection is closed within the header timeout (${report})`);
    assert.ok(idle.closedBy !== 'us' && idle.closedAt - idleSince <= 7500, `idle keep-alive closed after the 5 s idle timeout (${report})`);
    assert.ok(others.length >= 5, `the normal client made ${others.length} requests`);
    const bad = others.filter((o) => o.status !== 200 || o.ms > 1000);
    assert.deepEqual(bad, [], `every request of the normal client answered 200 within 1 s meanwhile (${report})`);
    await assertStillUp(srv);
  });
});

// Keeps `count` connections open from the given source addresses (an
// attacker reopens what the server closes) until stop(). With `drip`, each
// connection sends a partial header line and then one byte every 3 s.
function holdCrowd(port, { count, addresses, drip = false, maxReopens = 5 * count }) {
  const live = new Set();
  const history = [];  // every connection ever opened: { conn, openedAt }
  let stopped = false, reopens = 0, failedOpens = 0;
  const open = async (address) => {
    const conn = await connectRaw(port, { localAddress: address, timeoutMs: 5000 });
    const entry = { conn, openedAt: Date.now() };
    history.push(entry);
    if (conn.closed) { failedOpens++; return; }
    if (drip) conn.write('GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: ');
    live.add(conn);
    conn.waitClosed(10 * 60 * 1000).then(() => {
      live.delete(conn);
      if (!stopped && conn.closedBy !== 'us' && reopens < maxReopens) { reopens++; open(address); }
    });
  };
  const dripper = drip ? setInterval(() => { for (const c of live) c.write('a'); }, 3000) : null;
  return {
    async start() {
      for (let i = 0; i < count; i += 250)
        await Promise.all(Array.from({ length: Math.min(250, count - i) }, (_, k) => open(addresses[(i + k) % addresses.length])));
    },
    get open() { return live.size; },
    get failedOpens() { return failedOpens; },
    get reopens() { return reopens; },
    history,
    stopReopening() { stopped = true; if (dripper) clearInterval(dripper); },
    destroyAll() { stopped = true; if (dripper) clearInterval(dripper); for (const { conn } of history) conn.destroy(); },
  };
}

const addressRange = (prefix, n) => Array.from({ length: n }, (_, i) => `${prefix}.${i + 1}`);
const percentile = (values, p) => { const s = [...values].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]; };

test('2,000 idle and 200 slow-header connections: a normal client is answered, p99 under 100 ms', async () => {
  await withServer([], async (srv) => {
    const memory = watchMemory(srv.proc.pid);
    const idle = holdCrowd(srv.port, { count: 2000, addresses: addressRange('127.0.1', 20) });
    const slow = holdCrowd(srv.port, { count: 200, addresses: addressRange('127.0.2', 4), drip: true });
    try {
      await idle.start();
      await slow.start();
      assert.equal(idle.failedOpens + slow.failedOpens, 0, 'every attacking connection is accepted (below both caps)');
      const openAtStart = idle.open + slow.open;
      const latencies = [], failures = [];
      const runStarted = Date.now();
      for (let i = 0; i < 200 && Date.now() - runStarted < 60000; i++) {
        const t0 = process.hrtime.bigint();
        const isBooking = i % 4 === 0;
        const expected = isBooking ? 201 : 200;
        const r = await (isBooking
          ? request(srv.url, 'POST', '/v1/bookings', { body: booking(1000 + i, 1 + Math.floor(i / 80), 60 + 30 * ((i / 4) % 20)), headers: { 'idempotency-key': newKey() }, timeoutMs: 2000 })
          : request(srv.url, 'GET', '/v1/providers/p1/snapshot?from=2026-11-24&to=2026-12-07', { timeoutMs: 2000 })
        ).catch((e) => ({ status: e.message }));
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        if (r.status !== expected) failures.push(`#${i}: ${r.status} ${r.text?.slice(0, 120) ?? ''}`);
        if (failures.length >= 10) break;  // the server is not serving: no need to wait out every timeout
      }
      const openAtEnd = idle.open + slow.open;
      const p50 = percentile(latencies, 0.5), p99 = percentile(latencies, 0.99);
      const { peakMiB, growthMiB } = memory.stop();
      console.log(`# normal client: ${latencies.length} requests, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms; attackers open ${openAtStart} -> ${openAtEnd}, reopened ${idle.reopens + slow.reopens}; server RSS peak ${peakMiB.toFixed(1)} MiB (+${growthMiB.toFixed(1)})`);
      assert.deepEqual(failures, [], 'every request of the normal client answered as expected');
      assert.equal(latencies.length, 200);
      assert.ok(p99 < 100, `p99 ${p99.toFixed(1)} ms (bound 100)`);
      assert.ok(openAtEnd >= 2000, `the attack was held during the run (${openAtEnd} open)`);
      assert.ok(growthMiB < 64, `RSS grew ${growthMiB.toFixed(1)} MiB with 2,200 connections (bound 64)`);

      // Then the server itself gets rid of them: nothing sent is not a reason to stay.
      idle.stopReopening();
      slow.stopReopening();
      const all = [...idle.history, ...slow.history];
      const deadline = Date.now() + 15000;
      while (all.some(({ conn }) => !conn.closed) && Date.now() < deadline) await sleep(250);
      const lingering = all.filter(({ conn }) => !conn.closed || conn.closedBy === 'us').length;
      const worst = Math.max(0, ...all.filter(({ conn }) => conn.closed && conn.closedBy !== 'us').map(({ conn, openedAt }) => conn.closedAt - openedAt));
      console.log(`# after the run: ${lingering} of ${all.length} connections still open after 15 s; longest lived ${(worst / 1000).toFixed(1)} s`);
      assert.equal(lingering, 0, 'the server closes idle and slow-header connections by itself');
      assert.ok(worst <= 12500, `no connection without a complete request lives past the header timeout (longest ${(worst / 1000).toFixed(1)} s)`);
      await assertStillUp(srv);
    } finally {
      idle.destroyAll();
      slow.destroyAll();
    }
  });
});

// The attackers of the next test, in a child process of their own, so that
// the measuring client's event loop is not the one their answers saturate.
// Arguments: port, addresses (127.0.S.1 and on), connections per address, run
// time in ms, S. Prints {"ok":N,"busy":M,"refusal":"..."} (answers 200 and
// 503 by their status lines, the start of the first 503) every 250 ms.
const busyAttackers = `
const net = require('node:net');
const [port, addresses, perAddress, runMs, subnet] = process.argv.slice(1).map(Number);
const query = 'GET /v1/providers/p1/slots?service=s30&from=2026-11-24&to=2027-02-20 HTTP/1.1\\r\\nHost: a\\r\\nAccept-Encoding: gzip\\r\\n\\r\\n'.repeat(4);
let ok = 0, busy = 0, refusal = '';
const sockets = [];
for (let a = 1; a <= addresses; a++)
  for (let i = 0; i < perAddress; i++) {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.' + subnet + '.' + a });
    socket.setEncoding('latin1');
    socket.on('data', (text) => {
      ok += (text.match(/HTTP\\/1\\.1 200 /g) || []).length;
      busy += (text.match(/HTTP\\/1\\.1 503 /g) || []).length;
      if (!refusal && text.includes('HTTP/1.1 503 ')) refusal = text.slice(text.indexOf('HTTP/1.1 503 '), text.indexOf('HTTP/1.1 503 ') + 700);
    });
    socket.on('error', () => {});
    sockets.push(socket);
  }
setInterval(() => { for (const s of sockets) if (!s.destroyed && s.writableLength < 4096) s.write(query); }, 20);
setInterval(() => console.log(JSON.stringify({ ok, busy, refusal })), 250);
setTimeout(() => process.exit(0), runMs);
`;

// Beyond the brief's list: the same outage as idle sockets, with busy ones.
// 200 connections from 4 addresses (within every cap) keep the workers busy
// with pipelined 90-day slots queries (gzip, as a browser asks: the workers,
// not the loopback copies, are then the bottleneck); GETs have no rate limit.
// With one FIFO for all, another client's request waited behind everything
// they had queued (median 0.5 s, up to 2.5 s here). The worker queue is fair
// across addresses (fewest running first, a few workers kept for addresses
// with nothing running), so the other client's request starts at once and
// only shares the cores. Bounds with room for a loaded 2-core machine.
test('busy connections from 4 addresses (pipelined 90-day slots queries) do not starve another client (median under 75 ms, max under 2 s)', async () => {
  await withServer([], async (srv) => {
    const attackers = spawn(process.execPath, ['-e', busyAttackers, String(srv.port), '4', '50', '90000', '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let counts = { ok: 0, busy: 0 };
    attackers.stdout.setEncoding('utf8');
    attackers.stdout.on('data', (text) => { const last = text.trim().split('\n').pop(); try { counts = JSON.parse(last); } catch {} });
    const answers = [];
    let answeredBefore = 0, answeredDuring = 0;
    try {
      await sleep(2000);
      answeredBefore = counts.ok;
      const started = Date.now();
      for (let i = 0; i < 40 && Date.now() - started < 60000 && answers.filter((x) => x.status !== 200).length < 3; i++) {
        const t0 = process.hrtime.bigint();
        const r = await request(srv.url, 'GET', '/v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-30', { timeoutMs: 16000, localAddress: '127.0.20.9' })
          .catch((e) => ({ status: e.message }));
        answers.push({ status: r.status, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        await sleep(20);
      }
      await sleep(300);
      answeredDuring = counts.ok - answeredBefore;
    } finally {
      attackers.kill('SIGKILL');
    }
    const ms = answers.map((x) => x.ms);
    const median = percentile(ms, 0.5), max = Math.max(...ms);
    console.log(`# busy attackers: ${counts.ok} answered 200 (${answeredDuring} while the other client ran), ${counts.busy} refused 503; ` +
      `the other client: ${answers.length} snapshots, median ${median.toFixed(1)} ms, max ${max.toFixed(1)} ms, statuses ${JSON.stringify([...new Set(answers.map((x) => x.status))])}`);
    assert.deepEqual(answers.filter((x) => x.status !== 200), [], 'every request of the other client answered 200');
    assert.equal(answers.length, 40, 'the other client made all its requests');
    assert.ok(answeredDuring >= 40, `the busy connections were being served meanwhile (${answeredDuring} answers)`);
    assert.ok(median < 75, `the other client's median ${median.toFixed(1)} ms (bound 75)`);
    // The median is what fairness decides (FIFO gave 175-800 ms); one slow
    // answer is left room for a CI machine running other suites beside this one.
    assert.ok(max < 2000, `the other client's slowest answer ${max.toFixed(1)} ms (bound 2,000)`);
    await assertStillUp(srv);
  });
});

// The cap on one address's requests in the server (queued or running): 100,
// below the 128 connections an address may hold, so that it bites first.
test('per-address work cap: 128 busy connections from one address get 503 SERVER_BUSY with Retry-After beyond 100 in the server; another address is answered', async () => {
  await withServer([], async (srv) => {
    const attackers = spawn(process.execPath, ['-e', busyAttackers, String(srv.port), '1', '128', '60000', '21'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let counts = { ok: 0, busy: 0, refusal: '' };
    attackers.stdout.setEncoding('utf8');
    attackers.stdout.on('data', (text) => { const last = text.trim().split('\n').pop(); try { counts = JSON.parse(last); } catch {} });
    const others = [];
    try {
      const started = Date.now();
      while (Date.now() - started < 30000 && (counts.busy === 0 || others.length < 10)) {
        const t0 = process.hrtime.bigint();
        const r = await request(srv.url, 'GET', '/v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-30', { timeoutMs: 10000, localAddress: '127.0.21.9' })
          .catch((e) => ({ status: e.message }));
        others.push({ status: r.status, ms: Number(process.hrtime.bigint() - t0) / 1e6 });
        await sleep(100);
      }
      await sleep(300);
    } finally {
      attackers.kill('SIGKILL');
    }
    console.log(`# one address, 128 busy connections: ${counts.ok} answered 200, ${counts.busy} refused 503; another address: ${others.length} snapshots, ` +
      `statuses ${JSON.stringify([...new Set(others.map((x) => x.status))])}, max ${Math.max(...others.map((x) => x.ms)).toFixed(1)} ms`);
    assert.ok(counts.busy > 0, 'some requests of the busy address were refused');
    assert.ok(counts.ok > 0, 'the busy address was served up to its cap');
    const [statusLine, ...rest] = counts.refusal.split('\r\n');
    const refusal = rest.join('\n');
    assert.match(statusLine, /^HTTP\/1\.1 503 /);
    assert.match(refusal, /^retry-after: 1$/im, 'a Retry-After on the 503');
    assert.match(refusal, /application\/problem\+json/i);
    assert.match(refusal, /"code":"SERVER_BUSY"/);
    assert.deepEqual(others.filter((x) => x.status !== 200), [], 'the other address is answered 200, never refused');
    await assertStillUp(srv);
  });
});

// ---- 5. connection caps -------------------------------------------------------------

test('per-address cap: the 129th connection from one address is closed at once, the first 128 stay', async () => {
  await withServer([], async (srv) => {
    const first = await Promise.all(Array.from({ length: 128 }, () => connectRaw(srv.port, { localAddress: '127.0.3.1' })));
    try {
      assert.equal(first.filter((c) => c.closed).length, 0, 'the first 128 connect');
      await sleep(200);
      const extra = await connectRaw(srv.port, { localAddress: '127.0.3.1' });
      const refusedFast = await extra.waitClosed(1500);
      const extraAnswer = extra.responses()[0];
      extra.destroy();
      assert.ok(refusedFast, 'connection 129 from the same address is closed within 1.5 s');
      if (extraAnswer) assert.ok(extraAnswer.status >= 400 && extraAnswer.status < 500, `connection 129 answered ${extraAnswer.status}`);
      assert.equal(first.filter((c) => c.closed).length, 0, 'the first 128 are still open');
      // Another address is not affected.
      const other = await request(srv.url, 'GET', '/healthz', { localAddress: '127.0.3.2', timeoutMs: 3000 });
      assert.equal(other.status, 200);
      // One of the 128 still works.
      first[0].write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
      assert.ok(await first[0].waitResponses(1, 3000) && first[0].responses()[0]?.status === 200, 'a held connection is still served');
    } finally {
      for (const c of first) c.destroy();
    }
    await assertStillUp(srv);
  });
});

test('global cap: with --max-connections 300 full of idle connections a new client is answered; the oldest idle goes first', async () => {
  await withServer(['--max-connections', '300'], async (srv) => {
    const addresses = addressRange('127.0.4', 3);
    const held = [];
    try {
      // Each made idle by one finished keep-alive request; the first one alone,
      // so that it is unambiguously the oldest idle connection.
      for (let i = 0; i < 300; i += i === 0 ? 1 : 50) {
        const size = i === 0 ? 1 : Math.min(50, 300 - i);
        const batch = await Promise.all(Array.from({ length: size }, (_, k) => connectRaw(srv.port, { localAddress: addresses[(i + k) % 3] })));
        for (const c of batch) c.write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
        await Promise.all(batch.map((c) => c.waitResponses(1, 3000)));
        held.push(...batch);
        await sleep(20);
      }
      const served = held.filter((c) => !c.closed && c.responses()[0]?.status === 200).length;
      assert.equal(served, 300, 'the 300 connections were served and are open');
      const t0 = Date.now();
      const fresh = await request(srv.url, 'GET', '/healthz', { localAddress: '127.0.4.9', timeoutMs: 3000 }).catch((e) => ({ status: e.message }));
      assert.equal(fresh.status, 200, 'a new client is answered at the cap');
      assert.ok(Date.now() - t0 < 1000, `answered in ${Date.now() - t0} ms`);
      await sleep(300);
      const shed = held.map((c, i) => (c.closed ? i : -1)).filter((i) => i >= 0);
      assert.ok(shed.length >= 1 && shed.length <= 30, `a few idle connections were shed: ${JSON.stringify(shed)}`);
      assert.ok(shed.includes(0), `the oldest idle connection is among the shed ones: ${JSON.stringify(shed)}`);
    } finally {
      for (const c of held) c.destroy();
    }
    await assertStillUp(srv);
  });
});

test('connection accounting survives clients that vanish at every stage (reset mid-header, mid-body, in a worker, mid-answer, while lingering)', async () => {
  await withServer(['--web-root', webRoot, '--max-connections', '200'], async (srv) => {
    const from = '127.0.15.1';
    const stages = {
      'connect': '',
      'mid-header': 'GET /healthz HTTP/1.1\r\nHost: a\r\nX-Partial: ',
      'mid-body': `POST /v1/bookings HTTP/1.1\r\nHost: a\r\nIdempotency-Key: ${newKey()}\r\nContent-Length: 1000\r\n\r\n{"provider"`,
      'in a worker': 'GET /v1/providers/p1/slots?service=s30&from=2026-11-24&to=2027-02-20 HTTP/1.1\r\nHost: a\r\n\r\n',
      'mid-answer': `GET /${wasmName} HTTP/1.1\r\nHost: a\r\n\r\n`,
      'lingering': `GET /a\x01 HTTP/1.1\r\nHost: a\r\n\r\n${'x'.repeat(2000)}`,
    };
    for (const [stage, bytes] of Object.entries(stages)) {
      for (let round = 0; round < 2; round++) {
        const batch = await Promise.all(Array.from({ length: 50 }, () => connectRaw(srv.port, { localAddress: from })));
        for (const c of batch) {
          if (stage === 'mid-answer') c.socket.pause();
          if (bytes) c.write(Buffer.from(bytes, 'latin1'));
        }
        await sleep(stage === 'connect' ? 0 : 30);
        for (const c of batch) { if (!c.closed) c.socket.resetAndDestroy(); c.destroy(); }
      }
    }
    await sleep(500);
    // Had any of those 600 stayed counted, the address cap or the global cap would bite now.
    const held = await Promise.all([
      ...Array.from({ length: 128 }, () => connectRaw(srv.port, { localAddress: from })),
      ...Array.from({ length: 60 }, () => connectRaw(srv.port, { localAddress: '127.0.15.2' })),
    ]);
    try {
      await sleep(1000);
      const closed = held.filter((c) => c.closed).length;
      assert.equal(closed, 0, `${closed} of 188 fresh connections were closed: the counts leaked`);
      const extra = await connectRaw(srv.port, { localAddress: from });
      const refused = await extra.waitClosed(1500);
      extra.destroy();
      assert.ok(refused, 'connection 129 from the address is still refused (the count is not low either)');
    } finally {
      for (const c of held) c.destroy();
    }
    await assertStillUp(srv);
  });
});

// After a keep-alive answer the worker that wrote it waits a moment for the
// connection's next request with the socket out of the I/O threads' epoll
// set, reads it, and puts the socket back: a request in pieces, one that
// comes after the wait, and a client leaving in it must all work as before.
test('a keep-alive connection\'s next request in pieces, late, or never: answered as any other, nothing leaks', async () => {
  await withServer([], async (srv) => {
    const snapshot = 'GET /v1/providers/p1/snapshot?from=2026-11-24&to=2026-11-30 HTTP/1.1\r\nHost: a\r\n\r\n';
    const c = await connectRaw(srv.port, { localAddress: '127.0.16.1' });
    try {
      let expected = 0;
      const next = async (pieces, gapMs, status, what) => {
        for (const [i, piece] of pieces.entries()) {
          if (i) await sleep(gapMs);
          c.write(Buffer.from(piece, 'latin1'));
        }
        expected += 1;
        await c.waitFor((x) => x.closed || x.responses().length >= expected, 5000);
        assert.equal(c.responses().length, expected, `${what}: answered (closed: ${c.closed})`);
        assert.equal(c.responses()[expected - 1].status, status, `${what}: ${c.responses()[expected - 1].text.slice(0, 200)}`);
      };
      for (let i = 0; i < 50; i++) await next([snapshot], 0, 200, `back-to-back request ${i}`);
      for (const gap of [1, 5, 30]) await next([snapshot.slice(0, 20), snapshot.slice(20)], gap, 200, `a head in two pieces ${gap} ms apart`);
      const body = JSON.stringify(booking(9100, 3, 600));
      const post = `POST /v1/bookings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nIdempotency-Key: ${newKey()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
      await next([post, body], 30, 201, 'a booking whose body comes 30 ms after its head');
      await sleep(100);
      await next([snapshot], 0, 200, 'a request after the wait ran out');
      assert.ok(!c.closed, 'the connection stays open');
    } finally {
      c.destroy();
    }
    // Clients that leave during the wait (a FIN, or a reset) free their place.
    const from = '127.0.16.2';
    for (let i = 0; i < 150; i++) {
      const d = await connectRaw(srv.port, { localAddress: from });
      d.write(Buffer.from(snapshot, 'latin1'));
      await d.waitFor((x) => x.closed || x.responses().length >= 1, 5000);
      assert.equal(d.responses()[0]?.status, 200, `leaving client ${i}`);
      if (i % 2) d.socket.end();
      else d.socket.resetAndDestroy();
      d.destroy();
    }
    await sleep(500);
    // Had any of those 150 stayed counted, the address's cap of 128 would bite now.
    const held = await Promise.all(Array.from({ length: 128 }, () => connectRaw(srv.port, { localAddress: from })));
    try {
      await sleep(500);
      assert.equal(held.filter((h) => h.closed).length, 0, 'fresh connections from the address were closed: the counts leaked');
    } finally {
      for (const h of held) h.destroy();
    }
    await assertStillUp(srv);
  });
});

test('SIGTERM with 500 idle and 100 slow-header connections open: the server exits 0 within 5 s', async () => {
  const srv = await startServer(db);
  const idle = holdCrowd(srv.port, { count: 500, addresses: addressRange('127.0.16', 5), maxReopens: 0 });
  const slow = holdCrowd(srv.port, { count: 100, addresses: ['127.0.17.1'], drip: true, maxReopens: 0 });
  try {
    await idle.start();
    await slow.start();
    assert.equal(idle.open + slow.open, 600);
    const t0 = Date.now();
    srv.proc.kill('SIGTERM');
    const exit = await Promise.race([srv.exited, sleep(5000).then(() => null)]);
    assert.ok(exit, `still running ${Date.now() - t0} ms after SIGTERM with attackers connected`);
    assert.equal(exit.code, 0);
  } finally {
    idle.destroyAll();
    slow.destroyAll();
    await srv.stop();
  }
});

test('the limits follow their flags: --header-timeout 2, --idle-timeout 1, --max-connections-per-address 4', async () => {
  await withServer(['--header-timeout', '2', '--idle-timeout', '1', '--max-connections-per-address', '4'], async (srv) => {
    const started = Date.now();
    const slowHeader = await connectRaw(srv.port, { localAddress: '127.0.19.1' });
    slowHeader.write('GET /healthz HTTP/1.1\r\nHost: a\r\nX-Slow: a');
    const idle = await connectRaw(srv.port, { localAddress: '127.0.19.2' });
    idle.write('GET /healthz HTTP/1.1\r\nHost: a\r\n\r\n');
    assert.ok(await idle.waitResponses(1, 2000) && idle.responses()[0]?.status === 200);
    const idleSince = Date.now();
    const four = await Promise.all(Array.from({ length: 4 }, () => connectRaw(srv.port, { localAddress: '127.0.19.3' })));
    const fifth = await connectRaw(srv.port, { localAddress: '127.0.19.3' });
    try {
      assert.ok(await fifth.waitClosed(1000), 'the fifth connection from one address is closed');
      assert.ok(await idle.waitClosed(2500), 'idle keep-alive closed after --idle-timeout 1');
      assert.ok(idle.closedAt - idleSince >= 700 && idle.closedAt - idleSince <= 2000, `idle closed after ${idle.closedAt - idleSince} ms`);
      assert.ok(await slowHeader.waitClosed(3500), 'slow header closed after --header-timeout 2');
      assert.ok(slowHeader.closedAt - started >= 1500 && slowHeader.closedAt - started <= 3500, `slow header closed after ${slowHeader.closedAt - started} ms`);
    } finally {
      for (const c of [slowHeader, idle, fifth, ...four]) c.destroy();
    }
    await assertStillUp(srv);
  });
});

// ---- 6. static files -------------------------------------------------------------

// Raw request targets that all name the wasm file (or fail to): dot
// segments, runs of slashes, detours through other folders, encoded dots and
// letters, query strings. Each one differs from the others even after percent
// decoding, so a cache keyed by anything but the resolved file grows with it.
function wasmSpellings(name, count) {
  const encodeAt = (i, upper) => {
    const hex = name.charCodeAt(i % name.length).toString(16);
    const k = i % name.length;
    return name.slice(0, k) + `%${upper ? hex.toUpperCase() : hex}` + name.slice(k + 1);
  };
  const shapes = [
    (n) => `/${'./'.repeat(n)}${name}`,
    (n) => `${'/'.repeat(n + 1)}${name}`,
    (n) => `/d${n}/../${name}`,
    (n) => `/${'%2e/'.repeat(n)}${encodeAt(n, n % 2)}`,
    (n) => `/a/${'b/'.repeat(n)}${'../'.repeat(n + 1)}${name}`,
    (n) => `/x/${n % 2 ? '%2E%2E' : '.%2e'}/${'.//'.repeat(n)}${name}`,
    (n) => `/${encodeAt(n, true)}?v=${n}`,
    (n) => `/.${'/.'.repeat(n)}/${encodeAt(n * 3, false)}`,
  ];
  const all = new Set();
  for (let i = 0; all.size < count && i < count * 4; i++) all.add(shapes[i % shapes.length](1 + Math.floor(i / shapes.length)));
  return [...all];
}

async function mapLimited(items, limit, fn) {
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) { const i = next++; results[i] = await fn(items[i], i); }
  }));
  return results;
}

const get = (port, target, fields = []) => rawRequest(port, head([`GET ${target} HTTP/1.1`, 'Host: a', 'Connection: close', ...fields]), { timeoutMs: 5000, waitClose: true });

test('300 spellings of the wasm path: the same file or 400/404, memory bounded; no way out of the web root', async () => {
  await withServer(['--web-root', webRoot], async (srv) => {
    const canonical = await get(srv.port, `/${wasmName}`, ['Accept-Encoding: gzip']);
    assert.equal(canonical.responses[0]?.status, 200, 'the canonical path');
    const memory = watchMemory(srv.proc.pid);
    const spellings = wasmSpellings(wasmName, 300);
    assert.equal(spellings.length, 300);
    const failures = [];
    let files = 0;
    await mapLimited(spellings, 8, async (target) => {
      const r = (await get(srv.port, target, ['Accept-Encoding: gzip'])).responses[0];
      if (!r) { failures.push(`${target}: no answer`); return; }
      if (r.status === 400 || r.status === 404) return;
      if (r.status !== 200) { failures.push(`${target}: ${r.status}`); return; }
      let body = r.body;
      if (r.headers['content-encoding'] === 'gzip') body = zlib.gunzipSync(body);
      else if (r.headers['content-encoding']) { failures.push(`${target}: content-encoding ${r.headers['content-encoding']}`); return; }
      if (!body.equals(wasmBytes)) failures.push(`${target}: 200 with other bytes (${body.length})`);
      else if (r.headers['content-type'] !== 'application/wasm') failures.push(`${target}: content-type ${r.headers['content-type']}`);
      else files++;
    });
    const { baseMiB, peakMiB, growthMiB } = memory.stop();
    console.log(`# 300 spellings: ${files} answered with the file; RSS ${baseMiB.toFixed(1)} -> peak ${peakMiB.toFixed(1)} MiB`);
    assert.deepEqual(failures, []);
    assert.ok(growthMiB < 20, `RSS grew ${growthMiB.toFixed(1)} MiB over 300 spellings (bound 20)`);

    const traversals = ['/../../etc/passwd', '/../../../../../../etc/passwd', '/..%2f..%2f..%2fetc%2fpasswd', '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
      '/%2E%2E/%2E%2E/etc/passwd', '/.%2e/.%2e/.%2e/etc/passwd', '/%252e%252e/%252e%252e/etc/passwd', '/....//....//etc/passwd',
      '/..\\..\\..\\etc\\passwd', '/..%5c..%5c..%5cetc%5cpasswd', '//etc/passwd', '/x/../../../etc/passwd', '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
      '/..;/..;/etc/passwd', `/${wasmName}/../../../etc/passwd`, 'http://a/../../etc/passwd', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd'];
    for (const target of traversals) {
      const r = (await get(srv.port, target)).responses[0];
      assert.ok(r && [400, 404].includes(r.status), `${target}: ${r?.status}`);
      assert.doesNotMatch(r.text, /root:.*:0:0:/, `${target} leaked /etc/passwd`);
    }
    await assertStillUp(srv);
  });
});

test('Range: one part or none, never multipart; a single range is 206 with the exact bytes; unsatisfiable is 416', async () => {
  await withServer(['--web-root', webRoot], async (srv) => {
    const target = `/${wasmName}`;
    const size = wasmBytes.length;
    for (const [what, range] of [['200 parts 0-0', Array(200).fill('0-0').join(',')], ['50 overlapping 0-', Array(50).fill('0-').join(',')],
      ['2 disjoint parts', '0-9,20-29']]) {
      const r = (await get(srv.port, target, [`Range: bytes=${range}`])).responses[0];
      assert.ok(r, `${what}: answered`);
      assert.ok(r.status === 200 || r.status === 206, `${what}: ${r.status}`);
      assert.doesNotMatch(r.headers['content-type'] || '', /multipart/i, `${what}: multipart answer`);
      assert.ok(r.body.length <= size, `${what}: ${r.body.length} bytes for a ${size}-byte file`);
      if (r.status === 200) assert.ok(r.body.equals(wasmBytes), `${what}: 200 is the whole file`);
    }
    const single = (await get(srv.port, target, ['Range: bytes=10-19'])).responses[0];
    assert.equal(single?.status, 206, 'bytes=10-19');
    assert.ok(single.body.equals(wasmBytes.subarray(10, 20)), 'bytes=10-19: the exact bytes');
    assert.equal(single.headers['content-range'], `bytes 10-19/${size}`);
    const suffix = (await get(srv.port, target, ['Range: bytes=-5'])).responses[0];
    assert.equal(suffix?.status, 206, 'bytes=-5');
    assert.ok(suffix.body.equals(wasmBytes.subarray(size - 5)), 'bytes=-5: the last 5 bytes');
    const beyond = (await get(srv.port, target, [`Range: bytes=${size}-`])).responses[0];
    assert.equal(beyond?.status, 416, 'a range past the end');
    await assertStillUp(srv);
  });
});

test('control bytes in the path are 400', async () => {
  await withServer(['--web-root', webRoot], async (srv) => {
    const targets = ['/a\x01b', '/index.html\x7f', '/v1/providers/p1\x00/snapshot', '/index.html%00.wasm', `/${wasmName}%00.html`,
      '/v1/providers/p1%00/snapshot', '/%0d%0aSet-Cookie:%20pwned=1', '/v1/providers/p1%0d%0aX-Injected:%201/snapshot', '/a%01b', '/a%1bb', '/a%7fb', '/index.html%0a'];
    const failures = [];
    for (const target of targets) {
      const r = (await get(srv.port, target)).responses[0];
      if (!r || r.status !== 400) failures.push(`${JSON.stringify(target)}: ${r?.status}`);
      if (r && (r.headers['set-cookie'] || r.headers['x-injected'])) failures.push(`${JSON.stringify(target)}: header injected`);
    }
    assert.deepEqual(failures, []);
    await assertStillUp(srv);
  });
});

// ---- 7. answers that cost little -----------------------------------------------------

test('Accept-Encoding: br on an API answer is not brotli, and is answered fast', async () => {
  await withServer([], async (srv) => {
    const pathname = '/v1/providers/p1/slots?service=s30&from=2026-11-24&to=2026-12-22';
    const plain = await request(srv.url, 'GET', pathname);
    assert.equal(plain.status, 200);
    const times = [];
    for (let i = 0; i < 20; i++) {
      const t0 = process.hrtime.bigint();
      const r = await rawRequest(srv.port, head([`GET ${pathname} HTTP/1.1`, 'Host: a', 'Accept-Encoding: br', 'Connection: close']), { waitClose: true });
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      const answer = r.responses[0];
      assert.equal(answer?.status, 200);
      const encoding = answer.headers['content-encoding'] || 'identity';
      assert.ok(['identity', 'gzip'].includes(encoding), `content-encoding ${encoding} for Accept-Encoding: br`);
      const body = encoding === 'gzip' ? zlib.gunzipSync(answer.body) : answer.body;
      assert.deepEqual(JSON.parse(body.toString()).slots?.length, plain.json.slots?.length);
    }
    console.log(`# Accept-Encoding: br on ${plain.text.length} bytes of slots: median ${percentile(times, 0.5).toFixed(1)} ms, max ${Math.max(...times).toFixed(1)} ms`);
    assert.ok(percentile(times, 0.5) < 20, `median ${percentile(times, 0.5).toFixed(1)} ms (bound 20)`);
    assert.ok(Math.max(...times) < 250, `max ${Math.max(...times).toFixed(1)} ms (bound 250)`);
  });
});

test('API answers: gzip only above a size, at a fast level', async () => {
  await withServer([], async (srv) => {
    const small = await rawRequest(srv.port, head(['GET /healthz HTTP/1.1', 'Host: a', 'Accept-Encoding: gzip', 'Connection: close']), { waitClose: true });
    assert.equal(small.responses[0]?.status, 200);
    assert.equal(small.responses[0].headers['content-encoding'], undefined, 'a 40-byte answer is not compressed');
    const pathname = '/v1/providers/p1/slots?service=s30&from=2026-11-24&to=2026-12-22';
    const plain = await request(srv.url, 'GET', pathname);
    const times = [];
    for (let i = 0; i < 10; i++) {
      const t0 = process.hrtime.bigint();
      const r = (await rawRequest(srv.port, head([`GET ${pathname} HTTP/1.1`, 'Host: a', 'Accept-Encoding: gzip, br', 'Connection: close']), { waitClose: true })).responses[0];
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      assert.equal(r?.headers['content-encoding'], 'gzip', `a ${plain.text.length}-byte answer is gzipped`);
      assert.deepEqual(JSON.parse(zlib.gunzipSync(r.body)), plain.json);
    }
    assert.ok(percentile(times, 0.5) < 20, `median ${percentile(times, 0.5).toFixed(1)} ms for a gzipped slots answer (bound 20)`);
  });
});

// ---- 8. security headers ---------------------------------------------------------

test('security headers: nosniff and no-referrer everywhere, no-store on personal data, a CSP on pages', async () => {
  await withServer(['--web-root', webRoot], async (srv) => {
    const failures = [];
    const check = (what, r, { noStore = false } = {}) => {
      if (!r) { failures.push(`${what}: no answer`); return; }
      if (r.headers['x-content-type-options'] !== 'nosniff') failures.push(`${what} (${r.status}): x-content-type-options ${r.headers['x-content-type-options']}`);
      if (r.headers['referrer-policy'] !== 'no-referrer') failures.push(`${what} (${r.status}): referrer-policy ${r.headers['referrer-policy']}`);
      if (noStore && !/\bno-store\b/.test(r.headers['cache-control'] || '')) failures.push(`${what} (${r.status}): cache-control ${r.headers['cache-control']}`);
    };
    const made = await book(srv.url, booking(2001, 10, 60));
    assert.equal(made.status, 201);
    const { id, manage_token: token } = made.json.booking;
    check('POST /v1/bookings 201', made, { noStore: true });
    check('GET /v1/bookings/{id}?token=', await request(srv.url, 'GET', `/v1/bookings/${id}?token=${token}`), { noStore: true });
    check('GET /v1/bookings/{id}.ics?token=', await request(srv.url, 'GET', `/v1/bookings/${id}.ics?token=${token}`), { noStore: true });
    check('GET provider bookings', await request(srv.url, 'GET', '/v1/providers/p1/bookings', { headers: admin }), { noStore: true });
    check('POST cancel ?token=', await request(srv.url, 'POST', `/v1/bookings/${id}/cancel?token=${token}`, { body: {} }), { noStore: true });
    check('GET /healthz', await request(srv.url, 'GET', '/healthz'));
    check('GET snapshot', await request(srv.url, 'GET', '/v1/providers/p1/snapshot'));
    check('404 unknown provider', await request(srv.url, 'GET', '/v1/providers/nobody/snapshot'));
    check('401 provider route', await request(srv.url, 'GET', '/v1/providers/p1/bookings'));
    check('400 bad JSON', await request(srv.url, 'POST', '/v1/bookings', { raw: Buffer.from('{'), headers: { 'idempotency-key': newKey() } }));
    check('OPTIONS preflight', await request(srv.url, 'OPTIONS', '/v1/bookings', { headers: { origin: 'https://x.test', 'access-control-request-method': 'POST' } }));
    check('static wasm', await request(srv.url, 'GET', `/${wasmName}`));
    check('static 404', await request(srv.url, 'GET', '/no-such-file.js'));
    check('413', (await rawRequest(srv.port, [head(['POST /v1/bookings HTTP/1.1', 'Host: a', 'Content-Length: 70000']), Buffer.alloc(70000, ' ')])).responses[0]);
    check('400 framing', (await rawRequest(srv.port, head(['POST /v1/bookings HTTP/1.1', 'Host: a', 'Content-Length: 1', 'Content-Length: 2']) + '{}')).responses[0]);
    const page = await request(srv.url, 'GET', '/');
    check('GET / (index.html)', page);
    if (!/frame-ancestors/.test(page.headers['content-security-policy'] || '')) failures.push(`GET / : content-security-policy ${page.headers['content-security-policy']}`);
    // The booking page may show a paid service's payment step: Stripe.js and its frames, and nothing inline.
    const csp = page.headers['content-security-policy'] || '';
    if (!/script-src [^;]*https:\/\/js\.stripe\.com/.test(csp) || !/frame-src [^;]*https:\/\/hooks\.stripe\.com/.test(csp) ||
        !/connect-src [^;]*https:\/\/api\.stripe\.com/.test(csp) || /unsafe-inline/.test(csp))
      failures.push(`GET / : Stripe.js sources in content-security-policy ${csp}`);
    assert.deepEqual(failures, []);
  });
});

// ---- 9. rate limit and failed credentials -------------------------------------------

test('rate limit 2:20: a bogus Authorization never exempts; a valid credential on a provider route does', async () => {
  await withServer(['--rate-limit', '2:20'], async (srv) => {
    const t0 = Date.now();
    const bogus = await Promise.all(Array.from({ length: 100 }, (_, i) => request(srv.url, 'POST', '/v1/bookings', {
      localAddress: '127.0.5.1', body: { provider: 'nobody', service: 's30', start: slotAt(5, 60), client: client(3000 + i) },
      headers: { 'idempotency-key': newKey(), authorization: `Bearer nonsense-${i}-0123456789abcdefghijklmnop` } })));
    const seconds = (Date.now() - t0) / 1000;
    // Past the limit = any answer but RATE_LIMITED (a 401, or the credential
    // throttle's 429 for a request the bucket had admitted).
    const limited = bogus.filter((r) => r.status === 429 && r.json?.code === 'RATE_LIMITED');
    const passed = bogus.length - limited.length;
    const tally = {};
    for (const r of bogus) tally[`${r.status} ${r.json?.code}`] = (tally[`${r.status} ${r.json?.code}`] || 0) + 1;
    console.log(`# 100 POSTs with a bogus bearer in ${seconds.toFixed(2)} s: ${passed} got past the rate limit, ${limited.length} RATE_LIMITED: ${JSON.stringify(tally)}`);
    assert.ok(passed <= 20 + Math.ceil(2 * seconds) + 1, `${passed} of 100 got past a 2:20 limit: ${JSON.stringify(tally)}`);
    for (const r of limited) assert.match(r.headers['retry-after'] || '', /^[1-9]\d*$/, 'Retry-After in seconds');
    for (const r of bogus) assert.ok(r.status >= 400 && r.status < 500 && isProblem(r), `${r.status} ${r.text.slice(0, 100)}`);
    // Of those let through, hardly more credentials are checked than one
    // address gets in turn before its lock-out (measured from another
    // address); a few extra are a check-then-count race, not a way around it.
    let inTurn = 0;
    for (let i = 0; i < 40; i++) {
      const r = await request(srv.url, 'POST', '/v1/bookings', { localAddress: '127.0.5.3', body: {},
        headers: { 'idempotency-key': newKey(), authorization: `Bearer in-turn-${i}-0123456789abcdefghij` } });
      if (r.status !== 401) break;
      inTurn++;
    }
    const checked = tally['401 UNAUTHORIZED'] || 0;
    assert.ok(checked <= inTurn + 5, `100 quick POSTs: ${checked} bogus credentials were checked (401); in turn the lock-out came after ${inTurn}`);
    const valid = await Promise.all(Array.from({ length: 100 }, () => request(srv.url, 'POST', '/v1/bookings/no-such-booking/confirm', {
      localAddress: '127.0.5.2', headers: admin, body: {} })));
    const validStatuses = [...new Set(valid.map((r) => r.status))];
    assert.ok(!validStatuses.includes(429), `the admin token on a provider route was limited: ${validStatuses}`);
    assert.deepEqual(validStatuses, [404]);
    await assertStillUp(srv);
  });
});

test('failed credentials: 401 each until a lock-out, then 429 even for the right token from that address only', async () => {
  await withServer([], async (srv) => {
    const from = '127.0.6.1', elsewhere = '127.0.6.2';
    const statuses = [];
    let lock;
    for (let i = 0; i < 40; i++) {
      const r = await request(srv.url, 'GET', '/v1/providers/p1/bookings', { localAddress: from, headers: { authorization: `Bearer wrong-guess-${i}-0123456789abcdefghij` } });
      statuses.push(r.status);
      if (r.status === 429) { lock = r; break; }
      assert.equal(r.status, 401, `guess ${i + 1}`);
    }
    assert.ok(lock, `no lock-out after 40 wrong tokens: ${statuses.join(',')}`);
    assert.ok(statuses.length >= 4, `a lock-out after ${statuses.length - 1} mistakes is too eager`);
    assert.equal(lock.json?.code, 'TOO_MANY_FAILED_CREDENTIALS');
    assert.match(lock.headers['retry-after'] || '', /^[1-9]\d*$/);
    const right = await request(srv.url, 'GET', '/v1/providers/p1/bookings', { localAddress: from, headers: admin });
    assert.equal(right.status, 429, 'the right token from the locked-out address');
    assert.equal(right.json?.code, 'TOO_MANY_FAILED_CREDENTIALS');
    assert.match(right.headers['retry-after'] || '', /^[1-9]\d*$/);
    const other = await request(srv.url, 'GET', '/v1/providers/p1/bookings', { localAddress: elsewhere, headers: admin });
    assert.equal(other.status, 200, 'the right token from another address');
    // Guesses sent all at once get no more tries than guesses sent in turn.
    const allowed = statuses.length - 1;
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => request(srv.url, 'GET', '/v1/providers/p1/bookings', {
      localAddress: '127.0.6.3', headers: { authorization: `Bearer parallel-guess-${i}-0123456789abcdefghij` } })));
    const tried = burst.filter((r) => r.status === 401).length;
    assert.ok(burst.every((r) => r.status === 401 || (r.status === 429 && r.json?.code === 'TOO_MANY_FAILED_CREDENTIALS')));
    console.log(`# 100 parallel wrong guesses: ${tried} checked (401); in turn the lock-out came after ${allowed}`);
    assert.ok(tried <= allowed + 5, `100 parallel wrong guesses: ${tried} were checked (401), in turn the lock-out came after ${allowed}`);
    // The same through POST routes (a provider route and the public booking route).
    for (const [address, pathname] of [['127.0.6.4', '/v1/bookings/no-such-booking/confirm'], ['127.0.6.5', '/v1/bookings']]) {
      const posts = await Promise.all(Array.from({ length: 100 }, (_, i) => request(srv.url, 'POST', pathname, {
        localAddress: address, body: {}, headers: { 'idempotency-key': newKey(), authorization: `Bearer parallel-post-${i}-0123456789abcdefghij` } })));
      const checked = posts.filter((r) => r.status === 401).length;
      console.log(`# 100 parallel wrong guesses by POST ${pathname}: ${checked} checked (401)`);
      assert.ok(posts.every((r) => r.status === 401 || (r.status === 429 && r.json?.code === 'TOO_MANY_FAILED_CREDENTIALS')));
      assert.ok(checked <= allowed + 5, `100 parallel wrong guesses by POST ${pathname}: ${checked} were checked (401), in turn the lock-out came after ${allowed}`);
    }
    await assertStillUp(srv);
  });
});

test('the operator token: a longer or shorter value than the real one is 401, whatever it starts with', async () => {
  await withServer([], async (srv) => {
    const from = '127.0.12.1';
    for (const presented of [`${ADMIN}x`, `${ADMIN}${'x'.repeat(8000)}`, ADMIN.slice(0, -1), ADMIN.slice(0, 8), `${ADMIN}\u0000`]) {
      const r = (await rawRequest(srv.port, head(['GET /v1/providers/p1/bookings HTTP/1.1', 'Host: a', `Authorization: Bearer ${presented}`, 'Connection: close']),
        { waitClose: true, localAddress: from })).responses[0];
      assert.ok(r && [400, 401].includes(r.status) && isProblem(r), `a ${presented.length}-character token: ${r?.status}`);
    }
    const right = await request(srv.url, 'GET', '/v1/providers/p1/bookings', { localAddress: '127.0.12.2', headers: admin });
    assert.equal(right.status, 200);
  });
});

// ---- 10. a flood of bad requests -------------------------------------------------------

// A small seeded generator: the same flood on every run.
function prng(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Requests with sound framing that are still wrong: 4xx, the connection may stay.
const keepAliveBad = [
  (i) => `GET /nope-${i} HTTP/1.1\r\nHost: a\r\n\r\n`,
  (i) => `GET /v1/providers/p1/snapshot?from=bad${i} HTTP/1.1\r\nHost: a\r\n\r\n`,
  (i) => `POST /v1/bookings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nIdempotency-Key: flood-${i}\r\nContent-Length: 9\r\n\r\n{"bad":,}`,
  () => 'POST /v1/bookings HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}',
  (i) => `GET /v1/bookings/b${i}?token=t${i} HTTP/1.1\r\nHost: a\r\n\r\n`,
  (i) => `GET /v1/providers/${'x'.repeat(100 + (i % 50))}/slots?service= HTTP/1.1\r\nHost: a\r\n\r\n`,
  (i) => `DELETE /v1/bookings/${i} HTTP/1.1\r\nHost: a\r\n\r\n`,
  (i) => `GET /v1/providers/p1/slots?service=nope&from=2026-13-${i % 40} HTTP/1.1\r\nHost: a\r\n\r\n`,
];

// Requests a parser must refuse: 4xx and usually a close.
function closingBad(rand, i) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const garbage = (n) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(rand() * 256))).join('').replace(/\r\n\r\n/g, '');
  const post = (fields, body = '') => `POST /v1/bookings HTTP/1.1\r\nHost: a\r\nIdempotency-Key: flood-c${i}\r\n${fields}\r\n\r\n${body}`;
  const makers = [
    () => `${garbage(1 + Math.floor(rand() * 200))}\r\n\r\n`,
    () => `${pick(['G@T', 'GE T', 'GET\t', '123', '(GET)', 'GET/', 'g\u00e9t', ''])} /healthz HTTP/1.1\r\nHost: a\r\n\r\n`,
    () => `GET /healthz ${pick(['HTTP/2.0', 'HTTP/1.10', 'HTTP/1', 'HTCPCP/1.0', 'http/1.1', 'HTTP/1.1 extra', 'HTTP/0.9x', 'HTTP/9.9'])}\r\nHost: a\r\n\r\n`,
    () => post(`Content-Length: ${pick(['99999999999999999999999', '-1', '0x10', '1 0', '1e3', '18446744073709551617', 'abc', '٣'])}`, '{}'),
    () => post('Transfer-Encoding: chunked', `${pick(['zz', '-1', 'fffffffffffffffffffff', '0x5', '1;ext=\u0001', ' 5', '5 5'])}\r\nhello\r\n0\r\n\r\n`),
    () => post(`Transfer-Encoding: ${pick(['gzip, chunked', 'chunked, chunked', 'identity', 'xchunked', 'chunked\u0000'])}`, '0\r\n\r\n'),
    () => `GET /${pick(['\u00ff\u00fe', '\u0000', '%ff%fe', '%c0%af', 'a%00b', '%ed%a0%80', '\u00c3\u0028'])}x HTTP/1.1\r\nHost: a\r\n\r\n`,
    () => `GET /healthz HTTP/1.1\r\nHost: a\r\nX-No-Colon-${i}\r\n\r\n`,
    () => `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Fold: a\r\n ${pick(['b', '\tc'])}\r\n\r\n`,
    () => `GET /healthz HTTP/1.1\r\nHost : a\r\n\r\n`,
    () => post(`Content-Length: 2\r\nContent-Length: ${pick(['2', '3', '20'])}`, '{}'),
    () => post('Content-Length: 4\r\nTransfer-Encoding: chunked', '0\r\n\r\n'),
    () => `GET /healthz HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello`,
  ];
  return makers[Math.floor(rand() * makers.length)]();
}

test('100,000 assorted bad requests: only 4xx problem answers or a close, the server stays up, memory bounded', async () => {
  await withServer([], async (srv) => {
    const TOTAL = 100000, CONCURRENCY = 48, TIME_LIMIT_MS = 120000;
    const rand = prng(9);
    const addresses = addressRange('127.0.7', 8);
    const memory = watchMemory(srv.proc.pid);
    const started = Date.now();
    let sent = 0, answered = 0, connections = 0, closedEarly = 0, hung = 0;
    const wrong = [];  // every answer that is not a 4xx problem, with what was sent
    let missingNosniff = 0;
    const worker = async (w) => {
      while (sent < TOTAL && Date.now() - started < TIME_LIMIT_MS) {
        // A keep-alive run of wrong requests, then (mostly) one a parser must refuse.
        const run = Math.floor(rand() * 40);
        const parts = [];
        for (let k = 0; k < run && sent + parts.length < TOTAL; k++) parts.push(keepAliveBad[Math.floor(rand() * keepAliveBad.length)](sent + k));
        if (sent + parts.length < TOTAL && rand() < 0.9) parts.push(closingBad(rand, sent + parts.length));
        if (parts.length === 0) continue;
        sent += parts.length;
        connections++;
        const conn = await connectRaw(srv.port, { localAddress: addresses[(w + connections) % addresses.length], timeoutMs: 5000 });
        conn.write(Buffer.from(parts.join(''), 'latin1'));
        const done = await conn.waitFor((c) => c.closed || c.responses().length >= parts.length, 5000);
        const responses = conn.responses();
        if (!done) hung++;
        else if (responses.length < parts.length) closedEarly++;
        conn.destroy();
        answered += responses.length;
        for (const r of responses) {
          if (!(r.status >= 400 && r.status < 500 && isProblem(r)) && wrong.length < 10)
            wrong.push(`${r.status} ${r.headers['content-type']} ${r.text.slice(0, 80)} <- ${JSON.stringify(parts.join('').slice(-160))}`);
          if (r.headers['x-content-type-options'] !== 'nosniff') missingNosniff++;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, w) => worker(w)));
    const seconds = (Date.now() - started) / 1000;
    const { baseMiB, peakMiB, growthMiB } = memory.stop();
    console.log(`# flood: ${sent} bad requests on ${connections} connections in ${seconds.toFixed(1)} s; ${answered} answers, ${closedEarly} connections closed before answering all, ${hung} hung; RSS ${baseMiB.toFixed(1)} -> peak ${peakMiB.toFixed(1)} MiB`);
    assert.deepEqual(wrong, [], 'every answer is a 4xx problem+json');
    assert.equal(sent, TOTAL, `all ${TOTAL} sent within ${TIME_LIMIT_MS / 1000} s`);
    assert.equal(hung, 0, 'no connection is left neither answered nor closed for 5 s');
    assert.equal(missingNosniff, 0, 'nosniff on every answer');
    assert.ok(growthMiB < 50, `RSS grew ${growthMiB.toFixed(1)} MiB (bound 50)`);
    await assertStillUp(srv);
  });
});
