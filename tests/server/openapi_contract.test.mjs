// server.openapi_contract: docs/openapi.json against the server.
//
// 1. The document is valid OpenAPI 3.1 (@seriousme/openapi-schema-validator).
// 2. Its problem `code` enum is exactly the codes the sources can answer
//    (problem_codes.mjs reads them from server-stub/src and the engine).
// 3. Its operations are exactly the route table of http_api.cpp (plus /healthz).
// 4. Every answer the server suites received (recorded by --record-exchanges
//    into SLOTWISE_RECORD_DIR, which CTest sets for them) matches the
//    document: a documented status for its route, a documented content type,
//    the body valid against the schema (Ajv 2020-12), the documented headers.
//    Run alone, with nothing recorded since the server was built, it makes its
//    own tour of the API instead, so it never passes on nothing.
// 5. With recordings from the suites, every route of the table received at
//    least one answer, unless openapi_contract_allow.json says why not.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { problemCodes } from './problem_codes.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..');
const requireWeb = createRequire(path.join(repo, 'web', 'package.json'));
const Ajv2020 = requireWeb('ajv/dist/2020').default;
const addFormats = requireWeb('ajv-formats').default ?? requireWeb('ajv-formats');

const DOC_FILE = path.join(repo, 'docs', 'openapi.json');
const doc = JSON.parse(fs.readFileSync(DOC_FILE, 'utf8'));
const allow = JSON.parse(fs.readFileSync(path.join(here, 'openapi_contract_allow.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];

// The route table as http_api.cpp declares it: "METHOD /v1/pattern".
function routeTable() {
  const text = fs.readFileSync(path.join(repo, 'server-stub', 'src', 'http', 'http_api.cpp'), 'utf8');
  const table = text.slice(text.indexOf('static const std::vector<Route> table'), text.indexOf('return table;'));
  const routes = [];
  for (const m of table.matchAll(/\{"(GET|PUT|POST|DELETE|PATCH)",\s*\{((?:\s*"[^"]*"\s*,?)*)\},\s*Access::/g)) {
    const segments = [...m[2].matchAll(/"([^"]+)"/g)].map((s) => s[1]);
    routes.push(`${m[1]} /v1/${segments.join('/')}`);
  }
  return routes;
}

function documentedOperations() {
  const ops = [];
  for (const [p, item] of Object.entries(doc.paths))
    for (const m of METHODS) if (item[m]) ops.push(`${m.toUpperCase()} ${p}`);
  return ops;
}

test('docs/openapi.json is a valid OpenAPI 3.1 document', async () => {
  const { Validator } = await import(requireWeb.resolve('@seriousme/openapi-schema-validator'));
  const validator = new Validator();
  const result = await validator.validate(DOC_FILE);
  assert.equal(validator.version, '3.1');
  assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
});

test('the problem code enum is every code the server can answer, and no other', () => {
  const fromSources = problemCodes(repo);
  const documented = new Set(doc.components.schemas.Problem.properties.code.enum);
  const missing = [...fromSources.keys()].filter((c) => !documented.has(c)).map((c) => `${c} (${fromSources.get(c)})`);
  const stale = [...documented].filter((c) => !fromSources.has(c));
  assert.deepEqual({ missing, stale }, { missing: [], stale: [] },
    'docs/openapi.json components.schemas.Problem.properties.code.enum must list exactly the codes of server-stub/src');
  assert.ok(fromSources.size > 50, `only ${fromSources.size} codes read from the sources: is problem_codes.mjs still finding them?`);
});

test('the document describes exactly the route table of http_api.cpp', () => {
  const table = routeTable();
  assert.ok(table.length > 50, `only ${table.length} routes parsed from http_api.cpp`);
  const documented = new Set(documentedOperations());
  const undocumented = table.filter((r) => !documented.has(r));
  // Besides the table, http_api.cpp's handle() serves a few paths itself (/healthz, /metrics).
  const source = fs.readFileSync(path.join(repo, 'server-stub', 'src', 'http', 'http_api.cpp'), 'utf8');
  const outside = [...source.matchAll(/path == "(\/[a-z]+)" && method == "(GET|POST)"/g)].map((m) => `${m[2]} ${m[1]}`);
  const undocumentedOutside = outside.filter((r) => !documented.has(r));
  assert.deepEqual(undocumentedOutside, [], 'paths handle() serves outside the route table must be documented too');
  const served = new Set([...table, ...outside]);
  const notServed = [...documented].filter((r) => !served.has(r) && !allow.documented_not_served[r]);
  assert.deepEqual({ undocumented, notServed }, { undocumented: [], notServed: [] });
});

// ---- answers ----------------------------------------------------------------------

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, 'openapi.json');
const pointer = (...parts) => parts.map((p) => String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
const validators = new Map();
function validatorAt(ptr) {
  if (!validators.has(ptr)) validators.set(ptr, ajv.getSchema(`openapi.json#${ptr}`));
  return validators.get(ptr);
}

// A response object and the JSON pointer where it lives (after a $ref).
function resolved(obj, ptr) {
  while (obj && obj.$ref) {
    ptr = obj.$ref.slice(1);
    obj = ptr.split('/').slice(1).reduce((o, k) => o[k.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  }
  return [obj, ptr];
}

// Ajv's message, with the member or values it is about.
function explain(e) {
  if (e.params?.additionalProperty) return `${e.message}: "${e.params.additionalProperty}"`;
  if (e.params?.allowedValues) return `${e.message} (${e.params.allowedValues.slice(0, 8).join(', ')}${e.params.allowedValues.length > 8 ? ', …' : ''})`;
  return e.message;
}

// Headers whose presence the document must announce on the response that carries them.
const ANNOUNCED = ['Retry-After', 'Idempotent-Replayed', 'Location', 'Set-Cookie', 'ETag', 'WWW-Authenticate'];

// Checks one recorded answer; returns a list of findings (strings).
function check(x) {
  const findings = [];
  const method = (x.method === 'HEAD' ? 'GET' : x.method).toLowerCase();
  const mediaType = (x.content_type || '').split(';')[0].trim();
  if (x.unreadable) return ['the body is labelled JSON but is not JSON'];
  if (!x.route) {
    // No route matched: a 404, a refusal while reading, a preflight or a static file.
    if (mediaType === 'application/problem+json' && x.body !== undefined) {
      const v = validatorAt('/components/schemas/Problem');
      if (!v(x.body)) for (const e of v.errors) findings.push(`problem body ${e.instancePath || '/'} ${explain(e)}`);
    } else if (x.path.startsWith('/v1/') && x.method !== 'OPTIONS' && x.status >= 400) {
      findings.push(`an error under /v1/ that is not a problem document (${x.content_type})`);
    }
    return findings;
  }
  const item = doc.paths[x.route];
  const operation = item && item[method];
  if (!operation) return [`no operation ${method.toUpperCase()} ${x.route} in the document`];
  let responsePtr = '/' + pointer('paths', x.route, method, 'responses', x.status);
  let documented = operation.responses[String(x.status)];
  // The HTTP layer's refusals before routing may come on any path (x-slotwise-refusals).
  if (!documented && (doc['x-slotwise-refusals'] ?? []).includes(x.status)) {
    responsePtr = '/components/responses/Refusal';
    documented = doc.components.responses.Refusal;
  }
  const [response, ptr] = resolved(documented, responsePtr);
  if (!response) return [`status ${x.status} is not documented`];
  const documentedHeaders = new Set(Object.keys(response.headers ?? {}).map((h) => h.toLowerCase()));
  for (const h of ANNOUNCED)
    if (Object.keys(x.headers).some((k) => k.toLowerCase() === h.toLowerCase()) && !documentedHeaders.has(h.toLowerCase()))
      findings.push(`header ${h} is not documented on this response`);
  const content = response.content ?? {};
  const bodyless = x.status === 204 || x.status === 304 || x.method === 'HEAD';
  if (!mediaType) {
    if (!bodyless && Object.keys(content).length) findings.push('no Content-Type, but the document describes a body');
    return findings;
  }
  if (!content[mediaType]) return [...findings, `content type ${mediaType} is not documented (documented: ${Object.keys(content).join(', ') || 'none'})`];
  if (x.body !== undefined && content[mediaType].schema) {
    const v = validatorAt(ptr + '/' + pointer('content', mediaType, 'schema'));
    if (!v(x.body)) for (const e of v.errors) findings.push(`body ${e.instancePath || '/'} ${explain(e)}`);
  }
  return findings;
}

// Recordings newer than the server binary: older ones may come from another build.
function recordedExchanges(dir, binary) {
  if (!dir || !fs.existsSync(dir)) return { files: [], exchanges: [] };
  const builtAt = fs.existsSync(binary) ? fs.statSync(binary).mtimeMs : 0;
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => path.join(dir, f))
    .filter((f) => fs.statSync(f).mtimeMs >= builtAt);
  const exchanges = [];
  for (const f of files) {
    const lines = fs.readFileSync(f, 'utf8').split('\n');
    // A server killed with SIGKILL (the chaos tests) may leave its last line
    // half written: only lines ended by a newline are whole.
    lines.pop();
    for (const line of lines) {
      if (!line) continue;
      try {
        exchanges.push({ ...JSON.parse(line), file: path.basename(f) });
      } catch {
        // The recorder writes a JSON body as sent: a line that does not parse
        // holds an answer labelled JSON that is not.
        const [, method, route, status] = line.match(/"method":"([A-Z]+)".*?"route":(?:"([^"]*)"|null).*?"status":(\d+)/) ?? [];
        exchanges.push({ method, route, path: '?', status: Number(status), headers: {}, unreadable: true, file: path.basename(f) });
      }
    }
  }
  return { files, exchanges };
}

const SERVER = process.env.SLOTWISE_SERVER || path.resolve(repo, 'build/bin/slotwise-server');
let recorded = recordedExchanges(process.env.SLOTWISE_RECORD_DIR, SERVER);
const fromSuites = recorded.exchanges.length > 0;
let checksPassed = 0;  // the recordings go only when both checks below held

test('every recorded answer matches the document', { timeout: 120000 }, async () => {
  const suitesRan = recorded.files.length;
  console.log(`${recorded.exchanges.length} answers recorded by ${suitesRan} servers of the test suites`);
  // Alone, or after a partial run, the tour adds answers of its own, so that
  // the check is never made on nothing or on a handful.
  if (missingSuites().length) {
    const { tour } = await import('./openapi_tour.mjs');
    const toured = await tour();
    console.log(`not every server suite ran: ${toured.length} answers of the tour checked too`);
    recorded.exchanges.push(...toured.map((x) => ({ ...x, file: 'tour' })));
  }
  assert.ok(recorded.exchanges.length > 20, 'too few answers to check');
  const grouped = new Map();  // "METHOD route status: finding" -> [count, example]
  for (const x of recorded.exchanges)
    for (const f of check(x)) {
      const key = `${x.method} ${x.route ?? x.path} ${x.status}: ${f}`;
      const g = grouped.get(key) ?? [0, x.file ?? 'tour'];
      g[0] += 1;
      grouped.set(key, g);
    }
  const report = [...grouped].map(([k, [n, file]]) => `${k}  (${n}x, e.g. ${file})`);
  assert.deepEqual(report, [], `answers that do not match docs/openapi.json:\n${report.join('\n')}`);
  checksPassed += 1;
});

// The suites CTest registers that start servers through the harness (and so
// record): slotwise_server_test(NAME ...) and foreach(name A B C) lists.
function recordingSuites() {
  const cmake = fs.readFileSync(path.join(here, 'CMakeLists.txt'), 'utf8');
  const names = new Set([...cmake.matchAll(/slotwise_server_test\((\w+)/g)].map((m) => m[1]));
  for (const m of cmake.matchAll(/foreach\(name ([\w ]+)\)\s*\n\s*slotwise_server_test\(\$\{name\}/g))
    for (const n of m[1].trim().split(/\s+/)) names.add(n);
  return [...names].filter((n) => {
    const file = path.join(here, `${n}.test.mjs`);
    return fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes('startServer');
  });
}

// The recording suites with no recording newer than the server binary.
function missingSuites() {
  const ran = new Set(recorded.files.map((f) => path.basename(f).split('.test-')[0]));
  return recordingSuites().filter((n) => !ran.has(n));
}

test('every route of the table was answered in the suites (or is allowed not to be)', (t) => {
  if (!fromSuites) {
    t.skip('run alone: the tour is representative, not complete; completeness is checked after the server suites');
    checksPassed += 1;
    return;
  }
  // Judged only after a run of every suite (the README's test command):
  // after `ctest -R accounts` most routes were rightly never called.
  const missing = missingSuites();
  if (missing.length) {
    t.skip(`not every server suite ran (no recordings from ${missing.join(', ')}): completeness is judged after a full run`);
    checksPassed += 1;
    return;
  }
  const answered = new Set(recorded.exchanges.filter((x) => x.route).map((x) => `${x.method === 'HEAD' ? 'GET' : x.method} ${x.route}`));
  const silent = routeTable().filter((r) => !answered.has(r) && !allow.never_answered[r]);
  assert.deepEqual(silent, [], 'routes no server suite called: add a test, or a reason to openapi_contract_allow.json');
  checksPassed += 1;
});

after(() => {
  // Checked recordings go, so that the next run starts from its own; a
  // failed run keeps them to look at.
  if (!fromSuites || checksPassed < 2) return;
  for (const f of recorded.files) fs.rmSync(f, { force: true });
});
