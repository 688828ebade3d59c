// Issue 17: a backup taken while a booking storm runs, restored into a new
// database, serves again: every booking acknowledged before the backup
// started is there, nothing sent after it finished is, the API key and the
// session token still work, and the copy passes an integrity check.
// Through deploy/backup/backup.sh and restore.sh: SQLite with
// `slotwise-server backup` (SQLite's online backup API), restored by copying
// the file; PostgreSQL with pg_dump -Fc, restored with pg_restore into a new
// database of the same throwaway cluster.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  SERVER, BACKEND, cleanupAll, freshDatabase, startServer, request, admin, putProvider, slotAt, newKey, tempDir, signIn,
} from './harness.mjs';

after(cleanupAll);

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

const bearer = (token) => ({ authorization: `Bearer ${token}` });

function run(cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '', err = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { err += d; });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${out} ${err}`))));
  });
}

// The bookings of provider p1 in the storm's weeks, through the API.
async function bookingIds(base) {
  const r = await request(base, 'GET', '/v1/providers/p1/bookings?from=2026-11-24&to=2027-01-31', { headers: admin });
  assert.equal(r.status, 200, r.text);
  return new Set(r.json.bookings.map((b) => b.id));
}

test(`backup during a booking storm, restore into a new database, serve again (${BACKEND})`, async () => {
  const db = await freshDatabase();
  const mailDir = tempDir('slotwise-backup-mail-');
  const server = await startServer(db, { args: ['--mail-dir', mailDir, '--job-poll', '0.1'] });
  await putProvider(server.url, 'p1');
  const session = await signIn(server, 'backup-owner@example.com');
  const key = await request(server.url, 'POST', '/v1/api-keys', { body: { name: 'backup test' }, headers: bearer(session.token) });
  assert.equal(key.status, 201, key.text);
  assert.equal((await request(server.url, 'GET', '/v1/me', { headers: bearer(key.json.key) })).status, 200);

  // The storm: four clients booking 30-minute slots (40 days of them) until told to stop.
  const slots = [];
  for (let day = 1; day <= 40; day++) for (let m = 0; m < 12 * 60; m += 30) slots.push(slotAt(day, m));
  const outcomes = [];
  let stop = false, next = 0;
  const client = async () => {
    while (!stop && next < slots.length) {
      const n = next++;
      const sentAt = Date.now();
      const r = await request(server.url, 'POST', '/v1/bookings', {
        body: { provider: 'p1', service: 's30', start: slots[n], client: { name: `Storm ${n}`, email: `storm${n}@example.com` } },
        headers: { 'idempotency-key': newKey() },
      });
      outcomes.push({ n, sentAt, answeredAt: Date.now(), status: r.status, id: r.json?.booking?.id, text: r.text });
    }
  };
  const storm = Promise.all([client(), client(), client(), client()]);
  const acknowledged = () => outcomes.filter((o) => o.status === 201).length;
  while (acknowledged() < 20) await new Promise((r) => setTimeout(r, 20));

  const work = tempDir('slotwise-backup-');
  const backupStarted = Date.now();
  let restoredUrl, integrity;
  // deploy/backup/backup.sh, as the timer runs it: the SQLite backup
  // command or pg_dump -Fc, then retention; it prints the file it wrote.
  const out = await run(path.join(repo, 'deploy/backup/backup.sh'), [],
    { SLOTWISE_DB: db.url, BACKUP_DIR: work, SLOTWISE_SERVER: SERVER });
  const backupFinished = Date.now();
  const file = out.trim().split('\n').pop();
  assert.equal(path.dirname(file), work);
  assert.match(path.basename(file), BACKEND === 'sqlite' ? /^slotwise-\d{8}T\d{6}Z\.db$/ : /^slotwise-\d{8}T\d{6}Z\.dump$/);
  if (BACKEND === 'sqlite') {
    // Restore: with the server stopped, the file is copied into place (deploy/backup/restore.sh).
    const restored = path.join(tempDir('slotwise-restored-'), 'slotwise.db');
    restoredUrl = `sqlite:${restored}`;
    integrity = () => execFileSync('sqlite3', [restored, 'PRAGMA integrity_check; PRAGMA foreign_key_check;'], { encoding: 'utf8' }).trim();
  } else {
    const u = new URL(db.url);
    const conn = ['-h', u.hostname, '-p', u.port, '-U', u.username];
    execFileSync('psql', [...conn, '-d', 'postgres', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE DATABASE restored']);
    restoredUrl = `postgres://${u.username}@${u.hostname}:${u.port}/restored`;
    // Every B-tree index agrees with its table (amcheck, in postgresql-15's contrib).
    integrity = () => execFileSync('psql', [...conn, '-d', 'restored', '-X', '-q', '-At', '-v', 'ON_ERROR_STOP=1', '-c',
      `CREATE EXTENSION IF NOT EXISTS amcheck;
       SELECT count(bt_index_check(c.oid, true)) || ' indexes ok' FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
       JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace WHERE a.amname = 'btree' AND n.nspname = 'public'`],
    { encoding: 'utf8' }).trim();
  }
  // Let the storm run on past the backup, then end it.
  const afterBackup = acknowledged();
  while (acknowledged() < afterBackup + 10 && next < slots.length) await new Promise((r) => setTimeout(r, 20));
  stop = true;
  await storm;
  const original = await bookingIds(server.url);
  await server.stop();

  assert.ok(outcomes.every((o) => [201, 409].includes(o.status)), outcomes.filter((o) => ![201, 409].includes(o.status)).map((o) => o.text).join('\n'));
  const before = outcomes.filter((o) => o.status === 201 && o.answeredAt <= backupStarted);
  const later = outcomes.filter((o) => o.sentAt > backupFinished);
  assert.ok(before.length >= 20 && later.length >= 10, `${before.length} before, ${later.length} after`);

  await run(path.join(repo, 'deploy/backup/restore.sh'), [file, restoredUrl]);
  if (BACKEND === 'sqlite') assert.equal(integrity(), 'ok');
  else assert.match(integrity(), /^\d+ indexes ok$/);

  const restored = await startServer({ url: restoredUrl }, { args: ['--mail-dir', mailDir] });
  const ids = await bookingIds(restored.url);
  console.log(`# ${before.length} bookings acknowledged before the backup, ${later.length} sent after it, ${ids.size} restored of ${original.size}`);
  for (const o of before) assert.ok(ids.has(o.id), `booking ${o.n} (${o.id}) acknowledged before the backup is missing`);
  for (const o of later) if (o.id) assert.ok(!ids.has(o.id), `booking ${o.n} sent after the backup finished is in it`);
  for (const id of ids) assert.ok(original.has(id), `${id} is in the backup but was never in the database`);
  // The credentials made before the backup still work on the restored data.
  const me = await request(restored.url, 'GET', '/v1/me', { headers: bearer(key.json.key) });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.account.email, 'backup-owner@example.com');
  assert.equal((await request(restored.url, 'GET', '/v1/me', { headers: bearer(session.token) })).status, 200);
  // The restored bookings still hold their slots; a free slot can be booked.
  const taken = await request(restored.url, 'POST', '/v1/bookings', {
    body: { provider: 'p1', service: 's30', start: slots[before[0].n], client: { name: 'Late', email: 'late@example.com' } },
    headers: { 'idempotency-key': newKey() },
  });
  assert.equal(taken.status, 409, taken.text);
  const free = await request(restored.url, 'POST', '/v1/bookings', {
    body: { provider: 'p1', service: 's30', start: slotAt(50, 60), client: { name: 'After', email: 'after@example.com' } },
    headers: { 'idempotency-key': newKey() },
  });
  assert.equal(free.status, 201, free.text);
  await restored.stop();
});

test('the backup command refuses what it cannot do, and never creates a database', async () => {
  const dir = tempDir('slotwise-backup-bad-');
  const missing = path.join(dir, 'missing.db');
  const r = (args) => { try { execFileSync(SERVER, ['backup', ...args], { stdio: 'pipe' }); return 0; } catch (e) { return { status: e.status, err: String(e.stderr) }; } };
  assert.equal(r(['--database', `sqlite:${missing}`, '--to', path.join(dir, 'b.db')]).status, 1);
  assert.ok(!fs.existsSync(missing) && !fs.existsSync(path.join(dir, 'b.db')));
  const pg = r(['--database', 'postgres://x@127.0.0.1/x', '--to', path.join(dir, 'b.dump')]);
  assert.equal(pg.status, 2);
  assert.match(pg.err, /pg_dump/);
  assert.equal(r(['--database', `sqlite:${missing}`]).status, 2);
  assert.equal(r(['--bogus']).status, 2);
});

test('backup.sh retention: the newest KEEP_MIN always stay, older ones go after KEEP_DAYS, nothing else is touched', { skip: BACKEND !== 'sqlite' }, async () => {
  const dir = tempDir('slotwise-retention-');
  const dbFile = path.join(dir, 'live.db');
  execFileSync('sqlite3', [dbFile, 'PRAGMA journal_mode=WAL; CREATE TABLE t(x); INSERT INTO t VALUES (1);']);
  const backups = path.join(dir, 'backups');
  fs.mkdirSync(backups);
  const hour = 3600 * 1000;
  const made = [];
  for (let days = 1; days <= 9; days++) {
    const f = path.join(backups, `slotwise-2026010${days}T000000Z.db`);
    fs.writeFileSync(f, 'old');
    const t = new Date(Date.now() - days * 24 * hour - hour);
    fs.utimesSync(f, t, t);
    made.push(f);
  }
  const unrelated = path.join(backups, 'notes.txt');
  fs.writeFileSync(unrelated, 'keep me');
  fs.utimesSync(unrelated, new Date(Date.now() - 90 * 24 * hour), new Date(Date.now() - 90 * 24 * hour));
  const out = await run(path.join(repo, 'deploy/backup/backup.sh'), [],
    { SLOTWISE_DB: `sqlite:${dbFile}`, BACKUP_DIR: backups, SLOTWISE_SERVER: SERVER, KEEP_DAYS: '3', KEEP_MIN: '2' });
  const fresh = out.trim().split('\n').pop();
  assert.equal(execFileSync('sqlite3', [fresh, 'SELECT x FROM t'], { encoding: 'utf8' }).trim(), '1');
  // Newest two: the new one and 1 day old; 2 days old is within KEEP_DAYS; 3..9 days old go.
  const left = fs.readdirSync(backups).sort();
  assert.deepEqual(left, ['notes.txt', path.basename(made[0]), path.basename(made[1]), path.basename(fresh)].sort());
  // KEEP_MIN wins over KEEP_DAYS: with everything old, the newest stay.
  for (const f of fs.readdirSync(backups)) {
    const t = new Date(Date.now() - 30 * 24 * hour);
    fs.utimesSync(path.join(backups, f), t, t);
  }
  await run(path.join(repo, 'deploy/backup/backup.sh'), [],
    { SLOTWISE_DB: `sqlite:${dbFile}`, BACKUP_DIR: backups, SLOTWISE_SERVER: SERVER, KEEP_DAYS: '3', KEEP_MIN: '2' });
  assert.equal(fs.readdirSync(backups).filter((f) => f.startsWith('slotwise-')).length, 2);
  assert.ok(fs.existsSync(unrelated));
});

test('restore.sh into place: the old file and its WAL are kept aside, the backup replaces them', { skip: BACKEND !== 'sqlite' }, async () => {
  const dir = tempDir('slotwise-inplace-');
  const live = path.join(dir, 'slotwise.db');
  const backup = path.join(dir, 'backup.db');
  execFileSync('sqlite3', [backup, "CREATE TABLE t(x); INSERT INTO t VALUES ('from the backup');"]);
  fs.writeFileSync(live, 'the old file');
  fs.writeFileSync(`${live}-wal`, 'a stale WAL');
  fs.writeFileSync(`${live}-shm`, 'a stale index');
  await run(path.join(repo, 'deploy/backup/restore.sh'), [backup, `sqlite:${live}`]);
  assert.equal(execFileSync('sqlite3', [live, 'SELECT x FROM t'], { encoding: 'utf8' }).trim(), 'from the backup');
  const aside = fs.readdirSync(dir).filter((f) => f.startsWith('slotwise.db.before-restore-')).sort();
  assert.equal(aside.length, 3, aside.join());
  assert.equal(fs.readFileSync(path.join(dir, aside.find((f) => f.endsWith('-wal'))), 'utf8'), 'a stale WAL');
  assert.equal(fs.statSync(live).mode & 0o777, 0o600);
  // A damaged backup is refused before anything is moved.
  fs.writeFileSync(path.join(dir, 'damaged.db'), Buffer.alloc(8192, 7));
  await assert.rejects(run(path.join(repo, 'deploy/backup/restore.sh'), [path.join(dir, 'damaged.db'), `sqlite:${live}`]));
  assert.equal(execFileSync('sqlite3', [live, 'SELECT x FROM t'], { encoding: 'utf8' }).trim(), 'from the backup');
});
