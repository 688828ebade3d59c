// Every problem `code` the server can answer, read from its sources: the
// literals given to DomainError, http_problem, the HTTP refusals and the
// small helpers that build them, plus the engine's validation verdicts
// (engine_calls.cpp passes them through as codes). The contract test holds
// docs/openapi.json's `code` enum to this list.
import fs from 'node:fs';
import path from 'node:path';

// Constructors and helpers whose first string literal (within a few lines) is
// a problem code: DomainError (also as a named variable), the HTTP layer's
// problems and refusals (also brace-initialised: `{431, "CODE", ...}`,
// `fail(413, "CODE", ...)`), and the helpers named for what they build.
const MAKERS = new RegExp([
  String.raw`\b(?:DomainError(?:\s+\w+)?|http_problem|problem_body|Refusal|TransitionRefusal|payment_error|signature_error|fail)\s*[({]`,
  String.raw`\brefusal\s*\(\s*\{\s*\d{3}\s*,`,
  String.raw`(?:return|=)\s*\{\s*(?:\d{3}|ErrorKind::\w+)\s*,(?=\s*")`,
  // A function that names the code a failure is reported under.
  String.raw`\b\w+_code\([^)]*\)\s*\{`,
].join('|'), 'g');
const CODE = /"([A-Z][A-Z0-9_]{2,})"/;

function sourcesUnder(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourcesUnder(full));
    else if (/\.(cpp|h)$/.test(entry.name)) out.push(full);
  }
  return out;
}

export function problemCodes(repoRoot) {
  const codes = new Map();  // code -> first file that names it
  for (const file of sourcesUnder(path.join(repoRoot, 'server-stub', 'src'))) {
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(MAKERS)) {
      // The code comes before the detail: look at the arguments' start only,
      // and stop at the first statement end so a later literal is not taken.
      const start = m.index + m[0].length;
      if (/_code\(/.test(m[0])) {
        // A code-naming function: every literal it returns, up to its closing brace.
        const body = text.slice(start, text.indexOf('\n}', start));
        for (const r of body.matchAll(/return "([A-Z][A-Z0-9_]{2,})"/g))
          if (!codes.has(r[1])) codes.set(r[1], path.relative(repoRoot, file));
        continue;
      }
      const window = text.slice(start, start + 320).split(';')[0];
      // The engine's own error code passed through (catalog.cpp: `ErrorCode::out_of_range ? to_string(code)`).
      if (/to_string\(code\)/.test(window))
        for (const e of window.matchAll(/ErrorCode::(\w+)/g)) {
          const code = e[1].toUpperCase();
          if (!codes.has(code)) codes.set(code, path.relative(repoRoot, file));
        }
      const literal = window.slice(0, 160).match(CODE);
      if (literal && !codes.has(literal[1])) codes.set(literal[1], path.relative(repoRoot, file));
    }
  }
  // The engine's verdicts, as its to_string spells them (all but OK).
  const availability = fs.readFileSync(path.join(repoRoot, 'engine', 'src', 'availability.cpp'), 'utf8');
  for (const m of availability.matchAll(/case Verdict::\w+:\s*return "([A-Z_]+)"/g))
    if (m[1] !== 'OK' && !codes.has(m[1])) codes.set(m[1], 'engine/src/availability.cpp');
  return codes;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = process.argv[2] ?? path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
  for (const [code, file] of [...problemCodes(root)].sort()) console.log(code, file);
}
