// Issue 17: the files in deploy/ that no other test runs. The systemd units
// pass `systemd-analyze verify` (no running systemd needed) and keep a low
// exposure score; the environment example names every variable the server
// reads and nothing else; the backup scripts pass shellcheck.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SERVER } from './harness.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const deploy = (p) => path.join(repo, 'deploy', p);
const have = (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

// The units as installed, with the binaries they start pointing at this build
// (verify refuses an ExecStart that does not exist).
function unitsDir() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'slotwise-units-'));
  const copy = (from, name, replacements) => {
    let text = fs.readFileSync(deploy(from), 'utf8');
    for (const [a, b] of replacements) {
      assert.ok(text.includes(a), `${from} no longer contains ${a}`);
      text = text.split(a).join(b);
    }
    fs.writeFileSync(path.join(dir, name), text);
  };
  copy('systemd/slotwise.service', 'slotwise.service', [['/usr/local/bin/slotwise-server', SERVER]]);
  copy('backup/slotwise-backup.service', 'slotwise-backup.service', [['/usr/local/lib/slotwise/backup.sh', deploy('backup/backup.sh')]]);
  copy('backup/slotwise-backup.timer', 'slotwise-backup.timer', []);
  return dir;
}

test('systemd units: systemd-analyze verify is silent, the server\'s exposure is low', { skip: !have('systemd-analyze') && 'systemd-analyze is not installed' }, () => {
  const dir = unitsDir();
  try {
    for (const unit of ['slotwise.service', 'slotwise-backup.service', 'slotwise-backup.timer']) {
      const r = spawnSync('systemd-analyze', ['verify', path.join(dir, unit)], { encoding: 'utf8', timeout: 60000 });
      assert.equal(r.status, 0, `${unit}: ${r.stdout} ${r.stderr}`);
      // Unknown keys and bad values are only warnings; any output is a finding.
      assert.equal(r.stderr.trim() + r.stdout.trim(), '', `${unit}: ${r.stderr}`);
    }
    const sec = spawnSync('systemd-analyze', ['security', '--offline=yes', path.join(dir, 'slotwise.service')], { encoding: 'utf8', timeout: 60000 });
    const m = (sec.stdout + sec.stderr).match(/Overall exposure level for slotwise\.service: ([\d.]+)/);
    assert.ok(m, sec.stdout + sec.stderr);
    assert.ok(Number(m[1]) <= 2.0, `exposure ${m[1]}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('slotwise.env.example lists exactly the variables the server reads (and the unit\'s own)', () => {
  const src = path.join(repo, 'server-stub/src');
  const read = new Set();
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(cpp|h)$/.test(e.name)) {
        const text = fs.readFileSync(p, 'utf8');
        // Names are string literals in the files that read the environment.
        if (text.includes('getenv')) for (const m of text.matchAll(/"(SLOTWISE_[A-Z0-9_]+)"/g)) read.add(m[1]);
      }
    }
  };
  walk(src);
  assert.ok(read.size >= 20 && read.has('SLOTWISE_TRUSTED_PROXIES') && read.has('SLOTWISE_STRIPE_SECRET_KEY'), [...read].join());
  const example = fs.readFileSync(deploy('slotwise.env.example'), 'utf8');
  const listed = new Set([...example.matchAll(/^#?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
  for (const name of read) assert.ok(listed.has(name), `${name} is read by the server but not in deploy/slotwise.env.example`);
  const unit = fs.readFileSync(deploy('systemd/slotwise.service'), 'utf8');
  const libpq = new Set(['PGPASSWORD']);
  for (const name of listed) {
    assert.ok(read.has(name) || unit.includes(`\${${name}}`) || libpq.has(name), `${name} in the example is read by nobody`);
  }
  // Every secret is marked as one.
  for (const secret of ['SLOTWISE_ADMIN_TOKEN', 'SLOTWISE_SECRET', 'SLOTWISE_SMTP_URL', 'SLOTWISE_STRIPE_SECRET_KEY',
    'SLOTWISE_STRIPE_WEBHOOK_SECRET', 'SLOTWISE_TWILIO_AUTH_TOKEN', 'SLOTWISE_VAPID_PRIVATE_KEY', 'SLOTWISE_GOOGLE_CLIENT_SECRET']) {
    const lines = example.split('\n');
    const at = lines.findIndex((l) => new RegExp(`^#?${secret}=`).test(l));
    assert.ok(at >= 0, secret);
    // The comment block right above its line, up to the previous variable.
    let i = at - 1;
    while (i >= 0 && lines[i].startsWith('#') && !/^#?[A-Z][A-Z0-9_]+=/.test(lines[i])) i--;
    assert.match(lines.slice(i + 1, at).join('\n'), /\bSECRET\b/, `${secret} is not marked SECRET`);
  }
});

test('the backup scripts pass shellcheck', { skip: !have('shellcheck') && 'shellcheck is not installed' }, () => {
  const r = spawnSync('shellcheck', [deploy('backup/backup.sh'), deploy('backup/restore.sh')], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
