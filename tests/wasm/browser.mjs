#!/usr/bin/env node
// The browser form in real headless Chromium: the hashed ES module is
// imported over HTTP (loopback), fetches its hashed .wasm by itself with
// streaming instantiation (application/wasm), and answers run(), Engine,
// zones() and tzVersion() like the Node form does.
//
//   node tests/wasm/browser.mjs --dist build-wasm/dist [--chromium /usr/bin/chromium]
// Exit 0 on success, 1 with the reason otherwise.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { distFiles, loadNodeEngine } from './load-engine.mjs';

const { values: args } = parseArgs({
  options: { dist: { type: 'string' }, chromium: { type: 'string', default: '/usr/bin/chromium' } },
});
const { dist, manifest } = distFiles(args.dist);
const node = await loadNodeEngine(dist);

const snapshot = {
  provider: { id: 'p1', time_zone: 'Europe/Berlin' },
  schedules: { default: { weekly: ['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => ({ day, start: '09:00', end: '17:00' })) } },
  services: [{ id: 's1', durations: [30, 60], slot_interval_minutes: 15 }],
  // Read straight from the text (the usual shape), and a name that is not ASCII.
  busy: [{ start: '2026-03-30T07:00:00Z', end: '2026-03-30T08:00:00Z' }, { end: '2026-04-01T13:00:00Z', start: '2026-04-01T12:00:00Z' }],
};
snapshot.provider.id = 'Zoë 🦉';
const query = { service: 's1', from: '2026-03-27', to: '2026-04-02', time_zone: 'America/New_York', now: '2026-03-01T00:00:00Z' };
const line = JSON.stringify({ op: 'slots', snapshot, query });

const page = `<!doctype html><meta charset="utf-8"><title>engine</title>
<script type="module">
const report = (body) => fetch('/report', { method: 'POST', body: JSON.stringify(body) });
try {
  const manifest = await (await fetch('/manifest.json')).json();
  const started = performance.now();
  const { default: create } = await import('/' + manifest.module);
  const printed = [];
  const mod = await create({ print: (m) => printed.push(m), printErr: (m) => printed.push(m) });
  mod.zones();
  const instantiateMs = performance.now() - started;
  const engine = new mod.Engine(${JSON.stringify(JSON.stringify(snapshot))});
  const slots = engine.slots(${JSON.stringify(JSON.stringify(query))});
  const compact = Array.from(engine.slotsCompact(${JSON.stringify(JSON.stringify(query))}));
  engine.delete();
  const wasmRequests = performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.wasm')).map((e) => new URL(e.name).pathname);
  report({ run: mod.run(${JSON.stringify(line)}), slots, compact, zones: mod.zones().length, tz: mod.tzVersion(), instantiateMs, wasmRequests, printed });
} catch (e) {
  report({ error: String(e && e.stack || e) });
}
</script>`;

const types = { '.mjs': 'text/javascript', '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
let resolveReport;
const reported = new Promise((resolve) => { resolveReport = resolve; });
const served = [];
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://127.0.0.1').pathname;
  served.push(path);
  if (path === '/report' && req.method === 'POST') {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => { res.end(); resolveReport(JSON.parse(body)); });
    return;
  }
  if (path === '/') { res.setHeader('content-type', 'text/html'); res.end(page); return; }
  const name = path.slice(1);
  if (![manifest.module, manifest.wasm, 'manifest.json'].includes(name)) { res.statusCode = 404; res.end(); return; }
  res.setHeader('content-type', types[extname(name)]);
  res.end(readFileSync(join(dist, name)));
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${server.address().port}/`;

const profile = mkdtempSync(join(tmpdir(), 'slotwise-chromium-'));
const chromium = spawn(args.chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  `--user-data-dir=${profile}`, '--remote-debugging-port=0', url,
], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });  // its own process group, killed as one
let stderr = '';
chromium.stderr.on('data', (chunk) => { stderr += chunk; });
const exited = new Promise((resolve) => chromium.on('exit', resolve));

const failures = [];
let timer;
try {
  const result = await Promise.race([
    reported,
    exited.then((code) => ({ error: `chromium exited (${code}) before the page reported:\n${stderr.slice(-2000)}` })),
    new Promise((resolve) => { timer = setTimeout(() => resolve({ error: 'no report from the page within 60 s' }), 60000); }),
  ]);
  if (result.error) {
    failures.push(result.error);
  } else {
    if (result.run !== node.run(line)) failures.push(`run() differs from the Node form:\n  browser: ${result.run}\n  node:    ${node.run(line)}`);
    const nodeEngine = new node.Engine(JSON.stringify(snapshot));
    if (result.slots !== nodeEngine.slots(JSON.stringify(query))) failures.push('Engine.slots differs from the Node form');
    if (result.slots !== node.run(line)) failures.push('Engine.slots differs from run() on the same snapshot');
    if (JSON.stringify(result.compact) !== JSON.stringify(Array.from(nodeEngine.slotsCompact(JSON.stringify(query))))) {
      failures.push('Engine.slotsCompact differs from the Node form');
    }
    nodeEngine.delete();
    if (result.zones !== node.zones().length) failures.push(`zones(): ${result.zones} names, Node form ${node.zones().length}`);
    if (result.printed.length) failures.push(`the module printed (streaming fallback?): ${result.printed.join(' | ')}`);
    if (result.tz !== manifest.tzVersion) failures.push(`tzVersion() ${result.tz}, manifest ${manifest.tzVersion}`);
    if (JSON.stringify(result.wasmRequests) !== JSON.stringify([`/${manifest.wasm}`])) {
      failures.push(`the page fetched ${JSON.stringify(result.wasmRequests)}, expected /${manifest.wasm}`);
    }
    console.log(`Chromium: module + ${manifest.wasm} instantiated and zone data ready in ${result.instantiateMs.toFixed(1)} ms; ` +
      `${result.zones} zones, tz ${result.tz}`);
  }
} finally {
  clearTimeout(timer);
  if (chromium.exitCode === null) {
    try { process.kill(-chromium.pid, 'SIGKILL'); } catch { /* already gone */ }
    await exited;
  }
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`BROWSER TEST FAILED\n${failures.join('\n')}\nserved: ${served.join(' ')}`);
  process.exit(1);
}
console.log('browser form ok: streaming instantiation of the hashed .wasm, answers identical to the Node form');
