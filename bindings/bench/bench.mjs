#!/usr/bin/env node
// The WebAssembly module's budgets (issue 3), measured, not asserted:
//   1. size: JS glue + .wasm (zone data included), gzip -9, <= 150 KB;
//   2. instantiation in Node: compile + instantiate + runtime and zone data
//      ready (first zones() call), median of N fresh instances, < 50 ms;
//   3. per-query time of the native benchmark's workload (engine/bench:
//      Europe/Berlin provider, America/New_York viewer, Mon-Fri 09:00-17:00,
//      30-minute slots every 15 minutes, no buffers, 90 days from 2026-03-01,
//      1,000 busy 30-minute intervals spread evenly) on a parsed Engine,
//      against bench_engine's Query/days:90/busy:1000, <= 3x.
//
//   node bindings/bench/bench.mjs [--dist build-wasm/dist] [--bench-engine build/bin/bench_engine] [--runs 30]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const { values: args } = parseArgs({
  options: {
    dist: { type: 'string', default: 'build-wasm/dist' },
    'bench-engine': { type: 'string', default: 'build/bin/bench_engine' },
    runs: { type: 'string', default: '30' },
  },
});
const dist = resolve(args.dist);
const runs = Number(args.runs);
const manifest = JSON.parse(readFileSync(join(dist, 'manifest.json'), 'utf8'));
const require = createRequire(import.meta.url);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

// 1. Size, as a browser downloads it (the browser form).
const sizes = [manifest.module, manifest.wasm].map((name) => {
  const bytes = readFileSync(join(dist, name));
  return { name, raw: bytes.length, gz: gzipSync(bytes, { level: 9 }).length };
});
const gzTotal = sizes.reduce((sum, s) => sum + s.gz, 0);
console.log('size (gzip -9):');
for (const s of sizes) console.log(`  ${s.name.padEnd(32)} ${kb(s.raw).padStart(9)} raw  ${kb(s.gz).padStart(9)} gz`);
console.log(`  total ${kb(gzTotal)} gz (budget 150 KB): ${gzTotal <= 150 * 1024 ? 'within' : 'OVER'}`);

// 2. Instantiation: the Node form from bytes already in memory (a browser
// streams-compiles while downloading; download time is not counted here).
const wasmBinary = readFileSync(join(dist, 'slotwise-engine.node.wasm'));
const factoryPath = join(dist, 'slotwise-engine.node.cjs');
const instantiation = [];
for (let i = 0; i < runs; i++) {
  delete require.cache[require.resolve(factoryPath)];
  const started = performance.now();
  const mod = await require(factoryPath)({ wasmBinary });
  mod.zones();  // the zone database is built on first use: count it
  instantiation.push(performance.now() - started);
}
console.log(`instantiation (compile + init + zone data), median of ${runs}: ${median(instantiation).toFixed(1)} ms ` +
  `(min ${Math.min(...instantiation).toFixed(1)}, max ${Math.max(...instantiation).toFixed(1)}; budget 50 ms)`);

// 3. The native benchmark's workload, built exactly as engine/bench/bench_engine.cpp builds it.
const DAYS = 90;
const BUSY = 1000;
const minute = 60000;
const instant = (ms) => `${new Date(ms).toISOString().slice(0, 16)}:00Z`;
const first = Date.parse('2026-03-01T00:00:00Z');
const span = DAYS * 1440;
const snapshot = JSON.stringify({
  provider: { id: 'bench', time_zone: 'Europe/Berlin' },
  schedules: { default: { weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })) } },
  services: [{ id: 'consult', durations: [30], buffer_before_minutes: 0, buffer_after_minutes: 0, slot_interval_minutes: 15 }],
  busy: Array.from({ length: BUSY }, (_, i) => {
    const start = first + Math.floor((span * i) / BUSY) * minute;
    return { start: instant(start), end: instant(start + 30 * minute) };
  }),
});
const query = JSON.stringify({
  service: 'consult', duration_minutes: 30, from: '2026-03-01',
  to: new Date(first + (DAYS - 1) * 86400000).toISOString().slice(0, 10),
  time_zone: 'America/New_York', now: '2026-02-20T12:00:00Z',
});
const mod = await require(factoryPath)({ wasmBinary });
const engine = new mod.Engine(snapshot);
const answer = JSON.parse(engine.slots(query));
if (!answer.slots) throw new Error(`workload rejected: ${JSON.stringify(answer)}`);

// Mean per call over batches of calls lasting ~0.2 s; the median batch, as
// wall-clock time and as this process's CPU time (steadier on a busy machine;
// compared with bench_engine's cpu_time).
function perCallMicros(call) {
  for (let i = 0; i < 20; i++) call();
  let n = 1;
  for (;;) {
    const started = performance.now();
    for (let i = 0; i < n; i++) call();
    if (performance.now() - started > 200) break;
    n *= 2;
  }
  const wall = [];
  const cpu = [];
  for (let b = 0; b < 7; b++) {
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    for (let i = 0; i < n; i++) call();
    const used = process.cpuUsage(cpuStarted);
    wall.push(((performance.now() - started) * 1000) / n);
    cpu.push((used.user + used.system) / n);
  }
  return { wall: median(wall), cpu: median(cpu) };
}
const queryUs = perCallMicros(() => engine.slots(query));
// What turning the answer's bytes into a JS string costs by itself (V8
// allocating a ~170 KB string): part of every JS-visible answer, not engine work.
const answerBytes = new TextEncoder().encode(engine.slots(query));
const decoder = new TextDecoder();
const decodeUs = perCallMicros(() => decoder.decode(answerBytes));
const parseQueryUs = perCallMicros(() => { const e = new mod.Engine(snapshot); e.slots(query); e.delete(); });
engine.delete();
console.log(`workload: ${DAYS} days, ${BUSY} busy, ${answer.slots.length} slots, snapshot ${snapshot.length} bytes`);
const show = (t) => `${t.wall.toFixed(1)} us wall, ${t.cpu.toFixed(1)} us CPU`;
console.log(`  wasm Engine.slots (Query):            ${show(queryUs)}`);
console.log(`    of which making the ${answerBytes.length}-byte answer a JS string: ${show(decodeUs)}`);
const engineUs = { wall: queryUs.wall - decodeUs.wall, cpu: queryUs.cpu - decodeUs.cpu };
console.log(`    engine inside WebAssembly (difference): ${show(engineUs)}`);
console.log(`  wasm new Engine + slots (ParseQuery): ${show(parseQueryUs)}`);

const benchEngine = resolve(args['bench-engine']);
if (existsSync(benchEngine)) {
  const out = JSON.parse(execFileSync(benchEngine, [
    '--benchmark_filter=^(Query|ParseQuery)/days:90/busy:1000$', '--benchmark_format=json',
    '--benchmark_repetitions=5', '--benchmark_report_aggregates_only=true'], { maxBuffer: 1 << 24 }));
  const nativeUs = (name) => {
    const row = out.benchmarks.find((b) => b.run_name === `${name}/days:90/busy:1000` && b.aggregate_name === 'median');
    const unit = { ns: 1e-3, us: 1, ms: 1e3 }[row.time_unit];
    return { wall: row.real_time * unit, cpu: row.cpu_time * unit };
  };
  const ratio = (w, n) => `wasm/native ${(w.wall / n.wall).toFixed(2)}x wall, ${(w.cpu / n.cpu).toFixed(2)}x CPU`;
  const nq = nativeUs('Query');
  const npq = nativeUs('ParseQuery');
  console.log(`  native Query (bench_engine, median of 5): ${show(nq)} -> ${ratio(queryUs, nq)} (budget 3x)`);
  console.log(`    engine inside WebAssembly vs native Query: ${ratio(engineUs, nq)}`);
  console.log(`  native ParseQuery:                        ${show(npq)} -> ${ratio(parseQueryUs, npq)}`);
} else {
  console.log(`  (no ${benchEngine}: build the native preset for the wasm/native ratio)`);
}
