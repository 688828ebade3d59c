// Calendar arithmetic on plain local dates ("YYYY-MM-DD"), done in UTC so
// that no zone of the browser leaks in, and formatting through Intl.

const DAY_MS = 86400000

export function parseDate(s) {
  const [y, m, d] = s.split('-').map(Number)
  return Date.UTC(y, m - 1, d)
}

export function formatDate(ms) {
  const d = new Date(ms)
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`
}

export function addDays(date, n) {
  return formatDate(parseDate(date) + n * DAY_MS)
}

export function pad2(n) {
  return String(n).padStart(2, '0')
}

// A month is {y, m} with m 1..12.
export function monthOf(date) {
  const [y, m] = date.split('-').map(Number)
  return { y, m }
}

export function addMonths({ y, m }, n) {
  const i = y * 12 + (m - 1) + n
  return { y: Math.floor(i / 12), m: (i % 12) + 1 }
}

export function compareMonths(a, b) {
  return a.y * 12 + a.m - (b.y * 12 + b.m)
}

export function firstOfMonth({ y, m }) {
  return `${y}-${pad2(m)}-01`
}

export function lastOfMonth({ y, m }) {
  return formatDate(Date.UTC(y, m, 0))
}

// ISO weekday, 1 = Monday .. 7 = Sunday, as Intl.Locale weekInfo counts.
export function isoWeekday(date) {
  const w = new Date(parseDate(date)).getUTCDay()
  return w === 0 ? 7 : w
}

// The local date of an instant in a zone, via Intl.
export function dateInZone(ms, timeZone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hourCycle: 'h23',
  }).formatToParts(ms)
  const get = (t) => parts.find((p) => p.type === t).value
  return `${get('year')}-${get('month')}-${get('day')}`
}

// The engine wants whole-minute UTC instants.
export function instantString(ms) {
  return new Date(ms).toISOString().slice(0, 17) + '00Z'
}

const cache = new Map()
function fmt(locale, options) {
  const key = locale + JSON.stringify(options)
  let f = cache.get(key)
  if (!f) {
    f = new Intl.DateTimeFormat(locale, options)
    cache.set(key, f)
  }
  return f
}

// Plain dates and wall times are formatted as if in UTC, so Intl adds no shift.
export function formatLocalDate(locale, date, style = 'long') {
  const opts = style === 'long'
    ? { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }
    : { weekday: 'long', day: 'numeric', month: 'long', timeZone: 'UTC' }
  return fmt(locale, opts).format(parseDate(date))
}

export function formatMonth(locale, month) {
  return fmt(locale, { month: 'long', year: 'numeric', timeZone: 'UTC' }).format(Date.UTC(month.y, month.m - 1, 1))
}

// 24-hour clocks read best as 08:00 in a list of times; 12-hour ones as 8:00 AM.
function hourStyle(locale, hourCycle) {
  const cycle = hourCycle || fmt(locale, { hour: 'numeric' }).resolvedOptions().hourCycle
  const opts = { hour: cycle === 'h23' || cycle === 'h24' ? '2-digit' : 'numeric', minute: '2-digit' }
  if (hourCycle) opts.hourCycle = hourCycle
  return opts
}

export function formatWallTime(locale, hhmm, hourCycle) {
  const [h, m] = hhmm.split(':').map(Number)
  return fmt(locale, { ...hourStyle(locale, hourCycle), timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, h, m))
}

export function formatInstant(locale, ms, timeZone, hourCycle) {
  const opts = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', ...hourStyle(locale, hourCycle), timeZone }
  return fmt(locale, opts).format(ms)
}

export function weekdayNames(locale, firstDay) {
  // 2024-01-01 was a Monday.
  const names = []
  for (let i = 0; i < 7; i++) {
    const iso = ((firstDay - 1 + i) % 7) + 1
    const ms = Date.UTC(2024, 0, iso)
    names.push({
      short: fmt(locale, { weekday: 'narrow', timeZone: 'UTC' }).format(ms),
      abbr: fmt(locale, { weekday: 'short', timeZone: 'UTC' }).format(ms),
      long: fmt(locale, { weekday: 'long', timeZone: 'UTC' }).format(ms),
    })
  }
  return names
}

export function zoneLabel(locale, timeZone, ms = Date.now()) {
  try {
    const parts = fmt(locale, { timeZone, timeZoneName: 'longGeneric' }).formatToParts(ms)
    const name = parts.find((p) => p.type === 'timeZoneName')?.value
    const offset = fmt(locale, { timeZone, timeZoneName: 'shortOffset' }).formatToParts(ms)
      .find((p) => p.type === 'timeZoneName')?.value
    return { name: name || timeZone, offset: offset || '' }
  } catch {
    // A zone the engine knows but this browser's Intl does not.
    return { name: timeZone, offset: '' }
  }
}

export function browserTimeZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

export function firstDayOfWeek(locale) {
  try {
    const loc = new Intl.Locale(locale)
    const info = loc.getWeekInfo?.() ?? loc.weekInfo
    if (info && info.firstDay) return info.firstDay
  } catch { /* fall through */ }
  return 1
}
