#!/usr/bin/env node
// Parity of the two builds: the same JSON Lines through the native
// `slotwise batch` and through the WebAssembly module's run() must give
// byte-identical answers, line for line.
// Then the widget's path on every slots and validate line: `new Engine(text)`
// (which reads a usual busy list straight from the text) must answer exactly
// what run() answers for the same snapshot and query texts (the DOM read),
// with the snapshot written compactly, indented, and with each busy object's
// keys swapped; and Engine.slotsCompact decoded by web/src/engine.js must give
// the same answer without its JSON text.
//
//   node tests/wasm/parity.mjs --slotwise build/bin/slotwise --dist build-wasm/dist [--count 6000] [--seed N] [--keep FILE]
//
// Exit 0 when every line matches; 1 with the first differing lines otherwise.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateCases } from './cases.mjs';
import { loadNodeEngine } from './load-engine.mjs';
import { querySlots } from '../../web/src/engine.js';

const { values: args } = parseArgs({
  options: {
    slotwise: { type: 'string' },
    dist: { type: 'string' },
    count: { type: 'string', default: '6000' },
    seed: { type: 'string', default: '20260301' },
    keep: { type: 'string' },
  },
});
if (!args.slotwise || !args.dist) {
  console.error('usage: parity.mjs --slotwise PATH/TO/slotwise --dist PATH/TO/build-wasm/dist [--count N] [--seed N] [--keep FILE]');
  process.exit(2);
}

const engine = await loadNodeEngine(args.dist);
const zones = engine.zones();
const { lines, mustBeOk } = generateCases({
  zones, seed: Number(args.seed), count: Number(args.count), runLine: (line) => engine.run(line),
});
const input = Buffer.from(`${lines.join('\n')}\n`, 'utf8');

const started = process.hrtime.bigint();
const native = spawnSync(args.slotwise, ['batch'], { input, maxBuffer: 1 << 30, timeout: 300000 });
const nativeMs = Number(process.hrtime.bigint() - started) / 1e6;
if (native.error || native.status !== 0) {
  console.error(`native batch failed: ${native.error ?? `exit ${native.status}, signal ${native.signal}`}`);
  console.error(native.stderr.toString().slice(0, 2000));
  process.exit(1);
}

const wasmStarted = process.hrtime.bigint();
const wasmAnswers = lines.map((line) => Buffer.from(engine.run(line), 'utf8'));
const wasmMs = Number(process.hrtime.bigint() - wasmStarted) / 1e6;

// The native output, split at newlines, as bytes.
const nativeAnswers = [];
for (let at = 0; at < native.stdout.length;) {
  const end = native.stdout.indexOf(0x0a, at);
  if (end < 0) { nativeAnswers.push(native.stdout.subarray(at)); break; }
  nativeAnswers.push(native.stdout.subarray(at, end));
  at = end + 1;
}

const failures = [];
const show = (text, limit = 400) => (text.length > limit ? `${text.slice(0, limit)}... (${text.length} chars)` : text);
if (!native.stdout.subarray(-1).equals(Buffer.from('\n'))) failures.push('native output does not end with a newline');
if (nativeAnswers.length !== lines.length) {
  failures.push(`native batch answered ${nativeAnswers.length} lines for ${lines.length} input lines`);
}
const differing = [];
for (let i = 0; i < Math.min(lines.length, nativeAnswers.length); i++) {
  if (!nativeAnswers[i].equals(wasmAnswers[i])) differing.push(i);
}
for (const i of differing.slice(0, 5)) {
  const a = nativeAnswers[i];
  const b = wasmAnswers[i];
  let byte = 0;
  while (byte < a.length && byte < b.length && a[byte] === b[byte]) byte++;
  failures.push([
    `line ${i + 1} differs at byte ${byte}:`,
    `  input:  ${show(lines[i])}`,
    `  native: ${show(a.toString('utf8'))}`,
    `  wasm:   ${show(b.toString('utf8'))}`,
    `  around byte ${byte}: native ${JSON.stringify(a.subarray(Math.max(0, byte - 40), byte + 40).toString('utf8'))}`,
    `                  wasm   ${JSON.stringify(b.subarray(Math.max(0, byte - 40), byte + 40).toString('utf8'))}`,
  ].join('\n'));
}
if (differing.length) failures.push(`${differing.length} of ${lines.length} lines differ`);

// engine.md's law: a start the engine listed as a slot validates ok.
const notOk = mustBeOk.filter((i) => wasmAnswers[i].toString('utf8') !== '{"ok":true}');
for (const i of notOk.slice(0, 3)) {
  failures.push(`line ${i + 1} validates a listed slot but is not ok:\n  input:  ${show(lines[i])}\n  answer: ${wasmAnswers[i]}`);
}
if (notOk.length) failures.push(`${notOk.length} of ${mustBeOk.length} listed slots do not validate`);

// The Engine path against run() (the DOM read) on the same texts.
const swapBusyKeys = (snapshot) => (Array.isArray(snapshot?.busy) && snapshot.busy.every((b) => b && typeof b === 'object')
  ? { ...snapshot, busy: snapshot.busy.map(({ start, end, ...rest }) => ({ end, start, ...rest })) } : snapshot);
const engineStarted = process.hrtime.bigint();
let engineChecked = 0;
let compactChecked = 0;
const engineDiffering = [];
lines.forEach((line, i) => {
  let document;
  try { document = JSON.parse(line); } catch { return; }
  if (!document || typeof document !== 'object' || !('snapshot' in document)) return;
  const op = document.op;
  const key = op === 'slots' ? 'query' : op === 'validate' ? 'request' : null;
  if (!key || !(key in document)) return;
  const inputText = JSON.stringify(document[key]);
  const snapshotTexts = [
    JSON.stringify(document.snapshot), JSON.stringify(document.snapshot, null, i % 3 === 0 ? '\t' : 1),
    JSON.stringify(swapBusyKeys(document.snapshot)),
  ];
  for (const snapshotText of snapshotTexts) {
    const expected = engine.run(`{"op":"${op}","snapshot":${snapshotText},"${key}":${inputText}}`);
    const instance = new engine.Engine(snapshotText);
    try {
      const got = op === 'slots' ? instance.slots(inputText) : instance.validate(inputText);
      engineChecked++;
      if (got !== expected) { engineDiffering.push({ i, snapshotText, expected, got }); continue; }
      if (op !== 'slots') continue;
      const parsed = querySlots(instance, document[key]);
      compactChecked++;
      const same = expected.startsWith('{"error"')
        ? JSON.stringify(parsed) === JSON.stringify(JSON.parse(expected)) : JSON.stringify(parsed) === expected;
      if (!same) engineDiffering.push({ i, snapshotText, expected, got: `querySlots: ${JSON.stringify(parsed)}` });
    } finally {
      instance.delete();
    }
  }
});
const engineMs = Number(process.hrtime.bigint() - engineStarted) / 1e6;
for (const d of engineDiffering.slice(0, 5)) {
  failures.push([
    `line ${d.i + 1}: new Engine(snapshot) differs from run():`,
    `  snapshot: ${show(d.snapshotText)}`,
    `  run():    ${show(d.expected)}`,
    `  Engine:   ${show(d.got)}`,
  ].join('\n'));
}
if (engineDiffering.length) failures.push(`${engineDiffering.length} of ${engineChecked} Engine answers differ from run()`);

const counts = {};
for (const answer of wasmAnswers) {
  const text = answer.toString('utf8');
  const key = text.startsWith('{"error"') ? `error ${JSON.parse(text).error.code}`
    : text.startsWith('{"ok"') ? `validate ${text.includes('"ok":true') ? 'ok' : JSON.parse(text).code}`
      : text.startsWith('{"refund"') ? 'refund' : text.includes('"slots":[]') ? 'slots (none)' : 'slots';
  counts[key] = (counts[key] ?? 0) + 1;
}
const nativeBytes = native.stdout.length;
console.log(`${lines.length} lines over ${zones.length} zones (tz ${engine.tzVersion()}), ${input.length} input bytes, ${nativeBytes} output bytes`);
console.log(`native batch ${nativeMs.toFixed(0)} ms, wasm run() ${wasmMs.toFixed(0)} ms`);
console.log(`Engine path: ${engineChecked} answers as run() gives them, ${compactChecked} slots answers through slotsCompact (${engineMs.toFixed(0)} ms)`);
console.log(Object.entries(counts).sort().map(([k, v]) => `  ${k}: ${v}`).join('\n'));

if (args.keep || failures.length) {
  const file = args.keep ?? join(mkdtempSync(join(tmpdir(), 'slotwise-parity-')), 'cases.jsonl');
  writeFileSync(file, input);
  console.log(`cases written to ${file}`);
}
if (failures.length) {
  console.error(`PARITY FAILED\n${failures.join('\n')}`);
  process.exit(1);
}
console.log(`parity ok: ${lines.length} lines byte-identical; ${mustBeOk.length} listed slots validate ok; ` +
  `${engineChecked} Engine answers and ${compactChecked} compact slots answers equal run()'s`);
