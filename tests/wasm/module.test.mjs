// The built WebAssembly artifacts as their consumers load them.
//   SLOTWISE_WASM_DIST=build-wasm/dist SLOTWISE_TZ_SOURCE=/usr/share/zoneinfo/tzdata.zi node --test tests/wasm/module.test.mjs
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { distFiles, loadNodeEngine, loadWebEngine } from './load-engine.mjs';
import { decodeSlots, querySlots } from '../../web/src/engine.js';

const dist = process.env.SLOTWISE_WASM_DIST ?? 'build-wasm/dist';
const tzSource = process.env.SLOTWISE_TZ_SOURCE ?? '/usr/share/zoneinfo/tzdata.zi';

const snapshot = JSON.stringify({
  provider: { id: 'p1', time_zone: 'Europe/Berlin' },
  schedules: { default: { weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })) } },
  services: [{ id: 's1', durations: [30, 60], slot_interval_minutes: 15 }],
  busy: [{ start: '2026-03-30T07:00:00Z', end: '2026-03-30T08:00:00Z' }],
});
const query = (extra = {}) => JSON.stringify({
  service: 's1', from: '2026-03-30', to: '2026-03-30', time_zone: 'America/New_York', now: '2026-03-01T00:00:00Z', ...extra,
});

test('manifest names the hashed browser files and the tz version', () => {
  const { manifest } = distFiles(dist);
  assert.deepEqual(Object.keys(manifest), ['module', 'wasm', 'tzVersion']);
  assert.match(manifest.module, /^slotwise-engine\.[0-9a-f]{8}\.mjs$/);
  assert.match(manifest.wasm, /^slotwise-engine\.[0-9a-f]{8}\.wasm$/);
  for (const name of [manifest.module, manifest.wasm, 'slotwise-engine.node.cjs', 'slotwise-engine.node.wasm', 'slotwise-engine.d.ts']) {
    assert.ok(existsSync(join(dist, name)), `${name} is in dist/`);
  }
  const stale = readdirSync(dist).filter((f) => /^slotwise-engine\.[0-9a-f]{8}\./.test(f) && f !== manifest.module && f !== manifest.wasm);
  assert.deepEqual(stale, [], 'no files of older builds');
  const js = readFileSync(join(dist, manifest.module), 'utf8');
  assert.ok(js.includes(manifest.wasm), 'the module names its hashed .wasm');
  assert.ok(!js.includes('slotwise-engine.wasm'), 'the module no longer names the unhashed .wasm');
  assert.ok(!/\beval\(|new Function\(/.test(js), 'no dynamic code (strict CSP hosts)');
  const expected = readFileSync(tzSource, 'utf8').match(/^# version (\S+)$/m)[1];
  assert.equal(manifest.tzVersion, expected);
});

test('Node form: run() answers a batch line of cli.md', async () => {
  const engine = await loadNodeEngine(dist);
  const line = JSON.stringify({ op: 'slots', snapshot: JSON.parse(snapshot), query: JSON.parse(query({ duration_minutes: 60 })) });
  const answer = JSON.parse(engine.run(line));
  assert.equal(answer.time_zone, 'America/New_York');
  // Berlin 09:00-17:00 on Monday 2026-03-30 (CEST, +02:00) is 07:00Z-15:00Z; 07:00-08:00Z is busy.
  assert.deepEqual(answer.slots[0], {
    start: '2026-03-30T08:00:00Z', end: '2026-03-30T09:00:00Z', local_date: '2026-03-30',
    local_start: '04:00', local_end: '05:00', utc_offset: '-04:00',
  });
  assert.equal(answer.slots.at(-1).start, '2026-03-30T14:00:00Z');
  assert.equal(answer.slots.length, 25);
  assert.equal(engine.run('{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-06-10T10:00:00Z","cancelled_at":"2026-06-08T10:00:00Z"}}'),
    '{"refund":2500}');
  for (const [line, code] of [['', 'INVALID_JSON'], ['{', 'INVALID_JSON'], ['[]', 'INVALID_QUERY'], ['{"op":"x"}', 'INVALID_QUERY'],
    ['{"op":"slots","query":{}}', 'INVALID_SNAPSHOT']]) {
    assert.equal(JSON.parse(engine.run(line)).error.code, code, `run(${JSON.stringify(line)})`);
  }
});

test('Node form: Engine answers slots and validate; a bad snapshot answers its error', async () => {
  const mod = await loadNodeEngine(dist);
  const engine = new mod.Engine(snapshot);
  try {
    const slots = JSON.parse(engine.slots(query()));
    assert.equal(slots.slots.length, 27);
    assert.equal(engine.validate(JSON.stringify({ service: 's1', start: slots.slots[0].start, now: '2026-03-01T00:00:00Z' })), '{"ok":true}');
    assert.deepEqual(JSON.parse(engine.validate(JSON.stringify({ service: 's1', start: '2026-03-30T07:00:00Z', now: '2026-03-01T00:00:00Z' }))),
      { ok: false, code: 'SLOT_TAKEN' });
    assert.equal(JSON.parse(engine.slots(query({ time_zone: 'Mars/Olympus_Mons' }))).error.code, 'UNKNOWN_TIME_ZONE');
    assert.equal(JSON.parse(engine.slots(query({ from: '2019-12-31' }))).error.code, 'OUT_OF_RANGE');
    assert.equal(JSON.parse(engine.slots('not json')).error.code, 'INVALID_JSON');
  } finally {
    engine.delete();
  }
  const broken = new mod.Engine('{"provider":{"id":"p1","time_zone":"Nowhere/City"},"schedules":{},"services":[]}');
  assert.equal(JSON.parse(broken.slots(query())).error.code, 'UNKNOWN_TIME_ZONE');
  broken.delete();
  assert.equal(mod.refund('{"policy":"strict","price":1000,"start":"2026-06-10T10:00:00Z","cancelled_at":"2026-05-01T10:00:00Z"}'), '{"refund":500}');
});

test('Node form: slotsCompact answers the slots of slots() as numbers, errors as the same text', async () => {
  const mod = await loadNodeEngine(dist);
  const engine = new mod.Engine(snapshot);
  try {
    const text = engine.slots(query());
    const numbers = engine.slotsCompact(query());
    assert.ok(numbers instanceof Int32Array);
    assert.equal(numbers.length, 27 * 6);
    // 2026-03-30 09:00 in Berlin (UTC+2) is 07:00Z, taken; 08:00Z = 04:00 in New York (UTC-4).
    assert.deepEqual([...numbers.slice(0, 6)], [Date.UTC(2026, 2, 30, 8) / 60000, Date.UTC(2026, 2, 30, 8, 30) / 60000,
      Date.UTC(2026, 2, 30) / 86400000, 4 * 60, 4 * 60 + 30, -4 * 60]);
    assert.equal(JSON.stringify({ time_zone: 'America/New_York', slots: decodeSlots(numbers) }), text);
    assert.equal(JSON.stringify(querySlots(engine, JSON.parse(query()))), text);
    // A link keeps its own name in the answer, as slots() echoes it.
    const link = query({ time_zone: 'US/Eastern' });
    assert.equal(JSON.stringify(querySlots(engine, JSON.parse(link))), engine.slots(link));
    for (const bad of [query({ time_zone: 'Mars/Olympus_Mons' }), query({ from: '2019-12-31' }), 'not json', '{}']) {
      assert.equal(engine.slotsCompact(bad), engine.slots(bad));
    }
    assert.deepEqual(querySlots(engine, { service: 'nope' }), JSON.parse(engine.slots('{"service":"nope"}')));
    // A module without slotsCompact (an older build) answers the same through slots().
    assert.equal(JSON.stringify(querySlots({ slots: (q) => engine.slots(q) }, JSON.parse(query()))), text);
  } finally {
    engine.delete();
  }
  const broken = new mod.Engine('{"provider":');
  assert.equal(broken.slotsCompact(query()), broken.slots(query()));
  broken.delete();
});

test('Node form: new Engine reads any text as before (non-ASCII, lone surrogates, bytes)', async () => {
  const mod = await loadNodeEngine(dist);
  const answerOf = (input) => { const e = new mod.Engine(input); try { return e.slots(query()); } finally { e.delete(); } };
  const base = JSON.parse(snapshot);
  const named = JSON.stringify({ ...base, provider: { ...base.provider, id: 'Zoë 🦉 شكرا' } });
  const runAnswer = (snapshotText) => mod.run(`{"op":"slots","snapshot":${snapshotText},"query":${query()}}`);
  assert.equal(answerOf(named), runAnswer(named));
  assert.equal(answerOf(named), answerOf(snapshot));
  // A lone surrogate is not UTF-8 text: INVALID_JSON, as embind's conversion gave.
  const lone = snapshot.replace('"p1"', '"p\\ud800"');  // its JSON escape instead
  const loneRaw = snapshot.replace('"p1"', `"p${String.fromCharCode(0xd800)}"`);
  assert.equal(JSON.parse(answerOf(loneRaw)).error.code, 'INVALID_JSON');
  assert.equal(answerOf(lone), runAnswer(lone));
  // Bytes are read as UTF-8, as embind's std::string conversion reads them.
  assert.equal(answerOf(new TextEncoder().encode(named)), answerOf(named));
  assert.equal(JSON.parse(answerOf('')).error.code, 'INVALID_JSON');
  assert.throws(() => new mod.Engine(42));
});

test('Node form: zones() and tzVersion()', async () => {
  const mod = await loadNodeEngine(dist);
  const zones = mod.zones();
  assert.ok(Array.isArray(zones));
  assert.ok(zones.length > 400, `${zones.length} zones`);
  assert.equal(new Set(zones).size, zones.length, 'no duplicates');
  for (const name of ['Europe/Berlin', 'America/New_York', 'US/Eastern', 'Asia/Kolkata', 'Australia/Lord_Howe', 'UTC']) {
    assert.ok(zones.includes(name), name);
  }
  // Every name zones() lists is one the engine accepts.
  const rejected = zones.filter((zone) => mod.run(JSON.stringify({
    op: 'slots', snapshot: { provider: { id: 'p', time_zone: zone }, schedules: { default: {} }, services: [{ id: 's', durations: [30] }] },
    query: { service: 's', from: '2026-01-01', to: '2026-01-01', time_zone: zone, now: '2026-01-01T00:00:00Z' },
  })).includes('"error"'));
  assert.deepEqual(rejected, []);
  assert.equal(mod.tzVersion(), distFiles(dist).manifest.tzVersion);
});

test('browser form: the hashed ES module loads its hashed .wasm and answers like the Node form', async () => {
  const { manifest } = distFiles(dist);
  const { engine: web, requested } = await loadWebEngine(dist);
  assert.deepEqual(requested, [manifest.wasm]);
  const node = await loadNodeEngine(dist);
  const line = JSON.stringify({ op: 'slots', snapshot: JSON.parse(snapshot), query: JSON.parse(query()) });
  assert.equal(web.run(line), node.run(line));
  assert.deepEqual(web.zones(), node.zones());
  assert.equal(web.tzVersion(), manifest.tzVersion);
});

// WebAssembly memory never shrinks, so a leak shows as growth of the memory
// or, before that, as a rising heap top: a fresh block too large for any
// free hole is carved from the top of the heap.
function heapTop(mod) {
  const block = mod._malloc(8 << 20);
  mod._free(block);
  return block;
}

test('memory stays flat over 100,000 calls', async () => {
  const mod = await loadNodeEngine(dist);
  const memory = Object.values(mod.asm).find((value) => value instanceof WebAssembly.Memory);
  assert.ok(memory, 'the module exports its memory');
  const big = JSON.parse(snapshot);
  big.busy = Array.from({ length: 100 }, (_, i) => {
    const start = Date.UTC(2026, 2, 2) + i * 4 * 3600000;
    return { start: new Date(start).toISOString().slice(0, 19) + 'Z', end: new Date(start + 1800000).toISOString().slice(0, 19) + 'Z' };
  });
  const bigSnapshot = JSON.stringify(big);
  const weekQuery = query({ from: '2026-03-02', to: '2026-03-08' });
  const runLine = JSON.stringify({ op: 'slots', snapshot: { ...big, busy: big.busy.slice(0, 10) }, query: JSON.parse(weekQuery) });
  const refundLine = '{"policy":"moderate","price":5000,"start":"2026-06-10T10:00:00Z","cancelled_at":"2026-06-08T10:00:00Z"}';
  const validateRequest = JSON.stringify({ service: 's1', start: '2026-03-02T09:00:00Z', now: '2026-03-01T00:00:00Z' });

  let engine = new mod.Engine(bigSnapshot);
  let answered = 0;
  const calls = (n) => {
    for (let i = 0; i < n; i++) {
      switch (i % 8) {
        case 0: answered += i % 16 === 0 ? engine.slots(weekQuery).length : engine.slotsCompact(weekQuery).length; break;
        case 1: answered += engine.validate(validateRequest).length; break;
        case 2: answered += mod.run(runLine).length; break;
        case 3: answered += mod.refund(refundLine).length; break;
        case 4: answered += mod.run(i % 16 === 4 ? '{"op":' : '[]').length; break;
        case 5: answered += engine.slots(query({ time_zone: 'Nowhere/City' })).length; break;
        case 6: answered += mod.zones().length; break;
        default:
          engine.delete();
          engine = new mod.Engine(i % 64 === 7 ? '{"provider":' : bigSnapshot);
          if (i % 64 === 7) { answered += engine.slots(weekQuery).length; engine.delete(); engine = new mod.Engine(bigSnapshot); }
      }
    }
  };
  calls(2000);
  const topBefore = heapTop(mod);
  const bytesBefore = memory.buffer.byteLength;
  const handlesBefore = mod.count_emval_handles();
  calls(100000);
  engine.delete();
  const bytesAfter = memory.buffer.byteLength;
  const topAfter = heapTop(mod);
  assert.ok(answered > 100000);
  assert.equal(bytesAfter, bytesBefore, `memory grew from ${bytesBefore} to ${bytesAfter} bytes`);
  assert.ok(topAfter - topBefore < 64 * 1024, `heap top rose by ${topAfter - topBefore} bytes`);
  assert.equal(mod.count_emval_handles(), handlesBefore, 'no JS value handles leak');
});
