// Issue 17: nginx as the TLS front, with the repository's own site file
// (deploy/nginx/slotwise.conf; only ports, paths and the name substituted).
// A throwaway CA and certificate from openssl, nginx started as this test's
// user on free ports, the server trusting it (--trusted-proxy 127.0.0.1/32).
// Over HTTPS with that CA: the widget's files and the API, a booking, the
// client address nginx forwarded, HTTP -> HTTPS, HSTS, a Secure session
// cookie, the body limit and a down server as problems.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';
import {
  cleanupAll, freshDatabase, startServer, tempDir, freePort, until, admin, providerConfig, slotAt, newKey,
} from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '../..');
const NGINX = process.env.SLOTWISE_NGINX || '/usr/sbin/nginx';

let dir, ca, server, nginx, httpsPort, httpPort, mailDir, accessLog, webRoot, wasmName;
const nginxLog = () => { try { return fs.readFileSync(path.join(dir, 'error.log'), 'utf8'); } catch { return ''; } };

// The real widget build when it is there; otherwise a stand-in of the same
// shape (a fresh clone before `node web/build.mjs`). Copied into a folder of
// the test's own, with one large file beside it: larger than the socket
// buffers on both sides of nginx, so that a slow reader makes nginx's own
// buffers fill and shows whether it spools to disk.
function makeWebRoot() {
  const root = tempDir('slotwise-tls-web-');
  const dist = path.join(repo, 'web/dist');
  let wasm;
  if (fs.existsSync(path.join(dist, 'build-info.json'))) {
    fs.cpSync(fs.realpathSync(dist), root, { recursive: true, dereference: true });
    wasm = JSON.parse(fs.readFileSync(path.join(dist, 'build-info.json'), 'utf8')).engine.wasm;
  } else {
    wasm = 'slotwise-engine.0123abcd.wasm';
    const bytes = Buffer.alloc(400 * 1024);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7919) % 251;
    bytes.set([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
    fs.writeFileSync(path.join(root, wasm), bytes);
    fs.writeFileSync(path.join(root, 'widget.js'), '// stand-in loader\n'.repeat(200));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>demo</title><p>demo</p>');
  }
  const large = Buffer.alloc(32 * 1024 * 1024);
  for (let i = 0; i < large.length; i += 4) large.writeUInt32LE((i * 2654435761) >>> 0, i);
  fs.writeFileSync(path.join(root, 'large.bin'), large);
  return { root, wasm };
}

function openssl(...args) { execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' }); }

// deploy/nginx/slotwise.conf for this test's ports and files. Every
// substitution must find its text: a changed site file fails here, loudly,
// instead of the test quietly running something else.
function renderSite(serverPort) {
  let site = fs.readFileSync(path.join(repo, 'deploy/nginx/slotwise.conf'), 'utf8');
  const substitutions = [
    ['server 127.0.0.1:8080;', `server 127.0.0.1:${serverPort};`],
    ['/etc/letsencrypt/live/slotwise.example.org/fullchain.pem', path.join(dir, 'server.crt')],
    ['/etc/letsencrypt/live/slotwise.example.org/privkey.pem', path.join(dir, 'server.key')],
    ['root /var/www/letsencrypt;', `root ${path.join(dir, 'acme')};`],
    ['listen 80;', `listen 127.0.0.1:${httpPort};`],
    ['listen [::]:80;', ''],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${httpsPort} ssl http2;`],
    ['listen [::]:443 ssl http2;', ''],
    ['return 301 https://$host$request_uri;', `return 301 https://$host:${httpsPort}$request_uri;`],
    ['server_name slotwise.example.org;', 'server_name localhost;'],
  ];
  for (const [from, to] of substitutions) {
    assert.ok(site.includes(from), `deploy/nginx/slotwise.conf no longer contains "${from}"`);
    site = site.split(from).join(to);
  }
  return site;
}

function httpsRequest(method, pathname, { body, headers = {}, localAddress = '127.0.0.1', raw = false, pauseMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = https.request({
      host: '127.0.0.1', servername: 'localhost', port: httpsPort, method, path: pathname, ca, localAddress, agent: false,
      headers: { host: `localhost:${httpsPort}`, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}), ...headers },
    }, (res) => {
      const chunks = [];
      // A slow reader: nginx's buffers fill while the server keeps sending.
      if (pauseMs) { res.pause(); setTimeout(() => res.resume(), pauseMs); }
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        let json;
        try { json = JSON.parse(bytes.toString('utf8')); } catch {}
        resolve({ status: res.statusCode, headers: res.headers, bytes, text: raw ? '' : bytes.toString('utf8'), json, protocol: res.socket.getProtocol?.() });
      });
    });
    req.setTimeout(30000, () => req.destroy(new Error(`timeout ${method} ${pathname}`)));
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function logLines() {
  if (!fs.existsSync(accessLog)) return [];
  return fs.readFileSync(accessLog, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

before(async () => {
  dir = tempDir('slotwise-tls-');
  fs.mkdirSync(path.join(dir, 'acme'));
  // A CA of this run only, and a certificate for localhost signed by it.
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=Slotwise test CA', '-keyout', 'ca.key', '-out', 'ca.crt');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=localhost',
    '-keyout', 'server.key', '-out', 'server.csr');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2',
    '-extfile', 'ext.cnf', '-out', 'server.crt');
  ca = fs.readFileSync(path.join(dir, 'ca.crt'));

  ({ root: webRoot, wasm: wasmName } = makeWebRoot());
  [httpsPort, httpPort] = [await freePort(), await freePort()];
  mailDir = path.join(dir, 'mail');
  accessLog = path.join(dir, 'server-access.log');
  const db = await freshDatabase();
  server = await startServer(db, {
    args: ['--trusted-proxy', '127.0.0.1/32', '--web-root', webRoot, '--rate-limit', '1:3', '--access-log', accessLog,
      '--mail-dir', mailDir, '--job-poll', '0.1'],
    env: { SLOTWISE_PUBLIC_URL: `https://localhost:${httpsPort}` },
  });

  fs.writeFileSync(path.join(dir, 'slotwise.conf'), renderSite(server.port));
  const temp = (name) => { const p = path.join(dir, 'tmp', name); fs.mkdirSync(p, { recursive: true }); return p; };
  // What Debian's /etc/nginx/nginx.conf provides around a site, in this folder.
  const user = os.userInfo().username;
  fs.writeFileSync(path.join(dir, 'nginx.conf'), `
${process.getuid() === 0 ? `user ${user};` : ''}
worker_processes 1;
error_log ${path.join(dir, 'error.log')} info;
pid ${path.join(dir, 'nginx.pid')};
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log ${path.join(dir, 'nginx-access.log')};
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  include ${path.join(dir, 'slotwise.conf')};
}
`);
  const conf = ['-p', dir, '-e', path.join(dir, 'error.log'), '-c', path.join(dir, 'nginx.conf')];
  execFileSync(NGINX, [...conf, '-t'], { stdio: 'pipe' });
  nginx = spawn(NGINX, [...conf, '-g', 'daemon off;'], { stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((resolve) => nginx.on('exit', resolve));
  await until('nginx listening', async () => {
    if (nginx.exitCode !== null) throw new Error(`nginx exited: ${nginxLog()}`);
    try { return (await httpsRequest('GET', '/healthz')).status === 200; } catch { return false; }
  }, 20000);
  nginx.stop = async () => { if (nginx.exitCode === null) { nginx.kill('SIGQUIT'); await exited; } };
});

after(async () => {
  if (nginx) await nginx.stop();
  await cleanupAll();
});

test('the widget\'s files come through TLS whole, compressed or not, with ranges, and nothing spooled to disk', async () => {
  const onDisk = fs.readFileSync(path.join(webRoot, wasmName));
  const plain = await httpsRequest('GET', `/${wasmName}`, { raw: true });
  assert.equal(plain.status, 200);
  assert.ok(['TLSv1.3', 'TLSv1.2'].includes(plain.protocol), plain.protocol);
  assert.ok(plain.bytes.equals(onDisk), `${plain.bytes.length} bytes instead of ${onDisk.length}`);
  assert.match(plain.headers['strict-transport-security'] || '', /max-age=\d{7,}/);
  const gz = await httpsRequest('GET', `/${wasmName}`, { headers: { 'accept-encoding': 'gzip' }, raw: true });
  assert.equal(gz.status, 200);
  const unpacked = gz.headers['content-encoding'] === 'gzip' ? zlib.gunzipSync(gz.bytes) : gz.bytes;
  assert.ok(unpacked.equals(onDisk));
  const part = await httpsRequest('GET', `/${wasmName}`, { headers: { range: 'bytes=100-199' }, raw: true });
  assert.equal(part.status, 206);
  assert.ok(part.bytes.equals(onDisk.subarray(100, 200)));
  const loader = await httpsRequest('GET', '/widget.js');
  assert.equal(loader.status, 200);
  assert.equal(loader.text, fs.readFileSync(path.join(webRoot, 'widget.js'), 'utf8'));
  const etag = loader.headers.etag;
  if (etag) assert.equal((await httpsRequest('GET', '/widget.js', { headers: { 'if-none-match': etag } })).status, 304);
  // A reader that stops for a while gets the whole large file, streamed:
  // nginx holds the server back instead of writing the answer to disk.
  const large = await httpsRequest('GET', '/large.bin', { raw: true, pauseMs: 2000 });
  assert.equal(large.status, 200);
  assert.ok(large.bytes.equals(fs.readFileSync(path.join(webRoot, 'large.bin'))), 'the large file arrived whole');
  assert.doesNotMatch(nginxLog(), /buffered to a temporary file/);
});

test('the API and a booking over HTTPS; the server sees the address nginx forwarded', async () => {
  const put = await httpsRequest('PUT', '/v1/providers/tls', { body: providerConfig(), headers: admin });
  assert.ok([200, 201].includes(put.status), put.text);
  assert.match(put.headers['strict-transport-security'] || '', /max-age=/);
  const snapshot = await httpsRequest('GET', '/v1/providers/tls/snapshot', { localAddress: '127.0.0.9' });
  assert.equal(snapshot.status, 200, snapshot.text);
  const booked = await httpsRequest('POST', '/v1/bookings', {
    localAddress: '127.0.0.7',
    // What a client claims is dropped by nginx, which sends the address it saw.
    headers: { 'idempotency-key': newKey(), 'x-forwarded-for': '203.0.113.66' },
    body: { provider: 'tls', service: 's30', start: slotAt(1, 120), client: { name: 'Tessa Tls', email: 'tessa@example.com' } },
  });
  assert.equal(booked.status, 201, booked.text);
  const lines = await until('the booking in the access log', () => logLines().find((l) => l.method === 'POST' && l.path === '/v1/bookings'));
  assert.equal(lines.remote, '127.0.0.7', JSON.stringify(lines));
  assert.ok(!logLines().some((l) => l.remote === '203.0.113.66'));
  // Every request reached the server from nginx at 127.0.0.1, yet the rate
  // limit counts clients: one runs out, the next is still admitted.
  const statuses = [];
  for (let i = 0; i < 10; i++) {
    statuses.push((await httpsRequest('POST', '/v1/bookings', { localAddress: '127.0.0.10',
      headers: { 'idempotency-key': newKey() }, body: { provider: 'nobody', service: 's30', start: slotAt(1, 60), client: { name: 'R', email: 'r@example.com' } } })).status);
  }
  assert.ok(statuses.includes(429), statuses.join());
  const other = await httpsRequest('POST', '/v1/bookings', { localAddress: '127.0.0.11',
    headers: { 'idempotency-key': newKey() }, body: { provider: 'nobody', service: 's30', start: slotAt(1, 60), client: { name: 'R', email: 'r@example.com' } } });
  assert.equal(other.status, 404, other.text);
});

test('plain HTTP redirects to HTTPS; ACME challenges are served from their folder', async () => {
  const get = (pathname) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: httpPort, path: pathname, headers: { host: 'localhost' }, agent: false }, (res) => {
      let text = ''; res.on('data', (d) => { text += d; }); res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, text }));
    }).on('error', reject);
  });
  const r = await get('/v1/providers/tls/snapshot?x=1');
  assert.equal(r.status, 301);
  assert.equal(r.headers.location, `https://localhost:${httpsPort}/v1/providers/tls/snapshot?x=1`);
  fs.mkdirSync(path.join(dir, 'acme/.well-known/acme-challenge'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'acme/.well-known/acme-challenge/token123'), 'token123.thumbprint');
  const challenge = await get('/.well-known/acme-challenge/token123');
  assert.equal(challenge.status, 200);
  assert.equal(challenge.text, 'token123.thumbprint');
});

test('a sign-in over HTTPS sets a Secure, HttpOnly session cookie', async () => {
  const from = '127.0.0.8';
  const asked = await httpsRequest('POST', '/v1/auth/email-code', { body: { email: 'tls-owner@example.com' }, localAddress: from });
  assert.equal(asked.status, 202, asked.text);
  const challenge = asked.json.challenge;
  const decoded = (raw) => Buffer.from(raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
  const code = await until('the sign-in mail', () => {
    for (const f of fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((n) => n.endsWith('.eml')) : []) {
      const m = decoded(fs.readFileSync(path.join(mailDir, f), 'utf8')).match(new RegExp(`challenge=${challenge}&code=([0-9]{8})`));
      if (m) return m[1];
    }
    return null;
  });
  const session = await httpsRequest('POST', '/v1/auth/session', { body: { challenge, code }, localAddress: from });
  assert.equal(session.status, 201, session.text);
  const cookie = (session.headers['set-cookie'] || []).find((c) => /^slotwise_session=|session/i.test(c));
  assert.ok(cookie, JSON.stringify(session.headers['set-cookie']));
  assert.match(cookie, /;\s*Secure(;|$)/);
  assert.match(cookie, /;\s*HttpOnly(;|$)/);
  // The cookie works through the proxy.
  const me = await httpsRequest('GET', '/v1/me', { headers: { cookie: cookie.split(';')[0] }, localAddress: from });
  assert.equal(me.status, 200, me.text);
});

test('nginx\'s own refusals are the server\'s problems: a body over 64 KiB, a server that is down', async () => {
  const big = await httpsRequest('POST', '/v1/bookings', { body: 'x'.repeat(70 * 1024), headers: { 'idempotency-key': newKey() } });
  assert.equal(big.status, 413);
  assert.match(big.headers['content-type'], /^application\/problem\+json/);
  assert.equal(big.json.code, 'PAYLOAD_TOO_LARGE');
  assert.match(big.headers['strict-transport-security'] || '', /max-age=/);
  await server.stop();
  const down = await httpsRequest('GET', '/v1/providers/tls/snapshot');
  assert.equal(down.status, 503, down.text);
  assert.match(down.headers['content-type'], /^application\/problem\+json/);
  assert.equal(down.json.code, 'SERVER_BUSY');
  assert.equal(down.headers['retry-after'], '5');
});
