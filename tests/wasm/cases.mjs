// Deterministic JSON Lines cases for the batch protocol (cli.md): slots,
// validate and refund lines over every zone, dates around DST changes,
// dates at the edges of the supported range, and lines that must be errors.
// The same seed and zone list always give the same lines.

export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Rng {
  constructor(seed) { this.next = mulberry32(seed); }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)); }
  chance(p) { return this.next() < p; }
  pick(list) { return list[Math.floor(this.next() * list.length)]; }
  subset(list, lo, hi) {
    const pool = [...list];
    const out = [];
    const n = Math.min(pool.length, this.int(lo, hi));
    for (let i = 0; i < n; i++) out.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]);
    return out;
  }
}

const DAY_MS = 86400000;
const MIN_MS = 60000;
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const pad = (n) => String(n).padStart(2, '0');

export const dateText = (ms) => new Date(ms).toISOString().slice(0, 10);
export const instantText = (ms) => new Date(ms).toISOString().slice(0, 16) + ':00Z';
const dayMs = (y, m, d) => Date.UTC(y, m - 1, d);
const minutesText = (m) => `${pad(Math.floor(m / 60))}:${pad(m % 60)}`;

// Wall-clock minutes where DST changes happen somewhere (00:00, 01:00,
// 02:00, 03:00 and half hours) are over-represented on purpose.
const EDGE_MINUTES = [0, 30, 60, 90, 120, 150, 180, 210, 240];

function windowTimes(rng) {
  const shape = rng.int(0, 5);
  let start;
  let end;
  if (shape === 0) { start = rng.pick(EDGE_MINUTES); end = start + rng.int(1, 12) * 30; }
  else if (shape === 1) { start = 0; end = 1440; }
  else if (shape === 2) { start = rng.int(18, 23) * 60 + rng.pick([0, 30]); end = 1440; }
  else if (shape === 3) { start = rng.int(0, 95) * 15; end = start + rng.int(1, 40) * 15; }
  else { start = rng.int(6, 11) * 60 + rng.pick([0, 15, 30]); end = start + rng.int(2, 10) * 60; }
  end = Math.min(end, 1440);
  if (end <= start) end = Math.min(1440, start + 15);
  return { start: minutesText(start), end: minutesText(end) };
}

// A date range [from, to] (viewer dates) that often spans DST changes.
function dateRange(rng) {
  const kind = rng.int(0, 9);
  let from;
  let span = rng.int(0, 9);
  if (kind <= 5) {
    const year = rng.int(2025, 2035);
    from = rng.chance(0.5)
      ? dayMs(year, 3, 5) + rng.int(0, 36) * DAY_MS  // northern spring, southern autumn
      : dayMs(year, 9, 25) + rng.int(0, 46) * DAY_MS; // northern autumn, southern spring
  } else if (kind === 6) {
    from = rng.chance(0.5) ? dayMs(2020, 1, 1) + rng.int(0, 3) * DAY_MS
      : dayMs(2050, 12, 31) - rng.int(0, 6) * DAY_MS;
    if (from + span * DAY_MS > dayMs(2050, 12, 31)) span = (dayMs(2050, 12, 31) - from) / DAY_MS;
  } else if (kind === 7) {
    from = dayMs(2020, 1, 1) + rng.int(0, 11322) * DAY_MS;
    if (from + span * DAY_MS > dayMs(2050, 12, 31)) span = 0;
  } else {
    from = dayMs(2026, 1, 1) + rng.int(0, 700) * DAY_MS;
    span = rng.int(0, 30);
  }
  return { from, to: from + span * DAY_MS };
}

function makeSnapshot(rng, zone, range) {
  const scheduleNames = rng.chance(0.3) ? ['default', 'evenings'] : ['default'];
  const schedules = {};
  for (const name of scheduleNames) {
    const weekly = [];
    for (const day of WEEKDAYS) {
      if (!rng.chance(0.75)) continue;
      for (let i = rng.int(1, 3); i > 0; i--) weekly.push({ day, ...windowTimes(rng) });
    }
    const overrides = [];
    for (let i = rng.int(0, 4); i > 0; i--) {
      const date = dateText(range.from + rng.int(-1, 10) * DAY_MS);
      const kind = rng.pick(['block', 'block', 'add', 'replace']);
      if (kind === 'block') overrides.push(rng.chance(0.5) ? { date, kind } : { date, kind, ...windowTimes(rng) });
      else if (kind === 'add') overrides.push({ date, kind, ...windowTimes(rng) });
      else {
        const windows = [];
        for (let j = rng.int(0, 2); j > 0; j--) windows.push(windowTimes(rng));
        overrides.push({ date, kind, windows });
      }
    }
    schedules[name] = rng.chance(0.1) && overrides.length === 0 ? { weekly } : { weekly, overrides };
  }
  const services = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    const service = {
      id: `s${services.length + 1}`,
      durations: rng.subset([5, 15, 20, 30, 45, 60, 90, 120, 240, 1440], 1, 3),
    };
    if (scheduleNames.length > 1 && rng.chance(0.5)) service.schedule = rng.pick(scheduleNames);
    if (rng.chance(0.1)) service.active = rng.chance(0.5);
    if (rng.chance(0.4)) service.buffer_before_minutes = rng.pick([0, 5, 10, 15, 30]);
    if (rng.chance(0.4)) service.buffer_after_minutes = rng.pick([0, 5, 10, 15, 30]);
    if (rng.chance(0.6)) service.slot_interval_minutes = rng.chance(0.2) ? null : rng.pick([5, 10, 15, 20, 30, 45, 60, 90]);
    if (rng.chance(0.5)) service.min_notice_minutes = rng.pick([0, 60, 120, 1440, 2880]);
    if (rng.chance(0.4)) service.max_advance_days = rng.chance(0.2) ? null : rng.int(0, 30);
    services.push(service);
  }
  const busy = [];
  for (let i = rng.chance(0.3) ? 0 : rng.int(1, 25); i > 0; i--) {
    const start = range.from - DAY_MS + rng.int(0, 12 * 96) * 15 * MIN_MS;
    busy.push({ start: instantText(start), end: instantText(start + rng.int(1, 16) * 15 * MIN_MS) });
  }
  const provider = { id: `p${rng.int(1, 999)}`, time_zone: zone };
  if (rng.chance(0.05)) provider.active = false;
  const snapshot = { provider, schedules, services };
  if (busy.length || rng.chance(0.5)) snapshot.busy = busy;
  return snapshot;
}

function makeNow(rng, range) {
  return instantText(range.from - rng.int(-1 * 96, 5 * 96) * 15 * MIN_MS);
}

function slotsCase(rng, providerZone, viewerZone) {
  const range = dateRange(rng);
  // Now and then the longest range a query may ask (366 days after from),
  // with a coarse grid so the answer stays a few hundred KB.
  const long = rng.chance(0.01) && range.from + 366 * DAY_MS <= dayMs(2050, 12, 31);
  if (long) range.to = range.from + 366 * DAY_MS;
  const snapshot = makeSnapshot(rng, providerZone, range);
  const service = rng.pick(snapshot.services);
  if (long) service.slot_interval_minutes = 180;
  const query = {
    service: service.id,
    from: dateText(range.from),
    to: dateText(range.to),
    time_zone: viewerZone,
    now: makeNow(rng, range),
  };
  if (rng.chance(0.6)) query.duration_minutes = rng.pick(service.durations);
  return { op: 'slots', snapshot, query };
}

function validateCase(rng, providerZone) {
  const range = dateRange(rng);
  const snapshot = makeSnapshot(rng, providerZone, range);
  const service = rng.pick(snapshot.services);
  const start = range.from + rng.int(-12, 24 * 4 * 3) * 15 * MIN_MS + rng.pick([0, 0, 0, 5, 10]) * MIN_MS;
  const request = { service: service.id, start: instantText(start), now: makeNow(rng, range) };
  if (rng.chance(0.6)) request.duration_minutes = rng.pick(service.durations);
  return { op: 'validate', snapshot, request };
}

function refundCase(rng) {
  const start = dayMs(2020, 1, 1) + rng.int(0, 11000) * DAY_MS + rng.int(0, 95) * 15 * MIN_MS;
  const before = rng.pick([
    0, 1, 59, 60, 1439, 1440, 1441, 7199, 7200, 7201, 20159, 20160, 20161, 50000, -30, -2000,
    rng.int(-5000, 60000),
  ]);
  const policy = rng.chance(0.6)
    ? rng.pick(['flexible', 'moderate', 'strict'])
    : Array.from({ length: rng.int(0, 4) }, () => ({ hours_before: rng.pick([0, 1, 24, 48, 120, 336, rng.int(0, 87600)]), percent: rng.int(0, 100) }));
  const refund = {
    policy,
    price: rng.pick([0, 1, 999, 5000, 12345, 99999, 1000000000000, rng.int(0, 2 ** 31)]),
    start: instantText(start),
    cancelled_at: instantText(start - before * MIN_MS),
  };
  if (rng.chance(0.5)) refund.by = rng.pick(['client', 'provider', 'no_show']);
  return { op: 'refund', refund };
}

// Raw JSON text for values JSON.stringify cannot write (30.0, 3e1, NaN...):
// the case holds a marker string that is replaced after stringify.
const raw = (text) => `\u0000RAW:${text}\u0000`;
function stringifyLine(value) {
  return JSON.stringify(value).replace(/"\\u0000RAW:(.*?)\\u0000"/g, (_, text) => text);
}

const FIXED_ERROR_LINES = [
  '', ' ', '\t', '{', '}', '{"op":', '{"op":"slots"', 'not json', "{'op':'refund'}", '[]', '[1,2]', '42', '-0',
  '"slots"', 'null', 'true', 'false', '{}', '{"op":null}', '{"op":5}', '{"op":["slots"]}', '{"op":"Slots"}',
  '{"op":"nope"}', '{"op":"slots"}', '{"op":"validate"}', '{"op":"refund"}', '{"op":"refund","refund":null}',
  '{"op":"refund","refund":[]}', '{"op":"refund","refund":"x"}', '{"op":"slots","snapshot":null,"query":{}}',
  '{"op":"slots","snapshot":[],"query":{}}', '{"op":"slots","snapshot":{},"query":{}}', 'NaN', 'Infinity',
  '{"op":"refund","refund":{"policy":"moderate","price":NaN,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}}',
  '{"op":"refund","refund":{"policy":"moderate","price":1e400,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}}',
  '{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}} trailing',
  '{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}}{}',
  '{"op":"refund","refund":{"policy":"str\\ud800ict","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}}',
  '{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}}\r',
  '\ufeff{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"}}',
  '{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z","by":"caf\u00e9 \ud83d\ude00"}}',
  '{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z"},"op":"slots"}',
  '{"op":"refund","refund":{"policy":"moderate","price":5000,"start":"2026-01-01T10:00:00Z","cancelled_at":"2026-01-01T09:00:00Z\u0001"}}',
  `${'['.repeat(64)}${']'.repeat(64)}`, `${'['.repeat(65)}${']'.repeat(65)}`, `${'['.repeat(2000)}`,
  `{"op":"refund","refund":{"policy":${'['.repeat(70)}${']'.repeat(70)}}}`,
];

// Each takes a valid case (a fresh copy) and returns a broken case or a raw line.
const MUTATIONS = [
  (c) => { delete c.snapshot; return c; },
  (c) => { delete c[c.op === 'slots' ? 'query' : 'request']; return c; },
  (c) => { c.op = c.op === 'slots' ? 'validate' : 'slots'; return c; },
  (c) => { c.snapshot = JSON.stringify(c.snapshot); return c; },
  (c) => { c.snapshot.provider.time_zone = 5; return c; },
  (c) => { c.snapshot.provider.time_zone = 'Mars/Olympus_Mons'; return c; },
  (c) => { c.snapshot.provider.time_zone = c.snapshot.provider.time_zone.toLowerCase(); return c; },
  (c) => { c.snapshot.provider.time_zone = ''; return c; },
  (c) => { c.snapshot.provider.time_zone = null; return c; },
  (c) => { delete c.snapshot.provider.id; return c; },
  (c) => { c.snapshot.provider.id = 7; return c; },
  (c) => { c.snapshot.provider.active = 'yes'; return c; },
  (c) => { delete c.snapshot.provider; return c; },
  (c) => { c.snapshot.schedules = []; return c; },
  (c) => { delete c.snapshot.schedules; return c; },
  (c) => { c.snapshot.services = {}; return c; },
  (c) => { c.snapshot.services[0].durations = []; return c; },
  (c) => { c.snapshot.services[0].durations = [30, 30]; return c; },
  (c) => { c.snapshot.services[0].durations = [4]; return c; },
  (c) => { c.snapshot.services[0].durations = [1441]; return c; },
  (c) => { c.snapshot.services[0].durations = [raw('30.0')]; return c; },
  (c) => { c.snapshot.services[0].durations = [raw('3e1')]; return c; },
  (c) => { c.snapshot.services[0].durations = ['30']; return c; },
  (c) => { c.snapshot.services[0].durations = [5, 10, 15, 20, 25, 30, 35, 40, 45]; return c; },
  (c) => { c.snapshot.services[0].durations = [raw('-30')]; return c; },
  (c) => { c.snapshot.services[0].durations = [raw('18446744073709551646')]; return c; },
  (c) => { delete c.snapshot.services[0].id; return c; },
  (c) => { c.snapshot.services.push({ ...c.snapshot.services[0] }); return c; },
  (c) => { c.snapshot.services[0].schedule = 'nope'; return c; },
  (c) => { c.snapshot.services[0].buffer_before_minutes = -1; return c; },
  (c) => { c.snapshot.services[0].buffer_after_minutes = 1441; return c; },
  (c) => { c.snapshot.services[0].min_notice_minutes = 525601; return c; },
  (c) => { c.snapshot.services[0].max_advance_days = 3651; return c; },
  (c) => { c.snapshot.services[0].slot_interval_minutes = 4; return c; },
  (c) => { c.snapshot.services[0].slot_interval_minutes = raw('15.5'); return c; },
  (c) => { c.snapshot.services[0].active = 1; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'Mon', start: '09:00', end: '10:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '9:00', end: '10:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '24:00', end: '24:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '10:00', end: '10:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '10:00', end: '09:59' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '23:60', end: '24:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '09:00', end: '24:01' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = [{ day: 'mon', start: '09:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.weekly = { mon: [] }; return c; },
  (c) => { c.snapshot.schedules.default.overrides = [{ date: '2026-02-30', kind: 'block' }]; return c; },
  (c) => { c.snapshot.schedules.default.overrides = [{ date: '2026-03-01', kind: 'blocked' }]; return c; },
  (c) => { c.snapshot.schedules.default.overrides = [{ date: '2026-03-01', kind: 'block', start: '10:00' }]; return c; },
  (c) => { c.snapshot.schedules.default.overrides = [{ date: '2026-03-01', kind: 'add' }]; return c; },
  (c) => { c.snapshot.schedules.default.overrides = [{ date: '2026-03-01', kind: 'replace' }]; return c; },
  (c) => { c.snapshot.schedules.default.overrides = [{ date: '26-03-01', kind: 'block' }]; return c; },
  (c) => { c.snapshot.busy = [{ start: '2026-03-01T10:00:00Z', end: '2026-03-01T10:00:00Z' }]; return c; },
  (c) => { c.snapshot.busy = [{ start: '2026-03-01T10:00:30Z', end: '2026-03-01T11:00:00Z' }]; return c; },
  (c) => { c.snapshot.busy = [{ start: '2026-03-01T10:00:00+01:00', end: '2026-03-01T11:00:00Z' }]; return c; },
  (c) => { c.snapshot.busy = [{ start: '2026-03-01T10:00:00Z' }]; return c; },
  (c) => { c.snapshot.busy = {}; return c; },
  (c) => { c.snapshot.busy = null; return c; },
];

const QUERY_MUTATIONS = [
  (q) => { q.service = 'unknown-service'; },
  (q) => { q.service = 1; },
  (q) => { delete q.service; },
  (q) => { q.duration_minutes = 31; },
  (q) => { q.duration_minutes = '30'; },
  (q) => { q.duration_minutes = raw('30.5'); },
  (q) => { q.duration_minutes = null; },
  (q) => { q.now = '2051-01-02T00:00:00Z'; },
  (q) => { q.now = '2019-12-30T23:59:00Z'; },
  (q) => { q.now = '2019-12-31T00:00:00Z'; },
  (q) => { q.now = '2051-01-01T23:59:00Z'; },
  (q) => { q.now = '2026-03-01 10:00:00Z'; },
  (q) => { q.now = '2026-03-01T10:00:00.000Z'; },
  (q) => { delete q.now; },
];
const SLOTS_QUERY_MUTATIONS = [
  (q) => { q.from = '2019-12-31'; },
  (q) => { q.to = '2051-01-01'; },
  (q) => { q.from = '2050-12-31'; q.to = '2050-12-31'; },
  (q) => { q.from = '2020-01-01'; q.to = '2020-01-01'; },
  (q) => { [q.from, q.to] = [q.to, dateText(Date.parse(q.from) - DAY_MS)]; },
  (q) => { q.to = dateText(Date.parse(q.from) + 367 * DAY_MS); },
  (q) => { q.from = '2026-13-01'; },
  (q) => { q.from = '2026-1-01'; },
  (q) => { q.time_zone = 'Mars/Olympus_Mons'; },
  (q) => { q.time_zone = 5; },
  (q) => { q.time_zone = 'UTC+1'; },
  (q) => { delete q.time_zone; },
  (q) => { delete q.from; },
];
const VALIDATE_MUTATIONS = [
  (r) => { r.start = '2051-01-02T00:00:00Z'; },
  (r) => { r.start = '2019-12-30T23:59:00Z'; },
  (r) => { r.start = '2051-01-01T23:59:00Z'; },
  (r) => { r.start = '2026-03-29T02:30:00'; },
  (r) => { r.start = 1774751400; },
  (r) => { delete r.start; },
];
const REFUND_MUTATIONS = [
  (r) => { r.policy = 'Moderate'; },
  (r) => { r.policy = [{ hours_before: 24, percent: 101 }]; },
  (r) => { r.policy = [{ hours_before: 87601, percent: 50 }]; },
  (r) => { r.policy = [{ hours_before: -1, percent: 50 }]; },
  (r) => { r.policy = [{ hours_before: 24 }]; },
  (r) => { r.policy = {}; },
  (r) => { delete r.policy; },
  (r) => { r.price = -1; },
  (r) => { r.price = 1000000000001; },
  (r) => { r.price = raw('9007199254740993'); },
  (r) => { r.price = raw('5000.0'); },
  (r) => { r.price = '5000'; },
  (r) => { delete r.price; },
  (r) => { r.by = 'admin'; },
  (r) => { r.by = null; },
  (r) => { r.start = '2051-06-01T00:00:00Z'; },
  (r) => { r.cancelled_at = 'yesterday'; },
  (r) => { delete r.cancelled_at; },
];

function errorCase(rng, zones) {
  const kind = rng.int(0, 5);
  if (kind === 0) return rng.pick(FIXED_ERROR_LINES);
  if (kind === 5) {
    const c = refundCase(rng);
    rng.pick(REFUND_MUTATIONS)(c.refund);
    return stringifyLine(c);
  }
  const c = rng.chance(0.5) ? slotsCase(rng, rng.pick(zones), rng.pick(zones)) : validateCase(rng, rng.pick(zones));
  if (kind <= 2) {
    const broken = rng.pick(MUTATIONS)(c);
    return typeof broken === 'string' ? broken : stringifyLine(broken);
  }
  if (c.op === 'slots') rng.pick(kind === 3 ? QUERY_MUTATIONS : SLOTS_QUERY_MUTATIONS)(c.query);
  else rng.pick(kind === 3 ? QUERY_MUTATIONS : VALIDATE_MUTATIONS)(c.request);
  return stringifyLine(c);
}

// Validations of slots the engine listed (ok by engine.md's law), of the
// minutes right after them (off the grid) and of other durations.
function chainedValidations(rng, slotsCaseValue, answerText) {
  let answer;
  try { answer = JSON.parse(answerText); } catch { return []; }
  if (!Array.isArray(answer.slots) || answer.slots.length === 0) return [];
  const lines = [];
  const service = slotsCaseValue.snapshot.services.find((s) => s.id === slotsCaseValue.query.service);
  for (let i = 0; i < 2; i++) {
    const slot = rng.pick(answer.slots);
    const base = { service: service.id, now: slotsCaseValue.query.now };
    if (slotsCaseValue.query.duration_minutes !== undefined) base.duration_minutes = slotsCaseValue.query.duration_minutes;
    const listed = { op: 'validate', snapshot: slotsCaseValue.snapshot, request: { ...base, start: slot.start } };
    lines.push({ line: stringifyLine(listed), mustBeOk: true });
    const shifted = { ...base, start: instantText(Date.parse(slot.start) + rng.pick([5, 10, 15, 60]) * MIN_MS) };
    if (rng.chance(0.3)) shifted.duration_minutes = rng.pick(service.durations);
    lines.push({ line: stringifyLine({ op: 'validate', snapshot: slotsCaseValue.snapshot, request: shifted }), mustBeOk: false });
  }
  return lines;
}

// Links and zones whose DST rules are unusual, on top of every zone in turn.
const SPECIAL_ZONES = [
  'Europe/Berlin', 'America/New_York', 'US/Eastern', 'Australia/Lord_Howe', 'Pacific/Chatham',
  'America/Havana', 'Asia/Beirut', 'Africa/Casablanca', 'America/Santiago', 'Pacific/Kiritimati',
  'Pacific/Pago_Pago', 'Asia/Kathmandu', 'Europe/Dublin', 'Antarctica/Troll', 'UTC', 'Etc/GMT+12',
  'America/St_Johns', 'Asia/Tehran', 'America/Asuncion', 'Europe/London', 'Australia/Sydney',
];

// runLine(line) answers a line (the WebAssembly module); it is used only to
// pick the chained validations, so the lines depend on the engine's slots but
// stay deterministic for a given engine.
export function generateCases({ zones, seed = 20260301, count = 6000, runLine }) {
  const rng = new Rng(seed);
  const specials = SPECIAL_ZONES.filter((z) => zones.includes(z));
  const lines = [];
  const mustBeOk = [];
  let zoneIndex = 0;
  const nextZone = () => zones[zoneIndex++ % zones.length];
  while (lines.length < count) {
    const r = rng.next();
    if (r < 0.38) {
      const provider = rng.chance(0.2) ? rng.pick(specials) : nextZone();
      const viewer = rng.chance(0.3) ? rng.pick(specials) : rng.chance(0.3) ? provider : rng.pick(zones);
      const c = slotsCase(rng, provider, viewer);
      const line = stringifyLine(c);
      lines.push(line);
      if (rng.chance(0.35)) {
        for (const chained of chainedValidations(rng, c, runLine(line))) {
          if (chained.mustBeOk) mustBeOk.push(lines.length);
          lines.push(chained.line);
        }
      }
    } else if (r < 0.58) {
      lines.push(stringifyLine(validateCase(rng, rng.chance(0.2) ? rng.pick(specials) : nextZone())));
    } else if (r < 0.70) {
      lines.push(stringifyLine(refundCase(rng)));
    } else {
      lines.push(errorCase(rng, zones));
    }
  }
  return { lines, mustBeOk };
}
