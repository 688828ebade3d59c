// Chaos, in short: two server processes on one database, client loops
// booking, replaying keys, cancelling and rescheduling on two providers for
// about a minute, while one process or the other is killed with SIGKILL (and
// restarted at once) every ~10 s. Afterwards: no two blocking bookings
// overlap, every acknowledged booking is there with a status and time that
// the acknowledged later actions explain, replays were byte-identical, and
// nothing answered 5xx other than 503 (connection errors only around kills).
//
// SLOTWISE_CHAOS_SECONDS sets the run's length (default 60).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cleanupAll, freshDatabase, providerConfig, putProvider, request, slotAt, startServer } from './harness.mjs';

after(cleanupAll);

const RUN_MS = Number(process.env.SLOTWISE_CHAOS_SECONDS || 60) * 1000;
const LOOPS = 12;
const KILL_EVERY_MS = 10000;
const PROVIDERS = ['c1', 'c2'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// A small seeded generator, so that a failing run can be replayed.
function prng(seed) {
  return () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed / 0x80000000; };
}

const overlapsSql = `SELECT x.id, y.id FROM bookings x JOIN bookings y ON x.provider_id = y.provider_id AND x.id < y.id
  WHERE x.status IN ('PENDING', 'CONFIRMED') AND y.status IN ('PENDING', 'CONFIRMED')
    AND x.occupied_start < y.occupied_end AND y.occupied_start < x.occupied_end`;

test('two processes, kill -9 every ~10 s, a minute of bookings, replays, cancels and reschedules: every invariant holds', { timeout: RUN_MS + 90000 }, async () => {
  const db = await freshDatabase();
  const servers = [await startServer(db), await startServer(db)];
  const config = providerConfig();
  // Two durations and a buffer: bookings overlap in many partial ways.
  config.services.push({ id: 'chaos', name: 'Chaos', durations: [30, 60], buffer_after_minutes: 10, slot_interval_minutes: 30,
    min_notice_minutes: 60, max_advance_days: 90, price: { amount: 1000, currency: 'EUR' }, cancellation_policy: 'flexible' });
  for (const p of PROVIDERS) await putProvider(servers[0].url, p, config);

  const killWindows = [[], []];  // per server slot: [killedAt, restartedAt]
  const unexpected = [];          // answers no client may ever see
  const counts = { requests: 0, ok: 0, unavailable: 0, connectionErrors: 0, replays: 0, kills: 0, cancelled: 0, rescheduled: 0 };
  const answers = new Map();      // Idempotency-Key -> { payload, status, text }: the first definitive answer
  const acked = [];               // bookings answered 201: { id, token, states: Set of "STATUS@start_at" }
  const stopAt = Date.now() + RUN_MS;

  // One request to server slot `i`; classifies what came back.
  async function call(i, method, path, options) {
    const started = Date.now();
    counts.requests++;
    try {
      const r = await request(servers[i].url, method, path, { timeoutMs: 15000, ...options });
      if (r.status >= 500 && r.status !== 503) unexpected.push(`${method} ${path}: ${r.status} ${r.text}`);
      if (r.status === 503) counts.unavailable++;
      else counts.ok++;
      return r;
    } catch (e) {
      const ended = Date.now();
      counts.connectionErrors++;
      const nearKill = killWindows[i].some(([killed, restarted]) => started <= restarted + 500 && ended >= killed);
      if (!nearKill) unexpected.push(`${method} ${path} on server ${i}: ${e.message}, not near a kill`);
      return null;  // outcome unknown
    }
  }

  const state = (status, start) => `${status}@${Date.parse(start) / 1000}`;

  async function clientLoop(n) {
    const random = prng(1000 + n);
    const pick = (list) => list[Math.floor(random() * list.length)];
    const mine = [];      // this loop's acknowledged bookings it may still act on
    const unsure = [];    // keys whose first attempt has no definitive answer yet
    let made = 0;
    const localAddress = `127.0.1.${n + 1}`;
    while (Date.now() < stopAt) {
      const i = random() < 0.5 ? 0 : 1;
      const dice = random();
      if (dice < 0.5 || (dice < 0.8 && mine.length === 0)) {
        // A new booking, or a retry of one whose first answer was lost.
        let key, payload;
        if (unsure.length && random() < 0.5) ({ key, payload } = unsure.shift());
        else {
          key = `chaos-${n}-${++made}`;
          payload = { provider: pick(PROVIDERS), service: 'chaos', start: slotAt(1 + Math.floor(random() * 4), 60 + 30 * Math.floor(random() * 20)),
            duration_minutes: random() < 0.5 ? 30 : 60, client: { name: `Chaos ${n}`, email: `chaos${n}-${made}@example.com` } };
        }
        const r = await call(i, 'POST', '/v1/bookings', { body: payload, headers: { 'idempotency-key': key }, localAddress });
        const inFlight = r && r.status === 409 && r.json?.code === 'IDEMPOTENCY_KEY_IN_FLIGHT';
        if (!r || r.status === 503 || inFlight) { unsure.push({ key, payload }); continue; }
        if (![201, 409, 422, 429].includes(r.status)) unexpected.push(`booking: ${r.status} ${r.text}`);
        const first = answers.get(key);
        if (first) {
          // The retry of a lost answer found it stored: a replay.
          if (r.text !== first.text || r.status !== first.status) unexpected.push(`retry of ${key} differs: ${first.status} ${first.text} / ${r.status} ${r.text}`);
        } else if (r.status !== 429) {
          answers.set(key, { payload, status: r.status, text: r.text });
          if (r.status === 201) {
            const b = r.json.booking;
            const entry = { id: b.id, token: b.manage_token, states: new Set([state(b.status, b.start)]), start: b.start, status: b.status };
            acked.push(entry);
            mine.push(entry);
          }
        }
      } else if (dice < 0.65 && answers.size) {
        // A replay of an answered key, on either process.
        const [key, first] = pick([...answers.entries()]);
        const r = await call(i, 'POST', '/v1/bookings', { body: first.payload, headers: { 'idempotency-key': key }, localAddress });
        if (!r || r.status === 503 || r.status === 429) continue;
        counts.replays++;
        if (r.status !== first.status || r.text !== first.text) unexpected.push(`replay of ${key}: ${first.status} ${first.text} / ${r.status} ${r.text}`);
        else if (r.headers['idempotent-replayed'] !== 'true') unexpected.push(`replay of ${key} without Idempotent-Replayed`);
      } else if (dice < 0.8 && mine.length) {
        // Cancel one of this loop's bookings.
        const entry = mine.splice(Math.floor(random() * mine.length), 1)[0];
        const r = await call(i, 'POST', `/v1/bookings/${entry.id}/cancel?token=${entry.token}`, { body: { reason: 'chaos' }, localAddress });
        if (r && r.status === 200) { entry.states = new Set([state('CANCELLED', entry.start)]); counts.cancelled++; }
        else if (!r || r.status === 503) entry.states.add(state('CANCELLED', entry.start));  // either, from now on left alone
        else unexpected.push(`cancel: ${r.status} ${r.text}`);
      } else if (mine.length) {
        // Reschedule one of this loop's bookings.
        const at = Math.floor(random() * mine.length);
        const entry = mine[at];
        const start = slotAt(1 + Math.floor(random() * 4), 60 + 30 * Math.floor(random() * 20));
        const r = await call(i, 'POST', `/v1/bookings/${entry.id}/reschedule?token=${entry.token}`, { body: { start }, localAddress });
        if (r && r.status === 200) {
          assert.equal(r.json.booking.start, start);
          entry.start = start;
          entry.states = new Set([state(entry.status, start)]);
          counts.rescheduled++;
        } else if (!r || r.status === 503) {
          entry.states.add(state(entry.status, start));
          mine.splice(at, 1);
        } else if (!(r.status === 409 && r.json?.code === 'SLOT_TAKEN') && r.status !== 422) {
          unexpected.push(`reschedule: ${r.status} ${r.text}`);
        }
      }
    }
  }

  async function killer() {
    let victim = 0;
    while (Date.now() + KILL_EVERY_MS / 2 < stopAt) {
      await sleep(KILL_EVERY_MS - 1000 + Math.random() * 2000);
      const window = [Date.now(), Infinity];
      killWindows[victim].push(window);
      await servers[victim].kill9();
      counts.kills++;
      servers[victim] = await startServer(db);
      window[1] = Date.now();
      victim = 1 - victim;
    }
  }

  await Promise.all([killer(), ...Array.from({ length: LOOPS }, (_, n) => clientLoop(n))]);

  const summary = JSON.stringify({ ...counts, acked: acked.length, answered: answers.size });
  console.log(`chaos: ${summary}`);
  assert.deepEqual(unexpected.slice(0, 10), [], `unexpected answers (${unexpected.length}): ${summary}`);
  assert.ok(counts.kills >= Math.floor(RUN_MS / KILL_EVERY_MS) - 1, `only ${counts.kills} kills`);
  assert.ok(acked.length > 50 && counts.replays > 20 && counts.cancelled > 20 && counts.rescheduled > 20, `too little happened: ${summary}`);

  assert.deepEqual(db.sql(overlapsSql), [], 'no two blocking bookings overlap');
  const rows = new Map(db.sql(`SELECT id, status, start_at FROM bookings WHERE provider_id IN ('c1', 'c2')`).map(([id, status, start]) => [id, `${status}@${start}`]));
  const lost = acked.filter((b) => !rows.has(b.id));
  assert.deepEqual(lost.map((b) => b.id), [], 'every acknowledged booking is stored');
  const unexplained = acked.filter((b) => !b.states.has(rows.get(b.id)));
  assert.deepEqual(unexplained.map((b) => `${b.id}: ${rows.get(b.id)} not in ${[...b.states].join(', ')}`), [],
    'every acknowledged booking has a status and time its acknowledged actions explain');
  for (const s of servers) assert.equal(s.proc.exitCode, null, 'the last servers still run');
});
