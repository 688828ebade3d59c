// The repository's Markdown links resolve inside the repository (issue 17:
// a clone has no ../shared/spec): every relative link names a file or folder
// that git tracks, its #fragment names a heading of that file, and no link
// leaves the repository. Links to http(s) and mailto: are not fetched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

// Tracked Markdown files (a build or node_modules folder is not the repository's).
// Outside a git checkout (an unpacked archive), every .md outside build output.
function markdownFiles() {
  try {
    const listed = execFileSync('git', ['-C', repo, 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '*.md'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return listed.split('\0').filter((f) => f && !f.includes('node_modules/') && fs.existsSync(path.join(repo, f)));
  } catch {
    const out = [];
    const walk = (dir) => {
      for (const e of fs.readdirSync(path.join(repo, dir), { withFileTypes: true })) {
        const rel = path.join(dir, e.name);
        if (e.isDirectory()) { if (!/^(\.|node_modules$|build|dist$|data$)/.test(e.name)) walk(rel); }
        else if (e.name.endsWith('.md')) out.push(rel);
      }
    };
    walk('');
    return out;
  }
}

// GitHub's heading anchors: lowercased, punctuation but - and _ dropped, spaces to -.
function slug(heading) {
  return heading.trim().toLowerCase()
    .replace(/<[^>]+>/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*]/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

const anchorCache = new Map();
function anchors(file) {
  if (!anchorCache.has(file)) {
    const seen = new Map();
    const out = new Set();
    let fenced = false;
    for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
      if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
      const m = !fenced && line.match(/^#{1,6}\s+(.*?)\s*#*\s*$/);
      if (!m) continue;
      const base = slug(m[1]);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n ? `${base}-${n}` : base);
    }
    for (const m of fs.readFileSync(file, 'utf8').matchAll(/<a\s+(?:name|id)="([^"]+)"/g)) out.add(m[1]);
    anchorCache.set(file, out);
  }
  return anchorCache.get(file);
}

// [text](target) and [text]: target, outside code fences and inline code.
function links(text) {
  const out = [];
  let fenced = false;
  text.split('\n').forEach((line, i) => {
    if (/^\s*(```|~~~)/.test(line)) { fenced = !fenced; return; }
    if (fenced) return;
    const bare = line.replace(/`[^`]*`/g, '');
    for (const m of bare.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1], line: i + 1 });
    const ref = bare.match(/^\s*\[[^\]]+\]:\s*(\S+)/);
    if (ref) out.push({ target: ref[1], line: i + 1 });
  });
  return out;
}

test('every relative Markdown link resolves inside the repository', () => {
  const files = markdownFiles();
  assert.ok(files.includes('README.md') && files.includes('docs/README.md'), 'README.md and docs/README.md are there');
  const broken = [];
  let checked = 0;
  for (const file of files) {
    const abs = path.join(repo, file);
    for (const { target, line } of links(fs.readFileSync(abs, 'utf8'))) {
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue;  // https:, mailto:, ...
      checked += 1;
      const [rawPath, fragment] = target.split('#');
      const filePart = decodeURIComponent(rawPath);
      const resolved = filePart ? path.resolve(path.dirname(abs), filePart) : abs;
      const where = `${file}:${line} -> ${target}`;
      if (path.relative(repo, resolved).startsWith('..') || path.isAbsolute(filePart)) { broken.push(`${where}: leaves the repository`); continue; }
      if (!fs.existsSync(resolved)) { broken.push(`${where}: no such file`); continue; }
      if (fragment && resolved.endsWith('.md') && !anchors(resolved).has(decodeURIComponent(fragment)))
        broken.push(`${where}: no heading #${fragment} in ${path.relative(repo, resolved)}`);
    }
  }
  assert.deepEqual(broken, []);
  assert.ok(checked > 10, `only ${checked} links checked`);
});

test('no Markdown file sends the reader to ../shared/spec', () => {
  const offenders = markdownFiles().filter((f) => /\.\.\/shared\/spec|\bshared\/spec\//.test(fs.readFileSync(path.join(repo, f), 'utf8')));
  assert.deepEqual(offenders, [], 'the contract lives in docs/ (engine.md, cli.md, api.md)');
});
