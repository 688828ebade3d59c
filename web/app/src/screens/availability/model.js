// The availability screen's rules, free of the DOM so node can test them:
// edits of a provider's schedules (engine.md "Snapshot"), a vacation range
// turned into one override per date, engine.md's validation of every window
// and override, the snapshot the preview hands the WebAssembly engine, and
// which bookings a change would leave outside hours.
//
// Every edit returns a new `edits` object ({ schedules, services }) and never
// changes its input, so the screen can compare against what was saved and
// Lit sees each change as a new value.
import { addDays, dateInZone, formatDate, instantString, isoWeekday, parseDate } from '../../../../src/dates.js'

export const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']
export const BLOCKING = ['HELD', 'PENDING', 'CONFIRMED']
// A vacation longer than a year is a typo more often than a plan; the engine
// itself answers at most 366 days per query.
export const MAX_RANGE_DAYS = 366
export const MAX_NAME = 64

const TIME = /^([01]\d|2[0-3]):[0-5]\d$/
const DATE = /^\d{4}-\d{2}-\d{2}$/

export const isTime = (s, { end = false } = {}) => typeof s === 'string' && (TIME.test(s) || (end && s === '24:00'))
export const toMinutes = (s) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))
export const fromMinutes = (m) => String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0')
export function isDate (s) {
  return typeof s === 'string' && DATE.test(s) && formatDate(parseDate(s)) === s
}
// engine.md's weekday names for a local date.
export const weekdayOf = (date) => DAYS[isoWeekday(date) - 1]

const clone = (v) => JSON.parse(JSON.stringify(v))

// The parts of the provider document this screen edits.
export function editable (provider) {
  const schedules = provider?.schedules && Object.keys(provider.schedules).length ? provider.schedules : { default: { weekly: [] } }
  const edits = clone({ schedules, services: provider?.services || [] })
  for (const s of Object.values(edits.schedules)) {
    s.weekly ||= []
    s.overrides ||= []
  }
  return edits
}

// The whole document PUT takes: the provider as loaded with the edited parts.
export function applyEdits (provider, edits) {
  return { ...provider, schedules: clone(edits.schedules), services: clone(edits.services) }
}

export function isDirty (provider, edits) {
  return JSON.stringify(editable(provider)) !== JSON.stringify(edits)
}

function withSchedule (edits, name, change) {
  const schedule = clone(edits.schedules[name])
  change(schedule)
  return { ...edits, schedules: { ...edits.schedules, [name]: schedule } }
}

// ----- named schedules --------------------------------------------------------

// The services that use a schedule (a service without one uses "default").
export function scheduleUsers (edits, name) {
  return edits.services.filter((s) => (s.schedule ?? 'default') === name).map((s) => s.id)
}

// What the server refuses in a name (request_parsing.cpp): control
// characters, bidi overrides and marks, line separators; 64 UTF-8 bytes.
const REFUSED = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/
export const MAX_SCHEDULES = 32

export function checkName (edits, name, except = null) {
  const n = String(name ?? '').trim()
  if (!n) return 'nameMissing'
  if (new TextEncoder().encode(n).length > MAX_NAME) return 'nameLong'
  if (REFUSED.test(n)) return 'nameChars'
  if (n !== except && Object.hasOwn(edits.schedules, n)) return 'nameTaken'
  return ''
}

// A new schedule starts with the weekly hours of `copyOf` (a practice's
// second schedule usually differs in a few windows), without its overrides.
export function addSchedule (edits, name, copyOf = null) {
  const error = Object.keys(edits.schedules).length >= MAX_SCHEDULES ? 'tooMany' : checkName(edits, name)
  if (error) return { error }
  const n = name.trim()
  const weekly = copyOf && edits.schedules[copyOf] ? clone(edits.schedules[copyOf].weekly) : []
  return { edits: { ...edits, schedules: { ...edits.schedules, [n]: { weekly, overrides: [] } } }, name: n }
}

// Renames in place (the order of the schedules stays) and moves every
// service that used the old name, implicitly "default" too, to the new one.
export function renameSchedule (edits, from, to) {
  const error = checkName(edits, to, from)
  if (error) return { error }
  const n = to.trim()
  const schedules = {}
  for (const [k, v] of Object.entries(edits.schedules)) schedules[k === from ? n : k] = v
  const services = edits.services.map((s) => ((s.schedule ?? 'default') === from ? { ...s, schedule: n } : s))
  return { edits: { ...edits, schedules, services }, name: n }
}

export function deleteSchedule (edits, name) {
  if (scheduleUsers(edits, name).length) return { error: 'inUse' }
  if (Object.keys(edits.schedules).length <= 1) return { error: 'lastSchedule' }
  const schedules = { ...edits.schedules }
  delete schedules[name]
  return { edits: { ...edits, schedules } }
}

// ----- weekly hours -----------------------------------------------------------

// Indices into schedule.weekly of one day's windows: the screen shows them
// grouped by day but keeps the document's order, so a server problem's path
// (schedules/x/weekly/3/end) names the same field.
export const windowsOf = (schedule, day) => schedule.weekly.map((w, i) => [w, i]).filter(([w]) => w.day === day).map(([, i]) => i)

// A new window follows the day's last one (an hour after it ends), or is the
// usual 09:00-17:00 on an empty day. It goes after the day's last window.
export function addWindow (edits, name, day) {
  let index = 0
  const next = withSchedule(edits, name, (s) => {
    const mine = windowsOf(s, day)
    let window = { day, start: '09:00', end: '17:00' }
    if (mine.length) {
      const last = s.weekly[mine[mine.length - 1]]
      const from = isTime(last.end, { end: true }) ? Math.min(toMinutes(last.end) + 60, 23 * 60) : 18 * 60
      window = { day, start: fromMinutes(from), end: fromMinutes(Math.min(from + 60, 24 * 60)) }
    }
    index = mine.length ? mine[mine.length - 1] + 1 : s.weekly.filter((w) => DAYS.indexOf(w.day) < DAYS.indexOf(day)).length
    s.weekly.splice(index, 0, window)
  })
  return { edits: next, index }
}

export function updateWindow (edits, name, index, field, value) {
  return withSchedule(edits, name, (s) => { s.weekly[index] = { ...s.weekly[index], [field]: value } })
}

export function removeWindow (edits, name, index) {
  return withSchedule(edits, name, (s) => { s.weekly.splice(index, 1) })
}

// The windows of `from` replace those of every day in `to`; the list comes
// back in weekday order.
export function copyDay (edits, name, from, to) {
  return withSchedule(edits, name, (s) => {
    const source = s.weekly.filter((w) => w.day === from)
    s.weekly = DAYS.flatMap((day) => (day !== from && to.includes(day)
      ? source.map((w) => ({ ...w, day }))
      : s.weekly.filter((w) => w.day === day)))
  })
}

// ----- date overrides ---------------------------------------------------------

// The dates from `from` to `to` inclusive, or null when that is no range.
export function datesOf (from, to) {
  if (!isDate(from) || !isDate(to) || to < from) return null
  const days = Math.round((parseDate(to) - parseDate(from)) / 86400000) + 1
  if (days > MAX_RANGE_DAYS) return null
  return Array.from({ length: days }, (_, i) => addDays(from, i))
}

// Checks the override form: { kind: 'block-day'|'block-range'|'block-hours'
// |'add'|'replace', from, to, start, end, windows }. Returns { field: code }.
export function checkOverrideForm (form) {
  const errors = {}
  if (!isDate(form.from)) errors.from = 'date'
  if (form.kind === 'block-range') {
    if (!isDate(form.to)) errors.to = 'date'
    else if (!errors.from && form.to < form.from) errors.to = 'rangeOrder'
    else if (!errors.from && !datesOf(form.from, form.to)) errors.to = 'rangeLong'
  }
  const checkWindow = (w, prefix) => {
    if (!isTime(w.start)) errors[prefix + 'start'] = 'time'
    if (!isTime(w.end, { end: true })) errors[prefix + 'end'] = 'time'
    else if (isTime(w.start) && toMinutes(w.end) <= toMinutes(w.start)) errors[prefix + 'end'] = 'endAfterStart'
  }
  if (['block-hours', 'add'].includes(form.kind)) checkWindow(form, '')
  if (form.kind === 'replace') {
    (form.windows || []).forEach((w, i) => checkWindow(w, `windows/${i}/`))
    Object.assign(errors, overlapErrors(form.windows || [], (i) => `windows/${i}/start`))
  }
  return errors
}

function insertByDate (list, added) {
  const out = [...list, ...added]
  // A stable sort: overrides of one date keep the order they were made in.
  return out.map((o, i) => [o, i]).sort(([a, i], [b, j]) => (a.date < b.date ? -1 : a.date > b.date ? 1 : i - j)).map(([o]) => o)
}

// The overrides one form makes: a range is one whole-day block per date
// (engine.md has no range), dates already blocked whole are left as they are.
export function overridesOf (form, existing = []) {
  switch (form.kind) {
    case 'block-day':
    case 'block-range': {
      const dates = form.kind === 'block-day' ? [form.from] : datesOf(form.from, form.to) || []
      const blocked = new Set(existing.filter((o) => o.kind === 'block' && o.start === undefined).map((o) => o.date))
      return dates.filter((d) => !blocked.has(d)).map((date) => ({ date, kind: 'block' }))
    }
    case 'block-hours': return [{ date: form.from, kind: 'block', start: form.start, end: form.end }]
    case 'add': return [{ date: form.from, kind: 'add', start: form.start, end: form.end }]
    case 'replace': return [{ date: form.from, kind: 'replace', windows: (form.windows || []).map(({ start, end }) => ({ start, end })) }]
    default: return []
  }
}

// Applies the form, or answers its field errors. A new `replace` stands in
// for any earlier one of that date (several would be united, which is not
// what "replace the day's hours" says).
export function addOverrides (edits, name, form) {
  const errors = checkOverrideForm(form)
  if (Object.keys(errors).length) return { errors }
  let added = []
  const next = withSchedule(edits, name, (s) => {
    const kept = form.kind === 'replace' ? s.overrides.filter((o) => !(o.kind === 'replace' && o.date === form.from)) : s.overrides
    added = overridesOf(form, kept)
    s.overrides = insertByDate(kept, added)
  })
  return { edits: next, added }
}

export function removeOverride (edits, name, index) {
  return withSchedule(edits, name, (s) => { s.overrides.splice(index, 1) })
}

// ----- validation (engine.md, said at the field) -------------------------------

// Windows that overlap an earlier one: engine.md merges them, but two
// overlapping windows in a form are nearly always a typing slip.
function overlapErrors (windows, pathOf, indices = windows.map((_, i) => i)) {
  const errors = {}
  const valid = indices.filter((i) => isTime(windows[i].start) && isTime(windows[i].end, { end: true }) && toMinutes(windows[i].end) > toMinutes(windows[i].start))
  for (const i of valid) {
    for (const j of valid) {
      if (j >= i) break
      const a = windows[i]; const b = windows[j]
      if (toMinutes(a.start) < toMinutes(b.end) && toMinutes(b.start) < toMinutes(a.end)) {
        errors[pathOf(i)] = 'overlap'
        break
      }
    }
  }
  return errors
}

// Every problem of the edited schedules as { path: code }, paths as the
// server names them (schedules/NAME/weekly/3/end).
export function validate (edits) {
  const errors = {}
  for (const [name, s] of Object.entries(edits.schedules)) {
    const base = `schedules/${name}`
    s.weekly.forEach((w, i) => {
      if (!isTime(w.start)) errors[`${base}/weekly/${i}/start`] = 'time'
      if (!isTime(w.end, { end: true })) errors[`${base}/weekly/${i}/end`] = 'time'
      else if (isTime(w.start) && toMinutes(w.end) <= toMinutes(w.start)) errors[`${base}/weekly/${i}/end`] = 'endAfterStart'
    })
    for (const day of DAYS) Object.assign(errors, overlapErrors(s.weekly, (i) => `${base}/weekly/${i}/start`, windowsOf(s, day)))
    s.overrides.forEach((o, i) => {
      const at = `${base}/overrides/${i}`
      if (!isDate(o.date)) errors[`${at}/date`] = 'date'
      const windows = o.kind === 'replace' ? o.windows || [] : o.start !== undefined || o.end !== undefined || o.kind === 'add' ? [o] : []
      windows.forEach((w, k) => {
        const p = o.kind === 'replace' ? `${at}/windows/${k}` : at
        if (!isTime(w.start)) errors[`${p}/start`] = 'time'
        if (!isTime(w.end, { end: true })) errors[`${p}/end`] = 'time'
        else if (isTime(w.start) && toMinutes(w.end) <= toMinutes(w.start)) errors[`${p}/end`] = 'endAfterStart'
      })
    })
  }
  return errors
}

// The field a server problem concerns: `path`, or for a configuration the
// engine refused, the path of its `engine_error` (the server passes the
// engine's answer on as it is).
export function problemPath (problem) {
  const p = problem?.path || problem?.engine_error?.path || ''
  return String(p).replace(/^\/+/, '')
}

// ----- the engine's view -----------------------------------------------------

const ENGINE_SERVICE = ['id', 'schedule', 'active', 'durations', 'buffer_before_minutes', 'buffer_after_minutes',
  'slot_interval_minutes', 'min_notice_minutes', 'max_advance_days']

export function engineService (service) {
  const out = {}
  for (const k of ENGINE_SERVICE) if (service[k] !== undefined) out[k] = service[k]
  return out
}

// The snapshot of the edited document: the engine fields only (the document
// carries names and prices), and the busy times the server's public snapshot
// holds, so the preview is what the widget would show after saving.
export function engineSnapshot (provider, id, edits, busy = []) {
  return {
    provider: { id, time_zone: provider.time_zone, active: provider.active ?? true },
    schedules: clone(edits.schedules),
    services: edits.services.map(engineService),
    busy,
  }
}

// A query for the next `days` days from today in `zone`.
export function previewQuery (service, zone, nowMs, days = 21) {
  const from = dateInZone(nowMs, zone)
  return { service, from, to: addDays(from, days - 1), time_zone: zone, now: instantString(nowMs) }
}

// Slots grouped by their local date in the query's zone.
export function byDate (slots) {
  const days = []
  for (const s of slots) {
    const last = days[days.length - 1]
    if (last && last.date === s.local_date) last.slots.push(s)
    else days.push({ date: s.local_date, slots: [s] })
  }
  return days
}

// ----- bookings a change would orphan ----------------------------------------

const minutesBetween = (a, b) => Math.round((Date.parse(b) - Date.parse(a)) / 60000)

// Whether [start, end) of a booking lies inside the hours of its service's
// schedule in `edits`. The engine answers it: the booking is validated against
// a snapshot without any busy time (its own would make its time "taken", and
// other bookings are no question of hours), without notice or advance limits,
// with the booking's own length as the only duration. Only
// OUTSIDE_AVAILABILITY counts: a booking that is inside hours but off a moved
// grid still has its time.
export function insideHours (mod, provider, id, edits, booking) {
  const service = edits.services.find((s) => s.id === booking.service)
  const duration = booking.duration_minutes ?? minutesBetween(booking.start, booking.end)
  if (!service || !(duration >= 5 && duration <= 1440)) return true
  const schedule = service.schedule ?? 'default'
  if (!edits.schedules[schedule]) return true
  const snapshot = {
    provider: { id, time_zone: provider.time_zone, active: true },
    schedules: { [schedule]: clone(edits.schedules[schedule]) },
    services: [{ id: service.id, schedule, durations: [duration] }],
  }
  const engine = new mod.Engine(JSON.stringify(snapshot))
  try {
    const answer = JSON.parse(engine.validate(JSON.stringify({ service: service.id, start: booking.start, duration_minutes: duration, now: booking.start })))
    if (answer.error) return true // a schedule the engine refuses is reported by validation, not as orphans
    return !(answer.ok === false && answer.code === 'OUTSIDE_AVAILABILITY')
  } finally {
    engine.delete()
  }
}

// The upcoming bookings that block time, are inside hours as saved and
// would be outside them after the edits.
export function orphanedBookings (mod, provider, id, edits, bookings, nowMs) {
  const saved = editable(provider)
  return bookings
    .filter((b) => BLOCKING.includes(b.status) && Date.parse(b.end) > nowMs)
    .filter((b) => insideHours(mod, provider, id, saved, b) && !insideHours(mod, provider, id, edits, b))
    .sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
}
