// The state of one run of <slotwise-booking>, without a DOM: its shape lives
// in createState alone, and it changes only through the transitions below,
// which the element calls (and the unit tests drive in Node). The element
// keeps the nodes of its current screen in `ui`; nothing here reads them.
import {
  addDays, addMonths, compareMonths, dateInZone, firstOfMonth, instantString, lastOfMonth, monthOf,
} from './dates.js'
import { canMove } from './flow.js'
import { safeLocale } from './i18n.js'

export const MONTHS_AHEAD_WITHOUT_LIMIT = 24

export function createState({ cfg, t, dir, api, keys, hourCycle }) {
  return {
    // The options of this run and what follows from them.
    cfg, t, dir, api, keys, hourCycle, plural: null,
    view: 'loading',
    // The data: the provider's snapshot and the engine answering from it.
    snapshot: null, snapshotText: '', range: null, clockOffsetMs: 0, fetchedAt: 0,
    engine: undefined, engineInstance: null, zones: null, serverCache: new Map(),
    // The visitor's choices.
    zone: '', service: null, duration: null,
    today: null, month: null, minMonth: null, maxMonth: null,
    byDate: new Map(), date: null, slot: null, draft: null,
    // A booking made, or one opened to manage (and being rescheduled).
    booking: null, manage: null, reschedule: null,
    // Requests in flight, and whether this run has ended.
    submitting: false, verifying: false, refreshing: false, readySent: false, dead: false,
    ui: {},
  }
}

// New options that keep the visitor's place (language, clock, week start).
export function applyOptions(s, { cfg, t, dir, hourCycle }) {
  Object.assign(s, { cfg, t, dir, plural: null, hourCycle })
}

export function end(s) {
  s.dead = true
}

// A screen change; false when the flow's table (flow.js) does not allow it.
// The screen changes anyway: a disallowed move is a bug to report, not to block.
export function enter(s, view) {
  const allowed = canMove(s.view, view)
  s.view = view
  return allowed
}

// A snapshot as received: `now` for the engine is the browser clock
// corrected by the server's, generated_at taken to be the middle of the round
// trip (and truncated to whole seconds, hence the half second).
export function applySnapshot(s, { json, text, sent, received }, range) {
  const generated = Date.parse(json.generated_at)
  if (Number.isFinite(generated)) s.clockOffsetMs = generated + 500 - (sent + received) / 2
  s.snapshot = json
  s.snapshotText = text
  s.range = range
  s.fetchedAt = received
  s.serverCache.clear()
}

// The engine loaded (undefined when there is none: the server answers) and
// the zone to show times in.
export function engineReady(s, engine, zone) {
  s.engine = engine
  s.zone = zone
}

// The form's typed details, kept while the visitor goes back to the times.
export function draftOf(s) {
  return (s.draft ||= {})
}

export function pluralOf(s) {
  return (s.plural ||= new Intl.PluralRules(s.cfg.locale))
}

export function activeServices(s) {
  return (s.snapshot.services || []).filter((x) => x.active !== false)
}

// The service (and duration) asked for, or the first; false when there is none
// to book (unknown, or the provider inactive).
export function chooseService(s) {
  const services = activeServices(s)
  const wanted = s.reschedule ? s.reschedule.booking.service : s.cfg.service
  s.service = wanted ? services.find((x) => x.id === wanted) : services[0]
  if (!s.service || s.snapshot.provider.active === false) {
    s.service = null
    return false
  }
  const durations = s.service.durations || []
  const preferred = s.reschedule ? s.reschedule.duration : s.cfg.duration
  s.duration = durations.includes(preferred) ? preferred : durations[0]
  return true
}

export function pickService(s, id) {
  s.service = activeServices(s).find((x) => x.id === id)
  s.duration = s.service.durations[0]
  s.date = null
}

export function pickDuration(s, minutes) {
  s.duration = minutes
  s.slot = null
}

// Today in the visitor's zone by the server's clock, and the months one may visit.
export function setMonthBounds(s, nowMs = Date.now()) {
  const today = dateInZone(nowMs + s.clockOffsetMs, s.zone)
  s.today = today
  s.minMonth = monthOf(today)
  const adv = s.service.max_advance_days
  const last = Number.isInteger(adv) ? addDays(today, adv + 1) : firstOfMonth(addMonths(s.minMonth, MONTHS_AHEAD_WITHOUT_LIMIT))
  s.maxMonth = monthOf(last)
}

export function openCalendarMonth(s, nowMs = Date.now()) {
  setMonthBounds(s, nowMs)
  if (!s.month || compareMonths(s.month, s.minMonth) < 0) s.month = s.minMonth
}

// A new zone is a new view of the same free times: the day stays, the time goes.
export function changeZone(s, zone, nowMs = Date.now()) {
  s.zone = zone
  s.slot = null
  const keep = s.date
  setMonthBounds(s, nowMs)
  if (compareMonths(s.month, s.minMonth) < 0) s.month = s.minMonth
  s.date = keep
}

// The engine does not know the zone: UTC instead. False when already UTC.
export function fallBackToUtc(s) {
  if (s.zone === 'UTC') return false
  s.zone = 'UTC'
  return true
}

export function canShowMonth(s, month) {
  return compareMonths(month, s.minMonth) >= 0 && compareMonths(month, s.maxMonth) <= 0
}

export function goMonth(s, delta) {
  const target = addMonths(s.month, delta)
  if (!canShowMonth(s, target)) return false
  s.month = target
  s.date = null
  s.slot = null
  return true
}

// Another month, keeping the day unless told otherwise.
export function showMonth(s, month, date = s.date) {
  s.month = month
  s.date = date
}

export function groupByDate(slots) {
  const byDate = new Map()
  for (const slot of slots) {
    let list = byDate.get(slot.local_date)
    if (!list) byDate.set(slot.local_date, (list = []))
    list.push(slot)
  }
  return byDate
}

export function setMonthSlots(s, month, slots) {
  s.month = month
  s.byDate = groupByDate(slots)
}

// After a month's slots arrive: the first free day on the first load, the
// kept day while it is in the shown month, else none.
export function settleDate(s, { initial, keepDate }) {
  if (!keepDate || !s.date || !s.date.startsWith(firstOfMonth(s.month).slice(0, 7))) {
    s.date = initial ? ([...s.byDate.keys()][0] || null) : (keepDate ? s.date : null)
    if (s.date && !s.date.startsWith(firstOfMonth(s.month).slice(0, 7))) s.date = null
  }
}

// The number of free times that day; a day without any is not selected.
export function selectDate(s, date) {
  const count = s.byDate.get(date)?.length || 0
  if (!count) return 0
  s.date = date
  s.slot = null
  return count
}

export function chooseSlot(s, slot) {
  s.slot = slot
}

export function keepDate(s, date) {
  s.date = date
}

export function startSubmit(s) {
  if (s.submitting) return false
  s.submitting = true
  return true
}

export function endSubmit(s) {
  s.submitting = false
}

export function startVerify(s) {
  if (s.verifying) return false
  s.verifying = true
  return true
}

export function endVerify(s) {
  s.verifying = false
}

export function startRefresh(s) {
  if (s.refreshing) return false
  s.refreshing = true
  return true
}

export function endRefresh(s) {
  s.refreshing = false
}

// The request that books the chosen time for the client's details.
export function bookingRequest(s, { name, email, phone, notes }) {
  const client = { name, email }
  if (phone) client.phone = phone
  const body = { provider: s.cfg.provider, service: s.service.id, start: s.slot.start, duration_minutes: s.duration, client, time_zone: s.zone }
  if (notes) body.notes = notes
  // The language of the mails the server sends about this booking.
  body.locale = safeLocale(s.cfg.locale).baseName
  return body
}

// The booking the server made (HELD until verified): the typed details go.
export function booked(s, booking) {
  s.draft = null
  s.booking = booking
}

export function verified(s, held, answer) {
  // The manage token is shown once, in the create's answer: kept from there.
  s.booking = { ...held, ...answer, manage_token: held.manage_token }
}

export function openManage(s, manage, booking) {
  s.manage = { ...manage, booking }
}

export function cancelled(s, booking, updated) {
  s.manage.booking = { ...booking, ...updated, status: updated?.status || 'CANCELLED' }
}

export function startReschedule(s, booking) {
  s.reschedule = { booking, duration: Math.round((Date.parse(booking.end) - Date.parse(booking.start)) / 60000) }
}

export function startRescheduleCalendar(s) {
  s.date = null
  s.month = null
}

export function abandonReschedule(s) {
  s.reschedule = null
  s.slot = null
}

export function rescheduled(s, updated) {
  s.manage.booking = { ...s.manage.booking, ...updated }
  s.reschedule = null
}

// "Book another": back to an empty calendar.
export function restart(s) {
  s.booking = null
  s.manage = null
  s.reschedule = null
  s.slot = null
  s.date = null
  s.month = null
}

export function readyOnce(s) {
  if (s.readySent) return false
  s.readySent = true
  return true
}

// Rounded up to the whole minute the engine works in, so no slot shown can
// already be too soon by the server's clock.
export function nowInstant(s, nowMs = Date.now()) {
  return instantString(Math.ceil((nowMs + s.clockOffsetMs) / 60000) * 60000)
}

export function slotQuery(s, month, nowMs = Date.now()) {
  return {
    service: s.service.id, duration_minutes: s.duration,
    from: firstOfMonth(month), to: lastOfMonth(month), time_zone: s.zone, now: nowInstant(s, nowMs),
  }
}
