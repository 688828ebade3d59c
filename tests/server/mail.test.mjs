// Mail (server-stub/src/mail/, api.md "Email") through the server: mail.send
// jobs enqueued by SQL, as any writer in the server's own transactions would,
// delivered to a real SMTP server (aiosmtpd, tests/server/smtp_server.py) in
// plain and STARTTLS modes, kept while that server is down, and written as
// .eml files when no --smtp is given.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BACKEND, SERVER, cleanupAll, freePort, freshDatabase, startServer, tempDir, until } from './harness.mjs';

after(cleanupAll);

// Debian's python3, which has python3-aiosmtpd; not whichever python3 is first on PATH.
const PYTHON = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
const HELPER = path.resolve('smtp_server.py');
const nowSeconds = () => Math.floor(Date.now() / 1000);
// Fast polls and retries so that a test takes seconds; the real clock, so
// that jobs enqueued "now" by SQL are due for the server.
const mailArgs = ['--job-poll', '0.2', '--job-backoff', '0.5:1', '--mail-from', 'Praxis Müller <praxis@example.org>'];
const startMailServer = (db, args) => startServer(db, { now: null, args: [...mailArgs, ...args] });

// aiosmtpd on `port`, saving each message into `out`; stop() ends it.
async function startSmtp(port, out, { starttls } = {}) {
  const args = [HELPER, '--port', String(port), '--out', out, ...(starttls ? ['--starttls', starttls] : [])];
  const proc = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  proc.stderr.on('data', (d) => { err += d; });
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  await new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d) => { out += d; if (out.includes('ready')) resolve(); });
    exited.then((code) => reject(new Error(`smtp_server.py exited (${code}): ${err}`)));
  });
  const stop = async () => { if (proc.exitCode === null && proc.signalCode === null) { proc.kill('SIGTERM'); await exited; } };
  after(stop);
  return { stop };
}

const emlFiles = (dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.eml')).map((f) => path.join(dir, f)) : []);
const parse = (files) => (files.length ? JSON.parse(execFileSync(PYTHON, [HELPER, '--parse', ...files], { encoding: 'utf8' })) : []);
const sqlText = (s) => `'${s.replace(/'/g, "''")}'`;

// The Message-ID the mail module derives from a job's key (mail/message.cpp).
const messageId = (jobKey, domain = 'example.org') =>
  `<${crypto.createHash('sha256').update(`message-id\n${jobKey}`).digest('hex').slice(0, 32)}@${domain}>`;

const SUBJECT = 'Bestätigung: Ihr Termin am 3. Dezember — 予約の確認 ✅ (O\'Neil)';
const TO_NAME = 'Zoë Ångström-Łukasiewicz';

function payload(n, to = `client${n}@example.com`) {
  return {
    to: [{ name: TO_NAME, address: to }],
    subject: `${SUBJECT} #${n}`,
    text: `Guten Tag Zoë,\nIhr Termin Nr. ${n} ist bestätigt.\n`,
    html: `<p>Termin Nr. ${n} ist <b>bestätigt</b>.</p>`,
    attachments: [{ filename: 'Termin-Zoë.ics', content_type: 'text/calendar; method=REQUEST; charset=UTF-8',
      base64: Buffer.from('BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n').toString('base64') }],
  };
}

function enqueue(db, jobs) {
  const at = nowSeconds();
  const rows = jobs.map(({ key, body }) =>
    `('mail.send', ${sqlText(key)}, ${sqlText(JSON.stringify(body))}, 'queued', ${at}, 0, 60, ${at}, ${at})`);
  db.sql(`INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, created_at, updated_at) VALUES ${rows.join(', ')}`);
}

const jobState = (db, key) => db.sql(`SELECT state, COALESCE(last_error, '') FROM jobs WHERE key = ${sqlText(key)}`)[0];

function assertDelivered(messages, keys) {
  const want = new Map(keys.map((k, i) => [messageId(k), i]));
  const seen = new Map();
  for (const m of messages) {
    assert.deepEqual(m.defects, [], `${m.file}: parser defects`);
    assert.ok(want.has(m.message_id), `unexpected Message-ID ${m.message_id}`);
    seen.set(m.message_id, (seen.get(m.message_id) || 0) + 1);
    const n = Number(m.subject.slice(m.subject.lastIndexOf('#') + 1));
    assert.equal(m.subject, `${SUBJECT} #${n}`);
    assert.equal(m.message_id, messageId(keys[want.get(m.message_id)]));
    assert.deepEqual(m.from, [{ name: 'Praxis Müller', address: 'praxis@example.org' }]);
    assert.equal(m.to[0].name, TO_NAME);
    assert.equal(m.text, `Guten Tag Zoë,\nIhr Termin Nr. ${n} ist bestätigt.\n`);
    assert.deepEqual(m.attachments.map((a) => [a.filename, a.content_type]), [['Termin-Zoë.ics', 'text/calendar']]);
  }
  assert.equal(seen.size, keys.length, `every mail arrived (${seen.size} of ${keys.length})`);
  // At least once: a send that the server took but whose answer got lost is
  // sent again, under the same Message-ID, so a receiver can drop it.
  for (const [id, count] of seen) assert.ok(count <= 2, `${id} arrived ${count} times`);
}

test('mail.send jobs reach an SMTP server with non-ASCII names and subjects intact', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const port = await freePort();
  const out = tempDir('slotwise-smtp-out-');
  await startSmtp(port, out);
  const server = await startMailServer(db, ['--smtp', `smtp://127.0.0.1:${port}`]);
  await until('the mail line of the start', () => /mail: SMTP smtp:\/\/127\.0\.0\.1:\d+, from praxis@example\.org/.test(server.output()));
  const keys = [1, 2, 3].map((n) => `mail.send:plain-${n}`);
  enqueue(db, keys.map((key, i) => ({ key, body: payload(i + 1) })));
  await until('3 mails delivered', () => keys.every((k) => jobState(db, k)[0] === 'done') && emlFiles(out).length >= 3);
  assertDelivered(parse(emlFiles(out)), keys);
  assert.equal(emlFiles(out).length, 3, 'no duplicate when nothing failed');
});

test('a refused recipient or a malformed payload is dead with its error; nothing else is held up', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const port = await freePort();
  const out = tempDir('slotwise-smtp-out-');
  await startSmtp(port, out);
  await startMailServer(db, ['--smtp', `smtp://127.0.0.1:${port}`]);
  enqueue(db, [
    { key: 'mail.send:refused', body: payload(1, 'nobody@example.com') },
    { key: 'mail.send:malformed', body: { to: 'not a list', subject: 's', text: 't' } },
    { key: 'mail.send:injection', body: { ...payload(2), subject: 'x\r\nBcc: victim@example.com' } },
    { key: 'mail.send:fine', body: payload(3) },
  ]);
  await until('all four settled', () => ['refused', 'malformed', 'injection', 'fine']
    .every((k) => ['done', 'dead'].includes(jobState(db, `mail.send:${k}`)[0])));
  assert.match(jobState(db, 'mail.send:refused').join(' '), /^dead SMTP_REJECTED: .*550/);
  assert.match(jobState(db, 'mail.send:malformed').join(' '), /^dead MAIL_PAYLOAD_INVALID/);
  assert.match(jobState(db, 'mail.send:injection').join(' '), /^dead MAIL_HEADER_INVALID/);
  assert.equal(jobState(db, 'mail.send:fine')[0], 'done');
  const messages = parse(emlFiles(out));
  assert.deepEqual(messages.map((m) => m.message_id), [messageId('mail.send:fine')]);
});

test('STARTTLS with a login: delivered over TLS', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  const port = await freePort();
  const out = tempDir('slotwise-smtp-out-');
  const certs = tempDir('slotwise-smtp-tls-');
  await startSmtp(port, out, { starttls: certs });
  await startMailServer(db, ['--smtp', `smtp+starttls://slotwise:secret@localhost:${port}`,
    '--smtp-ca-file', path.join(certs, 'cert.pem')]);
  const keys = ['mail.send:tls-1'];
  enqueue(db, [{ key: keys[0], body: payload(1) }]);
  await until('the mail delivered', () => jobState(db, keys[0])[0] === 'done' && emlFiles(out).length >= 1);
  assertDelivered(parse(emlFiles(out)), keys);
});

test('the SMTP server down, then back: every mail arrives, none lost, no duplicate beyond a retried Message-ID', { timeout: 180000 }, async () => {
  const db = await freshDatabase();
  const port = await freePort();
  const out = tempDir('slotwise-smtp-out-');
  let smtp = await startSmtp(port, out);
  const server = await startMailServer(db, ['--smtp', `smtp://127.0.0.1:${port}`]);
  await smtp.stop();
  const keys = Array.from({ length: 8 }, (_, i) => `mail.send:down-${i + 1}`);
  enqueue(db, keys.map((key, i) => ({ key, body: payload(i + 1) })));
  await until('every mail tried and queued for a retry', () =>
    Number(db.sql("SELECT COUNT(*) FROM jobs WHERE kind = 'mail.send' AND state = 'queued' AND attempts >= 2")[0][0]) === keys.length);
  assert.match(jobState(db, keys[0])[1], /SMTP_UNREACHABLE/);
  assert.match(server.errors() + server.output(), /will be retried: SMTP_UNREACHABLE/);
  assert.equal(emlFiles(out).length, 0);
  smtp = await startSmtp(port, out);
  await until('all delivered after the server came back', () => keys.every((k) => jobState(db, k)[0] === 'done'), 60000);
  assertDelivered(parse(emlFiles(out)), keys);
});

test('with no --smtp, each mail is an .eml file (by default beside the SQLite file) and a log line', { timeout: 120000 }, async () => {
  const db = await freshDatabase();
  // The default folder is for SQLite; on PostgreSQL the default (data/mail
  // under the working directory) would land in the source tree, so the test names one.
  const dir = BACKEND === 'sqlite' ? path.join(path.dirname(db.url.slice('sqlite:'.length)), 'mail') : tempDir('slotwise-mail-dir-');
  const server = await startMailServer(db, BACKEND === 'sqlite' ? [] : ['--mail-dir', dir]);
  await until('the mail line of the start', () => server.output().includes(`mail: .eml files in ${dir} (no --smtp)`));
  const keys = ['mail.send:eml-1', 'mail.send:eml-2'];
  enqueue(db, keys.map((key, i) => ({ key, body: payload(i + 1) })));
  await until('two .eml files', () => keys.every((k) => jobState(db, k)[0] === 'done'));
  const files = emlFiles(dir);
  assert.equal(files.length, 2);
  assertDelivered(parse(files), keys);
  for (const f of files) assert.equal(fs.statSync(f).mode & 0o777, 0o600, 'mail is personal data: owner only');
  // The line is written before the job is marked done, but reaches this
  // process through a pipe, possibly after the database says done.
  for (const n of [1, 2])
    await until(`the log line of mail ${n}`, () => server.output().includes(`mail to client${n}@example.com: "${SUBJECT} #${n}" written to ${dir}`), 10000);
});

test('bad mail flags are startup errors (exit 2) with a clear message', () => {
  for (const [args, message] of [
    [['--smtp', 'http://mail.example.com'], /unknown scheme 'http'/],
    [['--smtp', 'smtp://user:pass@mail.example.com'], /in clear/],
    [['--smtp', 'smtp://mail.example.com:99999'], /port/],
    [['--mail-from', 'not an address'], /--mail-from/],
    [['--smtp-ca-file', '/tmp/ca.pem'], /--smtp-ca-file needs --smtp/],
  ]) {
    const r = spawnSync(SERVER, ['--db', 'sqlite::memory:', ...args], { encoding: 'utf8', timeout: 10000 });
    assert.equal(r.status, 2, `${args.join(' ')}: exit ${r.status} ${r.stderr}`);
    assert.match(r.stderr, message);
  }
  const help = spawnSync(SERVER, ['--help'], { encoding: 'utf8' });
  for (const flag of ['--smtp URL', '--mail-from', '--mail-dir', '--smtp-ca-file', 'SLOTWISE_SMTP_URL']) assert.ok(help.stdout.includes(flag), flag);
});
