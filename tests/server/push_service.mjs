// A local Web Push service (RFC 8030) for the server's tests: it plays the
// browser and its push service at once. It makes real subscriptions (a P-256
// key pair from node's crypto and 16 random auth bytes, as a browser does),
// receives the server's POSTs, checks the VAPID Authorization (RFC 8292: an
// ES256 JWT for this origin, signed by the server's public key, exp within
// 24 h) and decrypts the body with the npm package http_ece, an independent
// implementation of RFC 8188/8291. Each endpoint can be told to answer with a
// list of statuses first (500 then 201, 410, ...).
import http from 'node:http';
import crypto from 'node:crypto';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(repo, 'web', 'package.json'));
const ece = require('http_ece');

const b64url = (buf) => Buffer.from(buf).toString('base64url');

// RFC 8292 section 3: "vapid t=<jwt>, k=<key>" (parameters in any order).
function parseVapid(header) {
  const m = /^vapid\s+(.*)$/i.exec(header || '');
  if (!m) return null;
  const params = {};
  for (const part of m[1].split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) params[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return params.t && params.k ? params : null;
}

// Verifies an ES256 JWT against an uncompressed P-256 public key (base64url);
// returns its claims, or throws saying why not.
export function verifyVapidJwt(jwt, publicKeyB64url) {
  const [h, c, s] = jwt.split('.');
  if (!h || !c || !s) throw new Error('JWT: not three parts');
  const header = JSON.parse(Buffer.from(h, 'base64url').toString('utf8'));
  if (header.alg !== 'ES256') throw new Error(`JWT: alg ${header.alg}`);
  const raw = Buffer.from(publicKeyB64url, 'base64url');
  if (raw.length !== 65 || raw[0] !== 4) throw new Error('k: not an uncompressed P-256 key');
  const key = crypto.createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: b64url(raw.subarray(1, 33)), y: b64url(raw.subarray(33)) }, format: 'jwk',
  });
  const ok = crypto.verify('sha256', Buffer.from(`${h}.${c}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url'));
  if (!ok) throw new Error('JWT: bad signature');
  return JSON.parse(Buffer.from(c, 'base64url').toString('utf8'));
}

export async function startPushService() {
  const endpoints = new Map(); // name -> { ecdh, auth, script: [status...], received: [], rejected: [] }
  let expectedKey = null; // the server's VAPID public key, once known
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => {
      const name = decodeURIComponent(req.url.replace(/^\/push\//, ''));
      const sub = endpoints.get(name);
      if (!sub || req.method !== 'POST') { res.writeHead(404).end(); return; }
      const body = Buffer.concat(chunks);
      const attempt = { at: Date.now(), headers: req.headers, status: 201 };
      try {
        const vapid = parseVapid(req.headers.authorization);
        if (!vapid) throw new Error(`Authorization: ${req.headers.authorization}`);
        if (expectedKey && vapid.k !== expectedKey) throw new Error('k is not the server\'s VAPID key');
        const claims = verifyVapidJwt(vapid.t, vapid.k);
        if (claims.aud !== service.origin) throw new Error(`aud ${claims.aud}, not ${service.origin}`);
        const now = Math.floor(Date.now() / 1000);
        if (!(claims.exp > now && claims.exp <= now + 24 * 3600)) throw new Error(`exp ${claims.exp} not within 24 h of ${now}`);
        if (!/^(mailto:|https?:)/.test(claims.sub || '')) throw new Error(`sub ${claims.sub}`);
        if (req.headers['content-encoding'] !== 'aes128gcm') throw new Error(`Content-Encoding ${req.headers['content-encoding']}`);
        if (!/^\d+$/.test(req.headers.ttl || '')) throw new Error(`TTL ${req.headers.ttl}`);
        if (!['very-low', 'low', 'normal', 'high'].includes(req.headers.urgency)) throw new Error(`Urgency ${req.headers.urgency}`);
        const plain = ece.decrypt(body, { version: 'aes128gcm', privateKey: sub.ecdh, authSecret: sub.auth });
        attempt.claims = claims;
        attempt.payload = JSON.parse(plain.toString('utf8'));
      } catch (e) {
        attempt.status = 400;
        attempt.error = String(e && e.message || e);
        sub.rejected.push(attempt);
        res.writeHead(400, { 'content-type': 'text/plain' }).end(attempt.error);
        return;
      }
      attempt.status = sub.script.length ? sub.script.shift() : 201;
      sub.attempts.push(attempt);
      if (attempt.status === 201) sub.received.push(attempt.payload);
      res.writeHead(attempt.status, attempt.status === 201 ? { location: `/msg/${crypto.randomUUID()}` } : {}).end();
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const service = {
    origin: `http://127.0.0.1:${server.address().port}`,
    expectServerKey(key) { expectedKey = key; },
    // A browser's subscription: PushSubscription.toJSON()'s shape.
    subscribe(name) {
      const ecdh = crypto.createECDH('prime256v1');
      ecdh.generateKeys();
      const auth = crypto.randomBytes(16);
      endpoints.set(name, { ecdh, auth, script: [], attempts: [], received: [], rejected: [] });
      return { endpoint: `${service.origin}/push/${encodeURIComponent(name)}`, expirationTime: null,
        keys: { p256dh: b64url(ecdh.getPublicKey()), auth: b64url(auth) } };
    },
    // The next answers of this endpoint, before it answers 201 again.
    script(name, statuses) { endpoints.get(name).script.push(...statuses); },
    received(name) { return endpoints.get(name).received; },
    attempts(name) { return endpoints.get(name).attempts; },
    rejected(name) { return endpoints.get(name).rejected; },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
  return service;
}
