// GET /v1/openapi.json (issue 17): the server serves docs/openapi.json as it
// was built, byte for byte, public and cacheable with a strong ETag.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

import { cleanupAll, freshDatabase, request, startServer } from './harness.mjs';

const docFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'openapi.json');
let server;
before(async () => { server = await startServer(await freshDatabase()); });
after(cleanupAll);

test('the served document is docs/openapi.json, public and cacheable', async () => {
  const r = await request(server.url, 'GET', '/v1/openapi.json');
  assert.equal(r.status, 200);
  assert.match(r.headers['content-type'], /^application\/json/);
  // Not assert.equal: a mismatch would print two 150 KB documents.
  assert.ok(r.text === fs.readFileSync(docFile, 'utf8'), 'the server must serve docs/openapi.json as it is now: rebuild slotwise-server');
  assert.equal(r.json.openapi, '3.1.0');
  assert.match(r.headers.etag, /^"[0-9a-f]{16}"$/);
  assert.match(r.headers['cache-control'], /public/);
  assert.doesNotMatch(r.headers['cache-control'], /no-store/);
  assert.equal(r.headers['access-control-allow-origin'], '*');
});

test('If-None-Match with its ETag is 304 without a body; another ETag is 200', async () => {
  const { headers: { etag } } = await request(server.url, 'GET', '/v1/openapi.json');
  const same = await request(server.url, 'GET', '/v1/openapi.json', { headers: { 'if-none-match': `"other", ${etag}` } });
  assert.equal(same.status, 304);
  assert.equal(same.text, '');
  assert.equal(same.headers.etag, etag);
  const weak = await request(server.url, 'GET', '/v1/openapi.json', { headers: { 'if-none-match': `W/${etag}` } });
  assert.equal(weak.status, 304, 'If-None-Match compares weakly (RFC 9110 13.1.2)');
  const other = await request(server.url, 'GET', '/v1/openapi.json', { headers: { 'if-none-match': '"0000000000000000"' } });
  assert.equal(other.status, 200);
  assert.ok(other.text.length > 1000);
});

test('HEAD and gzip: the same document, compressed when asked for', async () => {
  const head = await request(server.url, 'HEAD', '/v1/openapi.json');
  assert.equal(head.status, 200);
  assert.equal(head.text, '');
  const gz = await new Promise((resolve, reject) => {
    http.get(new URL('/v1/openapi.json', server.url), { agent: false, headers: { 'accept-encoding': 'gzip' } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  assert.equal(gz.status, 200);
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(zlib.gunzipSync(gz.body).toString('utf8') === fs.readFileSync(docFile, 'utf8'), 'the gzip form holds the same document');
});

test('only GET: other methods on the path are 404 problems', async () => {
  const r = await request(server.url, 'POST', '/v1/openapi.json', { body: {} });
  assert.equal(r.status, 404);
  assert.match(r.headers['content-type'], /^application\/problem\+json/);
});
