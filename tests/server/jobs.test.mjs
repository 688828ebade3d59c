// Durable jobs (server-stub/src/jobs/): on both backends, with real server
// processes sharing one database. Probe jobs (--enable-probe-jobs) are
// enqueued by SQL, as any other writer would; job_runs is the record of
// every attempt that the assertions read.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { NOW, book, cleanupAll, client, freshDatabase, providerConfig, putProvider, request, slotAt, startServer, until } from './harness.mjs';

after(cleanupAll);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const LEASE = 3;  // seconds
// Short poll, lease and backoff so that a test takes seconds; real clock
// (no SLOTWISE_NOW) so that two processes agree on "now" to the second.
const jobArgs = ['--enable-probe-jobs', '--job-threads', '2', '--job-poll', '0.1', '--job-lease', String(LEASE),
  '--job-backoff', '1:2', '--job-lag-warning', '5'];
const startJobServer = (db, args = []) => startServer(db, { now: null, args: [...jobArgs, ...args] });
const nowSeconds = () => Math.floor(Date.now() / 1000);

// The statement the server's enqueue uses (job_queue.cpp): a key enqueued twice is one job.
function enqueueSql(jobs) {
  const at = nowSeconds();
  const rows = jobs.map(({ kind = 'probe', key, payload = {}, runAt = at, maxAttempts = 10 }) =>
    `('${kind}', '${key}', '${JSON.stringify(payload)}', 'queued', ${runAt}, 0, ${maxAttempts}, ${at}, ${at})`);
  return `INSERT INTO jobs (kind, key, payload, state, run_at, attempts, max_attempts, created_at, updated_at) VALUES ${rows.join(', ')} ON CONFLICT (key) DO NOTHING`;
}

const count = (db, where) => Number(db.sql(`SELECT COUNT(*) FROM jobs WHERE ${where}`)[0][0]);

// Every run of the jobs matching `where`, in order: { job, attempt, worker, process, started, lease, finished, outcome, error, retryAt }.
function runsOf(db, where) {
  return db.sql(`SELECT r.job_id, r.attempt, r.worker, r.started_at, r.lease_until, COALESCE(r.finished_at, -1), r.outcome,
      COALESCE(r.error, ''), COALESCE(r.retry_at, -1) FROM job_runs r JOIN jobs j ON j.id = r.job_id WHERE ${where} ORDER BY r.id`)
    .map(([job, attempt, worker, started, lease, finished, outcome, error, retryAt]) => ({
      job, attempt: Number(attempt), worker, process: worker.slice(0, worker.lastIndexOf('/')), started: Number(started),
      lease: Number(lease), finished: Number(finished) < 0 ? null : Number(finished), outcome, error,
      retryAt: Number(retryAt) < 0 ? null : Number(retryAt),
    }));
}

function byJob(runs) {
  const map = new Map();
  for (const r of runs) { if (!map.has(r.job)) map.set(r.job, []); map.get(r.job).push(r); }
  return map;
}

// No two runs of one job at the same time: each run starts after the one
// before it finished or, when that one never finished (its process died),
// after the lease it last held ran out.
function assertNoOverlap(runs) {
  for (const [job, list] of byJob(runs)) {
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1], run = list[i];
      const freeFrom = before.finished ?? before.lease;
      assert.ok(run.started >= freeFrom,
        `job ${job}: run ${i + 1} (${run.worker}) started at ${run.started}, before run ${i} (${before.worker}) let go at ${freeFrom}`);
    }
  }
}

test('1,000 jobs over two processes: each runs exactly once, and both processes run some', { timeout: 150000 }, async () => {
  const db = await freshDatabase();
  const a = await startJobServer(db);
  const b = await startJobServer(db);
  const jobs = Array.from({ length: 1000 }, (_, i) => ({ key: `many-${i}`, payload: { sleep_ms: 5 } }));
  db.sql(enqueueSql(jobs));
  await until('1,000 probe jobs done', () => count(db, "kind = 'probe' AND state = 'done'") === 1000, 120000);
  const runs = runsOf(db, "j.kind = 'probe'");
  assert.equal(runs.length, 1000, 'one run per job');
  assert.equal(new Set(runs.map((r) => r.job)).size, 1000);
  assert.ok(runs.every((r) => r.outcome === 'done' && r.attempt === 1));
  assert.equal(count(db, "kind = 'probe' AND attempts <> 1"), 0);
  const processes = new Set(runs.map((r) => r.process));
  assert.equal(processes.size, 2, `both processes ran jobs: ${[...processes]}`);
  await a.stop();
  await b.stop();
});

test('kill -9 of one process mid-run: every job completes, and no job ran in two processes at once', { timeout: 150000 }, async () => {
  const db = await freshDatabase();
  const a = await startJobServer(db);
  const b = await startJobServer(db);
  // Long enough that the job A is seen running is still A's when the kill
  // lands, even when the polls are slow on a loaded machine (with 250 ms, A
  // had once finished it, and the queue had drained, before the kill).
  const jobs = Array.from({ length: 120 }, (_, i) => ({ key: `crash-${i}`, payload: { sleep_ms: 600 } }));
  db.sql(enqueueSql(jobs));
  const aProcess = (await until("A's dispatcher", () => a.output().match(/jobs: \d+ threads in process (\S+)/), 10000))[1];
  // Kill A while it holds jobs.
  await until('A running a job, with work left queued', () => count(db, "kind = 'probe' AND state = 'queued'") >= 20 &&
    runsOf(db, "j.kind = 'probe'").some((r) => r.process === aProcess && r.outcome === 'running'), 20000);
  await a.kill9();
  await until('all 120 jobs done', () => count(db, "kind = 'probe' AND state = 'done'") === 120, 90000);
  const runs = runsOf(db, "j.kind = 'probe'");
  const abandoned = runs.filter((r) => r.outcome === 'abandoned');
  assert.ok(abandoned.length >= 1, 'A died holding at least one job');
  assert.ok(abandoned.every((r) => r.process === aProcess && r.finished === null));
  assert.ok(!runs.some((r) => r.outcome === 'running'), 'no run left open');
  for (const [job, list] of byJob(runs))
    assert.equal(list.filter((r) => r.outcome === 'done').length, 1, `job ${job} finished exactly once`);
  // A's jobs were taken over only after their lease lapsed.
  for (const r of abandoned) {
    const next = runs.find((x) => x.job === r.job && x.attempt === r.attempt + 1);
    assert.ok(next && next.process !== aProcess && next.started >= r.lease, `job ${r.job} taken over after its lease`);
  }
  assertNoOverlap(runs);
  await b.stop();
});

test('a failing job backs off, then ends dead with its error; one that recovers is done', { timeout: 90000 }, async () => {
  const db = await freshDatabase();
  const server = await startJobServer(db);
  db.sql(enqueueSql([
    { key: 'always-fails', payload: { fail_always: true }, maxAttempts: 4 },
    { key: 'fails-twice', payload: { fail_until_attempt: 3 }, maxAttempts: 4 },
    { key: 'gives-up', payload: { fail_permanently: true }, maxAttempts: 4 },
  ]));
  await until('the failing job dead', () => count(db, "key = 'always-fails' AND state = 'dead'") === 1, 60000);
  await until('the recovering job done', () => count(db, "key = 'fails-twice' AND state = 'done'") === 1, 60000);
  await until('the permanent failure dead', () => count(db, "key = 'gives-up' AND state = 'dead'") === 1, 60000);

  const [[attempts, lastError]] = db.sql("SELECT attempts, last_error FROM jobs WHERE key = 'always-fails'");
  assert.equal(Number(attempts), 4);
  assert.equal(lastError, 'probe: failing as asked on attempt 4');
  const runs = runsOf(db, "j.key = 'always-fails'");
  assert.deepEqual(runs.map((r) => r.outcome), ['retry', 'retry', 'retry', 'dead']);
  assert.deepEqual(runs.map((r) => r.attempt), [1, 2, 3, 4]);
  for (let i = 0; i < 3; i++) {
    // Full jitter under the ceiling base * 2^(attempt-1), capped (1 s base, 2 s cap); rounded up to a second.
    const ceiling = Math.min(2, 2 ** i);
    const delay = runs[i].retryAt - runs[i].finished;
    assert.ok(delay >= 0 && delay <= ceiling, `retry ${i + 1} after ${delay} s, ceiling ${ceiling} s`);
    assert.ok(runs[i + 1].started >= runs[i].retryAt, 'the next attempt waited for its time');
    assert.match(runs[i].error, new RegExp(`attempt ${i + 1}$`));
  }
  assert.deepEqual(runsOf(db, "j.key = 'fails-twice'").map((r) => r.outcome), ['retry', 'retry', 'done']);
  assert.deepEqual(runsOf(db, "j.key = 'gives-up'").map((r) => r.outcome), ['dead']);
  assert.equal(db.sql("SELECT last_error FROM jobs WHERE key = 'gives-up'")[0][0], 'probe: failing permanently as asked');

  await until('the dead-job log line', () => /jobs: job \d+ \(probe always-fails\) is dead after attempt 4 of 4: probe: failing as asked on attempt 4/.test(server.errors()), 5000);
  const health = await request(server.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.equal(health.json.jobs.dead, 2);
  await server.stop();
});

test('a job enqueued twice under one key is one job and runs once', { timeout: 60000 }, async () => {
  const db = await freshDatabase();
  const server = await startJobServer(db);
  db.sql(enqueueSql([{ key: 'once', payload: { sleep_ms: 300 } }]));
  db.sql(enqueueSql([{ key: 'once', payload: { sleep_ms: 300 } }]));
  assert.equal(count(db, "key = 'once'"), 1);
  await until('the job done', () => count(db, "key = 'once' AND state = 'done'") === 1, 20000);
  // Also after it ran: the key stays taken.
  db.sql(enqueueSql([{ key: 'once', payload: { sleep_ms: 300 } }]));
  await sleep(1000);
  assert.equal(count(db, "key = 'once'"), 1);
  assert.equal(count(db, "key = 'once' AND state = 'done'"), 1);
  assert.equal(runsOf(db, "j.key = 'once'").length, 1);
  await server.stop();
});

test("a PENDING booking's expiry job marks it EXPIRED once it is overdue", { timeout: 60000 }, async () => {
  const db = await freshDatabase();
  let server = await startServer(db, { args: [...jobArgs, '--pending-expiry-minutes', '60'] });
  await putProvider(server.url, 'p1');
  const r = await book(server.url, { provider: 'p1', service: 'video', start: slotAt(1, 120), client: client(1) });
  assert.equal(r.status, 201, r.text);
  const { id, status } = r.json.booking;
  assert.equal(status, 'PENDING');
  // The job is committed with the booking, due at its expiry.
  const [[expiresAt]] = db.sql(`SELECT expires_at FROM bookings WHERE id = '${id}'`);
  assert.deepEqual(db.sql(`SELECT kind, state, run_at FROM jobs WHERE key = 'booking.expire:${id}'`), [['booking.expire', 'queued', expiresAt]]);
  const expected = Date.parse(NOW) / 1000 + 3600;  // the server's clock started at NOW and runs on
  assert.ok(Number(expiresAt) >= expected && Number(expiresAt) < expected + 30, expiresAt);
  // Two hours later (a restart with the clock moved on), it is due and runs.
  await server.stop();
  server = await startServer(db, { now: '2026-11-23T10:00:00Z', args: jobArgs });
  await until('the booking EXPIRED in the database', () => db.sql(`SELECT status FROM bookings WHERE id = '${id}'`)[0][0] === 'EXPIRED', 20000);
  await until('the expiry job done', () => count(db, `key = 'booking.expire:${id}' AND state = 'done'`) === 1, 10000);
  const audit = db.sql(`SELECT actor, detail FROM audit_log WHERE action = 'booking.expire' AND entity_id = '${id}'`);
  assert.equal(audit.length, 1);
  assert.equal(audit[0][0], 'system');
  const expiry = new Date(Number(expiresAt) * 1000).toISOString().replace('.000Z', 'Z');
  assert.deepEqual(JSON.parse(audit[0][1]), { from: 'PENDING', expires_at: expiry }, 'the expiry use case did it, at its expiry');
  await server.stop();
});

test('a reschedule that brings the expiry forward queues an expiry job at the new time', { timeout: 60000 }, async () => {
  const db = await freshDatabase();
  const server = await startServer(db, { args: [...jobArgs, '--pending-expiry-minutes', '2880'] });
  await putProvider(server.url, 'p1');
  // Made at NOW for day 3 09:00: it waits 48 hours for the provider, until day 2 08:00.
  const r = await book(server.url, { provider: 'p1', service: 'video', start: slotAt(3, 120), client: client(1) });
  assert.equal(r.status, 201, r.text);
  const { id, manage_token: token } = r.json.booking;
  const [[first]] = db.sql(`SELECT expires_at FROM bookings WHERE id = '${id}'`);
  const waits = Date.parse(slotAt(2, 60)) / 1000;  // the server's clock started at NOW and runs on
  assert.ok(Number(first) >= waits && Number(first) < waits + 30, first);
  // Moved to day 1 10:00, it can wait only until its new start.
  const moved = await request(server.url, 'POST', `/v1/bookings/${id}/reschedule?token=${token}`, { body: { start: slotAt(1, 180) } });
  assert.equal(moved.status, 200, moved.text);
  const due = String(Date.parse(slotAt(1, 180)) / 1000);
  assert.deepEqual(db.sql(`SELECT expires_at FROM bookings WHERE id = '${id}'`), [[due]]);
  assert.deepEqual(db.sql(`SELECT run_at FROM jobs WHERE kind = 'booking.expire' AND key LIKE 'booking.expire:${id}%' ORDER BY run_at`),
                   [[due], [first]]);
  await server.stop();
});

test('/healthz shows the lag of the oldest due job, and the log says when it is too long', { timeout: 60000 }, async () => {
  const db = await freshDatabase();
  const server = await startJobServer(db);
  const idle = await request(server.url, 'GET', '/healthz');
  assert.equal(idle.status, 200);
  assert.ok(idle.json.jobs.oldest_due_lag_seconds <= 2, JSON.stringify(idle.json));  // the housekeeping jobs of a fresh start are due at once
  // A kind no process runs stays due: its wait is the lag.
  db.sql(enqueueSql([{ kind: 'nobody.runs', key: 'stuck', runAt: nowSeconds() - 120 }]));
  const health = await request(server.url, 'GET', '/healthz');
  assert.equal(health.status, 200);
  assert.ok(health.json.jobs.oldest_due_lag_seconds >= 120, JSON.stringify(health.json));
  assert.ok(health.json.jobs.queued >= 1);
  await until('the lag log line', () => /jobs: lag: the oldest due job has waited \d+ s/.test(server.errors()), 15000);
  await server.stop();
});
