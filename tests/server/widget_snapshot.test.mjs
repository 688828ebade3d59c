// What the widget asks the server instead of re-stating its rules (issue 13):
// the reschedule snapshot, where the moved booking's own occupied time (with
// its buffers) is left out, and the demo provider's data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  book, cleanupAll, client, freshDatabase, problem, providerConfig, putProvider, request, slotAt, startServer,
} from './harness.mjs';

let db, srv, base;
before(async () => {
  db = await freshDatabase();
  srv = await startServer(db);
  base = srv.url;
  const config = providerConfig();
  // Buffers make the occupied interval wider than the booking: the widget
  // used to cut it out itself and got it wrong when buffers changed.
  config.services[0].buffer_before_minutes = 15;
  config.services[0].buffer_after_minutes = 10;
  config.services[0].slot_interval_minutes = 30;
  await putProvider(base, 'p1', config);
  await putProvider(base, 'p2');
});
after(cleanupAll);

const snapshot = (provider, extra = '') =>
  request(base, 'GET', `/v1/providers/${provider}/snapshot?from=2026-11-25&to=2026-11-26${extra}`);

test('?reschedule=&token= leaves the booking\'s own occupied interval out, and nothing else', async () => {
  const mine = await book(base, { provider: 'p1', service: 's30', start: slotAt(2, 120), client: client(1) });
  assert.equal(mine.status, 201, mine.text);
  const other = await book(base, { provider: 'p1', service: 's30', start: slotAt(2, 300), client: client(2) });
  assert.equal(other.status, 201, other.text);
  const { id, manage_token: token } = mine.json.booking;
  const plain = await snapshot('p1');
  assert.deepEqual(plain.json.busy, [
    { start: slotAt(2, 105), end: slotAt(2, 160) },
    { start: slotAt(2, 285), end: slotAt(2, 340) },
  ]);
  const moving = await snapshot('p1', `&reschedule=${id}&token=${token}`);
  assert.equal(moving.status, 200, moving.text);
  assert.deepEqual(moving.json.busy, [{ start: slotAt(2, 285), end: slotAt(2, 340) }]);
  // Everything but busy is the same document.
  const strip = (j) => ({ ...j, busy: null, generated_at: null });
  assert.deepEqual(strip(moving.json), strip(plain.json));
  assert.ok(!moving.text.includes(id), 'no booking id in a snapshot');
});

test('a reschedule snapshot needs the booking\'s own token and provider', async () => {
  const mine = await book(base, { provider: 'p1', service: 's30', start: slotAt(3, 120), client: client(3) });
  assert.equal(mine.status, 201, mine.text);
  const { id, manage_token: token } = mine.json.booking;
  problem(await snapshot('p1', `&reschedule=${id}`), 401, 'TOKEN_REQUIRED');
  problem(await snapshot('p1', `&reschedule=${id}&token=${'a'.repeat(32)}`), 403, 'INVALID_TOKEN');
  problem(await snapshot('p1', `&reschedule=bk_${'a'.repeat(24)}&token=${token}`), 404, 'UNKNOWN_BOOKING');
  problem(await snapshot('p2', `&reschedule=${id}&token=${token}`), 404, 'UNKNOWN_BOOKING');
});

test('the demo provider: a plain bio, half-hour steps, closed on Christmas Day and New Year\'s Day', async () => {
  const empty = await freshDatabase();
  const demo = await startServer(empty, { args: ['--demo'] });
  try {
    const deadline = Date.now() + 15000;
    while ((await request(demo.url, 'GET', '/v1/providers/demo/snapshot').catch(() => ({ status: 0 }))).status !== 200) {
      if (Date.now() > deadline) throw new Error(`demo never ready: ${demo.errors()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const snap = (await request(demo.url, 'GET', '/v1/providers/demo/snapshot')).json;
    assert.doesNotMatch(snap.provider.bio, /slotwise-server|--demo|created by/);
    const day = async (date) => (await request(demo.url, 'GET', `/v1/providers/demo/slots?service=consult&from=${date}&to=${date}`)).json.slots;
    const starts = (await day('2026-11-24')).map((s) => s.local_start);
    assert.deepEqual(starts.slice(0, 4), ['09:00', '09:30', '10:00', '10:30']);
    assert.ok(starts.every((t) => /:(00|30)$/.test(t)), starts.join(' '));
    // Thursday 2026-12-24 is open; Friday 2026-12-25 and Friday 2027-01-01 are weekdays the demo is closed.
    assert.ok((await day('2026-12-24')).length > 0);
    assert.deepEqual(await day('2026-12-25'), []);
    assert.deepEqual(await day('2027-01-01'), []);
  } finally {
    await demo.stop();
  }
});
