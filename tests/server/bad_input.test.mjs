// Hostile input: every request here must get a 4xx problem answer, the
// server must stay up, and the stored data must not change.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import {
  admin, book, cleanupAll, client, freshDatabase, newKey, putProvider, request, slotAt, startServer,
} from './harness.mjs';

let db, srv, base, existing;
const tables = ['providers', 'schedules', 'services', 'clients', 'bookings', 'audit_log'];
const fingerprint = () => tables.map((t) => db.sql(`SELECT COUNT(*) FROM ${t}`)[0][0]).join(',') + '|' +
  db.sql(`SELECT id, status, start_at, end_at, client_name, COALESCE(notes, '') FROM bookings ORDER BY id`).map((r) => r.join('/')).join(';');

before(async () => {
  db = await freshDatabase();
  srv = await startServer(db);
  base = srv.url;
  await putProvider(base, 'p1');
  existing = (await book(base, { provider: 'p1', service: 's30', start: slotAt(1, 60), client: client() })).json.booking;
});
after(cleanupAll);

const valid = () => ({ provider: 'p1', service: 's30', start: slotAt(2, 60), client: client(2), notes: 'n' });
const sqlish = ["'", "' OR '1'='1", "'; DROP TABLE bookings; --", '" OR 1=1 --', '\\', '%', '_', '$1', '?', ';', '/*', '*/', 'x\u0000y'];

function* hostileBodies() {
  const good = JSON.stringify(valid());
  for (let cut = 1; cut < good.length; cut += 9) yield [`truncated at ${cut}`, good.slice(0, cut)];
  for (const text of ['', ' ', '{', '}', '{"provider":}', '{"provider":"p1",}', '[]', '[1,2]', '"text"', '123', 'null', 'true',
    'NaN', '{"a":NaN}', '{"a":Infinity}', "{'provider':'p1'}", '{"provider":"p1"}{"x":1}', '\u0000', '{"a":"\\ud800"}', '{"a":"\\x41"}'])
    yield [`malformed ${JSON.stringify(text)}`, text];
  // Wrong types in every field.
  for (const field of ['provider', 'service', 'start', 'duration_minutes', 'client', 'notes', 'time_zone'])
    for (const value of [42, -1, 1.5, true, [], {}, ['p1'], '', 'x'.repeat(5000)]) {
      if (field === 'notes' && typeof value === 'string' && value.length <= 2000) continue;
      const body = valid();
      body[field] = value;
      yield [`${field} = ${JSON.stringify(value).slice(0, 20)}`, JSON.stringify(body)];
    }
  for (const field of ['name', 'email', 'phone'])
    for (const value of [42, null, [], {}, '', 'x'.repeat(300), 'bad\u0001char']) {
      const body = valid();
      body.client = { ...body.client, [field]: value };
      if (field === 'phone' && value === null) continue;  // an absent phone is fine
      yield [`client.${field} = ${JSON.stringify(value).slice(0, 20)}`, JSON.stringify(body)];
    }
  yield ['1e400 as duration', JSON.stringify(valid()).replace('"notes"', '"duration_minutes":1e400,"notes"')];
  yield ['huge integer duration', JSON.stringify(valid()).replace('"notes"', '"duration_minutes":123456789012345678901234567890,"notes"')];
  // SQL metacharacters in every field that names something.
  for (const s of sqlish) {
    for (const field of ['provider', 'service', 'start', 'time_zone']) {
      const body = valid();
      body[field] = field === 'time_zone' ? `Europe/Berlin${s}` : s;
      if (field === 'time_zone') continue;  // a client's own zone is free text; see the next test
      yield [`${field} = ${JSON.stringify(s)}`, JSON.stringify(body)];
    }
    const body = valid();
    body.client = { ...body.client, email: s };
    yield [`client.email = ${JSON.stringify(s)}`, JSON.stringify(body)];
  }
  // Unknown fields.
  yield ['unknown top-level field', JSON.stringify({ ...valid(), admin: true })];
  yield ['unknown client field', JSON.stringify({ ...valid(), client: { ...client(2), role: 'admin' } })];
  yield ['status smuggled in', JSON.stringify({ ...valid(), status: 'CONFIRMED' })];
  // Deep nesting.
  yield ['deep arrays', '['.repeat(100000)];
  yield ['deep objects', '{"a":'.repeat(5000) + '1' + '}'.repeat(5000)];
  yield ['17 levels in notes', JSON.stringify({ ...valid(), notes: undefined }).replace('}', `,"notes":${'['.repeat(17)}${']'.repeat(17)}}`)];
}

test('hostile POST /v1/bookings bodies: 4xx problem each time, data unchanged', async () => {
  const before = fingerprint();
  let count = 0;
  for (const [label, text] of hostileBodies()) {
    const r = await request(base, 'POST', '/v1/bookings', { raw: Buffer.from(text), headers: { 'idempotency-key': newKey(), 'content-type': 'application/json' } });
    assert.ok(r.status >= 400 && r.status < 500, `${label}: ${r.status} ${r.text}`);
    assert.match(r.headers['content-type'], /application\/problem\+json/, label);
    assert.equal(typeof r.json?.code, 'string', `${label}: ${r.text}`);
    count++;
  }
  assert.ok(count > 150, `${count} cases`);
  assert.equal(fingerprint(), before);
  assert.equal((await request(base, 'GET', '/healthz')).status, 200);
});

test('invalid UTF-8 in every string field', async () => {
  const before = fingerprint();
  const template = JSON.stringify(valid()).replace('"n"', '"NOTES"');
  for (const bytes of [[0xff], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80]]) {
    for (const target of ['"p1"', '"s30"', '"Client 2"', '"client2@example.com"', '"NOTES"']) {
      const [head, tail] = template.split(target);
      const raw = Buffer.concat([Buffer.from(head + target.slice(0, 2)), Buffer.from(bytes), Buffer.from(target.slice(2) + tail)]);
      const r = await request(base, 'POST', '/v1/bookings', { raw, headers: { 'idempotency-key': newKey(), 'content-type': 'application/json' } });
      assert.equal(r.status, 400, `${target} ${bytes}: ${r.text}`);
      assert.equal(r.json.code, 'INVALID_REQUEST');
    }
  }
  assert.equal(fingerprint(), before);
});

test('huge bodies are 413 and do not reach the use cases', async () => {
  const before = fingerprint();
  for (const size of [64 * 1024 + 1, 1024 * 1024, 8 * 1024 * 1024]) {
    const r = await request(base, 'POST', '/v1/bookings', { raw: Buffer.alloc(size, 0x20), headers: { 'idempotency-key': newKey() } })
      .catch((e) => ({ status: 'reset', error: e.message }));
    // The server may close the connection before reading everything; then the client sees a reset.
    assert.ok(r.status === 413 || r.status === 'reset', `${size}: ${r.status}`);
    if (r.status === 413) assert.equal(r.json.code, 'PAYLOAD_TOO_LARGE');
  }
  const put = await request(base, 'PUT', '/v1/providers/p1', { raw: Buffer.alloc(100000, 0x20), headers: admin });
  assert.equal(put.status, 413);
  assert.equal(fingerprint(), before);
  assert.equal((await request(base, 'GET', '/healthz')).status, 200);
});

test('SQL metacharacters, bad ids and bad tokens in paths, queries and headers', async () => {
  const before = fingerprint();
  const enc = encodeURIComponent;
  for (const s of sqlish) {
    const cases = [
      ['GET', `/v1/providers/${enc(s)}/snapshot`],
      ['GET', `/v1/providers/p1/slots?service=${enc(s)}`],
      ['GET', `/v1/providers/p1/slots?service=s30&time_zone=${enc(s)}`],
      ['GET', `/v1/providers/p1/snapshot?from=${enc(s)}`],
      ['GET', `/v1/providers/p1/slots?service=s30&duration_minutes=${enc(s)}`],
      ['GET', `/v1/bookings/${enc(s)}?token=x`],
      ['GET', `/v1/bookings/${existing.id}?token=${enc(s)}`],
      ['GET', `/v1/bookings/${existing.id}.ics?token=${enc(s)}`],
      ['POST', `/v1/bookings/${existing.id}/cancel?token=${enc(s)}`],
      ['POST', `/v1/bookings/${existing.id}/reschedule?token=${enc(s)}`],
      ['POST', `/v1/bookings/${enc(s)}/confirm`],
      ['GET', `/v1/providers/p1/bookings?status=${enc(s)}`],
    ];
    for (const [method, path] of cases) {
      const r = await request(base, method, path, { headers: path.includes('confirm') || path.includes('/bookings?') ? admin : {} });
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path}: ${r.status} ${r.text}`);
      assert.equal(typeof r.json?.code, 'string', `${method} ${path}: ${r.text}`);
    }
    const key = await book(base, valid(), `key${s}`.replace(/[^\x21-\x7e]/g, ''));  // a visible-ASCII key is fine
    assert.ok(key.status === 201 || key.status === 409, key.text);
  }
  for (const auth of ['Bearer', 'Bearer ', 'Basic dGVzdDp0ZXN0', `Bearer ${'x'.repeat(4000)}`, "Bearer ' OR '1'='1"]) {
    const r = await request(base, 'POST', `/v1/bookings/${existing.id}/confirm`, { headers: { authorization: auth } });
    assert.equal(r.status, 401, auth);
  }
  const longToken = await request(base, 'GET', `/v1/bookings/${existing.id}?token=${'a'.repeat(20000)}`);
  assert.ok(longToken.status >= 400 && longToken.status < 500);
  // The bookings made with odd keys above are legitimate; nothing else changed.
  const after = db.sql(`SELECT COUNT(*) FROM bookings`)[0][0];
  assert.ok(Number(after) >= 1);
  assert.equal(db.sql(`SELECT COUNT(*) FROM providers`)[0][0], before.split(',')[0]);
});

test('SQL metacharacters in free text are stored as data', async () => {
  const evil = "Robert'); DROP TABLE bookings; --";
  const r = await book(base, { provider: 'p1', service: 's30', start: slotAt(3, 60), client: { name: evil, email: "o'brien@example.com" }, notes: '"; DELETE FROM providers; --', time_zone: "Europe/Berlin'--" });
  assert.equal(r.status, 201, r.text);
  const back = await request(base, 'GET', `/v1/bookings/${r.json.booking.id}?token=${r.json.booking.manage_token}`);
  assert.equal(back.json.booking.client.name, evil);
  assert.equal(back.json.booking.notes, '"; DELETE FROM providers; --');
  assert.equal(db.sql(`SELECT COUNT(*) FROM providers`)[0][0], '1');
});

test('bad provider documents: 4xx each, configuration unchanged', async () => {
  const before = db.sql(`SELECT name, time_zone FROM providers`);
  const docs = ['{', '[]', '{"name":"x"}', JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: [], services: [] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: {}, services: [{ id: 'a' }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: { weekly: [{ day: 'funday', start: '09:00', end: '10:00' }] } }, services: [] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: {}, services: [{ id: 'a', name: 'A', durations: [30], schedule: 'missing', price: { amount: 1, currency: 'EUR' } }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: {} }, services: [{ id: 'a', name: 'A', durations: [30], buffer_before_minutes: null, price: { amount: 1, currency: 'EUR' } }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: {} }, services: [{ id: 'a', name: 'A', durations: [30], price: { amount: -5, currency: 'EUR' } }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: {} }, services: [{ id: "a'--", name: 'A', durations: [30], price: { amount: 5, currency: 'EUR' } }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: {} }, services: [{ id: 'a', name: 'A', durations: [30], price: { amount: 5, currency: 'eur' } }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: {} }, services: [{ id: 'a', name: 'A', durations: [30], price: { amount: 5, currency: 'EUR' }, virtual: 'yes' }] }),
    JSON.stringify({ name: 'x', kind: 'doctor', time_zone: 'UTC', photo_url: 'javascript:alert(1)', schedules: {}, services: [] }),
  ];
  for (const doc of docs) {
    const r = await request(base, 'PUT', '/v1/providers/p1', { raw: Buffer.from(doc), headers: admin });
    assert.ok(r.status >= 400 && r.status < 500, `${doc}: ${r.status} ${r.text}`);
    assert.equal(typeof r.json?.code, 'string');
  }
  assert.deepEqual(db.sql(`SELECT name, time_zone FROM providers`), before);
});

test('a refused field is named in the problem\'s path', async () => {
  const base_doc = { name: 'x', kind: 'doctor', time_zone: 'UTC', schedules: { default: {} }, services: [] };
  const cases = [
    [{ ...base_doc, kind: 'nurse' }, '/kind'],
    [{ ...base_doc, photo_url: 'javascript:alert(1)' }, '/photo_url'],
    [{ ...base_doc, services: [{ id: 'a', name: 'A', durations: [30], price: { amount: 5, currency: 'EUR' }, virtual: 'yes' }] }, '/services/0/virtual'],
  ];
  for (const [doc, path] of cases) {
    const r = await request(base, 'PUT', '/v1/providers/p1', { raw: Buffer.from(JSON.stringify(doc)), headers: admin });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.path, path, r.text);
    assert.ok(r.json.detail.startsWith(path), 'the detail still names it for people');
  }
});

test('broken HTTP on a raw socket gets a 4xx, the server stays up', async () => {
  const port = new URL(base).port;
  const raw = (bytes) => new Promise((resolve) => {
    const socket = net.connect(Number(port), '127.0.0.1');
    let data = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (d) => { data += d; });
    socket.on('close', () => resolve(data));
    socket.on('error', () => resolve(data));
    socket.write(bytes);
    setTimeout(() => socket.end(), 200);
  });
  for (const bytes of ['GARBAGE\r\n\r\n', 'POST /v1/bookings HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n',
    'POST /v1/bookings HTTP/1.1\r\nHost: x\r\nIdempotency-Key: k\u0001ey\r\nContent-Length: 2\r\n\r\n{}',
    `GET /${'a'.repeat(10000)} HTTP/1.1\r\nHost: x\r\n\r\n`]) {
    const answer = await raw(bytes);
    const status = Number((answer.match(/^HTTP\/1\.1 (\d{3})/) || [])[1] || 0);
    assert.ok(status === 0 || (status >= 400 && status < 500), `${JSON.stringify(bytes.slice(0, 40))}: ${answer.slice(0, 80)}`);
  }
  assert.equal((await request(base, 'GET', '/healthz')).status, 200);
});
