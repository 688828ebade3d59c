// Where the widget's data comes from, without a DOM: the provider's snapshot,
// the WebAssembly engine answering from it (or the server's /slots when there
// is none), the booking calls and their retries. Each call takes the run's
// state (booking_state.js); the engine instance and the zone list derived
// from it are kept here, everything else changes through the state's transitions.
import { loadEngine, querySlots, warmEngine } from './engine.js'
import { initialRange, RANGE_MARGIN_DAYS, MAX_RANGE_DAYS } from './range.js'
import { withRetries } from './flow.js'
import { applySnapshot, engineReady, fallBackToUtc, slotQuery } from './booking_state.js'
import {
  addDays, addMonths, browserTimeZone, compareMonths, dateInZone, firstOfMonth, formatLocalDate, formatMonth, lastOfMonth, monthOf,
  parseDate, weekdayNames, zoneLabel,
} from './dates.js'

export async function fetchSnapshot(s, from, to) {
  const r = s.reschedule
  const answer = await s.api.snapshot(s.cfg.provider, from, to, r ? { reschedule: r.booking.id, token: s.manage.token } : null)
  if (s.dead) return
  if (!answer.json || !answer.json.provider) throw Object.assign(new Error('bad snapshot'), { code: 'BAD_SNAPSHOT' })
  applySnapshot(s, answer, { from, to })
}

export function rebuildEngine(s) {
  s.engineInstance?.delete?.()
  s.engineInstance = null
  if (!s.engine) return
  // A reschedule's snapshot comes from the server with the booking's own
  // occupied time already left out (?reschedule=), as the server counts it.
  s.engineInstance = new s.engine.Engine(s.snapshotText)
}

export function dropEngine(s) {
  s.engineInstance?.delete?.()
  s.engineInstance = null
}

// The same dates again (after a booking, a cancellation, a return to the page).
export async function refetch(s) {
  await fetchSnapshot(s, s.range.from, s.range.to)
  if (!s.dead) rebuildEngine(s)
}

// The booking a manage link names, or null when it is not (or no longer)
// this provider's or the link is wrong.
export async function managedBooking(s, manage) {
  try {
    const { json } = await s.api.booking(manage.id, manage.token)
    const booking = json?.booking || json
    return booking && booking.provider && booking.provider !== s.cfg.provider ? null : booking
  } catch (e) {
    if (s.dead) return null
    if (e.status === 404 || e.status === 403 || e.status === 401) return null
    throw e
  }
}

// The first load: engine and snapshot in parallel.
export async function loadFirst(s, engineUrls) {
  const enginePromise = loadEngine(engineUrls.module, engineUrls.wasm)
  const range = initialRange()
  const snapshotPromise = fetchSnapshot(s, range.from, range.to)
  // While the engine compiles and the snapshot travels, let Intl load its
  // locale and zone data: the calendar needs it next.
  warmIntl(s.cfg, s.cfg.timeZone || browserTimeZone())
  enginePromise.then((mod) => {
    mark('engine')
    if (mod && !s.snapshot) warmEngine(mod, s.cfg.timeZone || browserTimeZone())
  })
  snapshotPromise.then(() => mark('snapshot'), () => {})
  const [engine] = await Promise.all([enginePromise, snapshotPromise])
  if (s.dead) return
  // The full zone list is only for the picker; it is read when the picker
  // is filled. An auto-detected zone the engine does not know is replaced
  // by UTC when the engine says so (monthSlots).
  engineReady(s, engine, s.cfg.timeZone || browserTimeZone())
  rebuildEngine(s)
}

// Slots of a month: synchronous through WebAssembly, or a Promise when the
// server computes them. The snapshot is fetched again when the month falls
// outside the dates it covers.
export function monthSlots(s, month) {
  const from = addDays(firstOfMonth(month), -RANGE_MARGIN_DAYS)
  const to = addDays(lastOfMonth(month), RANGE_MARGIN_DAYS)
  if (s.range && (from < s.range.from || to > s.range.to)) {
    let grown = { from: from < s.range.from ? from : s.range.from, to: to > s.range.to ? to : s.range.to }
    // The server answers at most 366 days; far jumps start a fresh range.
    if ((parseDate(grown.to) - parseDate(grown.from)) / 86400000 > MAX_RANGE_DAYS) grown = { from, to }
    return fetchSnapshot(s, grown.from, grown.to).then(() => {
      rebuildEngine(s)
      return monthSlots(s, month)
    })
  }
  const q = slotQuery(s, month)
  if (s.engineInstance) {
    const answer = querySlots(s.engineInstance, q)
    if (answer.error && answer.error.code === 'UNKNOWN_TIME_ZONE' && fallBackToUtc(s)) return monthSlots(s, month)
    if (answer.error) throw Object.assign(new Error(answer.error.message), { code: answer.error.code })
    return answer.slots
  }
  const key = JSON.stringify({ ...q, now: undefined })
  const cached = s.serverCache.get(key)
  if (cached) return cached
  return s.api.slots(s.cfg.provider, q).then(({ json }) => {
    s.serverCache.set(key, json.slots)
    return json.slots
  }, (e) => {
    if (e.code === 'UNKNOWN_TIME_ZONE' && fallBackToUtc(s)) return monthSlots(s, month)
    throw e
  })
}

// The first month after the shown one with a free time, up to the last one
// allowed; null when there is none.
export async function nextMonthWithTimes(s) {
  for (let m = addMonths(s.month, 1); compareMonths(m, s.maxMonth) <= 0; m = addMonths(m, 1)) {
    const slots = await monthSlots(s, m)
    if (s.dead) return null
    if (slots.length) return m
  }
  return null
}

// The detail of the `slotwise:ready` event.
export function readyDetail(s) {
  return {
    provider: s.cfg.provider, service: s.service?.id ?? null, timeZone: s.zone,
    engine: s.engine ? 'wasm' : 'server', tzVersion: s.engine ? tzVersionOf(s.engine) : null,
    // Milliseconds since the page's navigation began: load-to-calendar time.
    at: Math.round(performance.now() * 10) / 10,
  }
}

// Network failures, 5xx and "the same key is still in flight" are retried
// with the same request, hence the same Idempotency-Key.
const retried = (s, send) => withRetries(send, { stopped: () => s.dead })
const bookingOf = ({ json }) => json?.booking || json

export const book = (s, body, key) => retried(s, () => s.api.book(body, key)).then(bookingOf)
export const verify = (s, held, code) => retried(s, () => s.api.verify(held.id, held.manage_token, code)).then(bookingOf)
export const cancel = (s, booking) => retried(s, () => s.api.cancel(booking.id, s.manage.token)).then(bookingOf)
export const reschedule = (s, body) => retried(s, () => s.api.reschedule(s.manage.booking.id, s.manage.token, body)).then(bookingOf)

// Only zones this engine knows: a browser's newer tzdata must not offer one it refuses.
export function zonesOf(s) {
  if (!s.zones) s.zones = s.engine ? engineZones(s.engine) : intlZones()
  return s.zones
}

export function tzVersionOf(engine) {
  try {
    return engine.tzVersion()
  } catch {
    return null
  }
}

function engineZones(engine) {
  try {
    const z = engine.zones()
    const list = Array.isArray(z) ? z : typeof z === 'string' ? JSON.parse(z) : z && typeof z.size === 'function' ? vectorToArray(z) : []
    return list.length ? list : intlZones()
  } catch {
    return intlZones()
  }
}

function vectorToArray(v) {
  const out = []
  for (let i = 0; i < v.size(); i++) out.push(v.get(i))
  v.delete?.()
  return out
}

function intlZones() {
  try {
    return [...Intl.supportedValuesOf('timeZone'), 'UTC']
  } catch {
    return ['UTC']
  }
}

function warmIntl(cfg, zone) {
  try {
    const today = dateInZone(Date.now(), zone)
    formatMonth(cfg.locale, monthOf(today))
    formatLocalDate(cfg.locale, today)
    weekdayNames(cfg.locale, cfg.weekStart)
    zoneLabel(cfg.locale, zone)
    new Intl.NumberFormat(cfg.locale, { style: 'unit', unit: 'minute', unitDisplay: 'short' }).format(30)
    new Intl.NumberFormat(cfg.locale, { style: 'currency', currency: 'EUR' }).format(1)
    new Intl.PluralRules(cfg.locale).select(2)
  } catch { /* an unknown zone is dealt with once the engine answers */ }
}

// User Timing marks for web/budget.mjs: where the first-load time goes.
export function mark(name) {
  try {
    performance.mark(`slotwise:${name}`)
  } catch { /* no User Timing */ }
}
