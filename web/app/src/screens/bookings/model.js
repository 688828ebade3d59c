// The bookings screen's rules, free of the DOM (unit-tested in Node):
// which bookings a tab shows, which actions a booking offers, what an
// action means for the client's money, the week grid in the provider's
// zone, and the CSV export.
import { addDays, dateInZone, isoWeekday } from '../../../../src/dates.js'

export const TABS = ['upcoming', 'pending', 'past', 'cancelled']
const ENDED = new Set(['CANCELLED', 'DECLINED', 'EXPIRED'])
const ACTIVE = new Set(['HELD', 'PENDING', 'CONFIRMED'])

// The screen's state as the address bar holds it, so that Back and a
// shared link restore it. Unknown values fall back to the defaults.
export function readQuery (query) {
  const tab = query.get('tab')
  const view = query.get('view')
  const week = query.get('week')
  return {
    tab: TABS.includes(tab) ? tab : 'upcoming',
    view: view === 'week' ? 'week' : 'list',
    q: (query.get('q') || '').trim(),
    week: /^\d{4}-\d\d-\d\d$/.test(week || '') ? week : null,
  }
}

export function queryString (state) {
  const p = new URLSearchParams()
  if (state.tab && state.tab !== 'upcoming') p.set('tab', state.tab)
  if (state.view === 'week') p.set('view', 'week')
  if (state.week && state.view === 'week') p.set('week', state.week)
  if (state.q) p.set('q', state.q)
  const s = p.toString()
  return s ? `?${s}` : ''
}

// The dates to ask the server for (GET .../bookings takes at most 366 days),
// in the provider's zone: a year back for the past, a year ahead otherwise;
// the week view asks for its week.
export function fetchRange (state, today) {
  if (state.view === 'week') {
    const start = weekStart(state.week || today)
    return { from: start, to: addDays(start, 6) }
  }
  if (state.tab === 'past') return { from: addDays(today, -365), to: today }
  if (state.tab === 'cancelled') return { from: addDays(today, -182), to: addDays(today, 183) }
  return { from: today, to: addDays(today, 365) }
}

export function matchesClient (booking, q) {
  if (!q) return true
  const needle = q.toLocaleLowerCase()
  return [booking.client?.name, booking.client?.email].some((s) => (s || '').toLocaleLowerCase().includes(needle))
}

// The bookings a tab shows at `now` (ms), searched by client, in the order
// that tab is read: what comes next first; the past most recent first.
export function filterBookings (bookings, { tab, q }, now) {
  const started = (b) => Date.parse(b.start) <= now
  const keep = {
    upcoming: (b) => ACTIVE.has(b.status) && !started(b),
    pending: (b) => b.status === 'PENDING' && !started(b),
    past: (b) => started(b) && !ENDED.has(b.status),
    cancelled: (b) => ENDED.has(b.status),
  }[tab] || (() => true)
  const out = bookings.filter((b) => keep(b) && matchesClient(b, q))
  const newestFirst = tab === 'past' || tab === 'cancelled'
  return out.sort((a, b) => (Date.parse(a.start) - Date.parse(b.start)) * (newestFirst ? -1 : 1) || (a.id < b.id ? -1 : 1))
}

// The provider's actions the transition table allows now (api.md part 2):
// a request is confirmed or declined; a confirmed booking is cancelled
// before it starts and marked completed or no-show once it has started.
export function actionsFor (booking, now) {
  const started = Date.parse(booking.start) <= now
  if (booking.status === 'PENDING') return started ? [] : ['confirm', 'decline']
  if (booking.status === 'CONFIRMED') return started ? ['complete', 'no_show'] : ['cancel']
  return []
}

// The path segment of each action's endpoint.
export const actionPath = { confirm: 'confirm', decline: 'decline', cancel: 'cancel', complete: 'complete', no_show: 'no-show' }
export const needsReason = (action) => action === 'decline' || action === 'cancel'

// What an action means for the client's money (engine.md "Cancellation
// refund"): a cancellation or decline by the provider refunds everything
// that was paid, a no-show nothing. Money counts only as the booking's
// `payment` object says Stripe took it (what was received, less refunds
// already made or on their way); without one, or with nothing received, no
// money moves whatever the policy says. null: the action does not touch money.
export function refundOutcome (booking, action) {
  if (!['cancel', 'decline', 'no_show'].includes(action)) return null
  const price = booking.price && booking.price.amount > 0 ? booking.price : null
  const percent = action === 'no_show' ? 0 : 100
  const held = refundable(booking.payment)
  const paid = held > 0
  const money = (amount, currency) => ({ amount, currency })
  const out = {
    percent,
    price,
    paid,
    refund: paid ? money(Math.round(held * percent / 100), booking.payment.currency)
      : price ? money(Math.round(price.amount * percent / 100), price.currency) : null,
  }
  if (paid) out.received = money(held, booking.payment.currency)
  return out
}

// What Stripe took and still holds for the client: received, less refunds
// that succeeded or are asked for and not yet failed.
export function refundable (payment) {
  if (!payment) return 0
  const open = (payment.refunds || []).filter((r) => r.status === 'requested' || r.status === 'pending').reduce((n, r) => n + r.amount, 0)
  return Math.max(0, (payment.amount_received || 0) - (payment.refunded_amount || 0) - open)
}

// The booking's payment in one word for the list (null: no payment):
// refunds first (the latest news for the client's money), then what was
// paid, then what is still awaited. `amount` is minor units in `currency`.
export function paymentState (booking) {
  const p = booking.payment
  if (!p) return null
  const currency = p.currency
  const received = p.amount_received || 0
  const refunds = p.refunds || []
  const sum = (list) => list.reduce((n, r) => n + r.amount, 0)
  const failed = refunds.filter((r) => r.status === 'failed')
  const open = refunds.filter((r) => r.status === 'requested' || r.status === 'pending')
  if (open.length) return { key: 'refund_pending', amount: sum(open), currency }
  if (failed.length && (p.refunded_amount || 0) < received) return { key: 'refund_failed', amount: sum(failed), currency }
  if (received > 0 && (p.refunded_amount || 0) >= received) return { key: 'refunded', amount: p.refunded_amount, currency }
  if ((p.refunded_amount || 0) > 0) return { key: 'partly_refunded', amount: p.refunded_amount, of: received, currency }
  if (p.status === 'succeeded' || received > 0) return { key: p.mode === 'deposit' ? 'deposit_paid' : 'paid', amount: received, currency }
  if (p.status === 'processing') return { key: 'processing', amount: p.amount, currency }
  if (booking.status === 'HELD' && ['creating', 'requires_payment_method'].includes(p.status)) return { key: 'awaiting', amount: p.amount, currency, until: p.expires_at }
  return { key: 'unpaid', amount: p.amount, currency }
}

// The Monday of the week holding `date` (weeks as ISO 8601 counts them).
export function weekStart (date) {
  return addDays(date, 1 - isoWeekday(date))
}

// Seven days from the Monday of `date`, each with its bookings in the
// provider's zone, by start.
export function weekDays (bookings, date, zone) {
  const first = weekStart(date)
  const days = Array.from({ length: 7 }, (_, i) => ({ date: addDays(first, i), bookings: [] }))
  const byDate = new Map(days.map((d) => [d.date, d]))
  for (const b of [...bookings].sort((x, y) => Date.parse(x.start) - Date.parse(y.start))) {
    byDate.get(dateInZone(Date.parse(b.start), zone))?.bookings.push(b)
  }
  return days
}

// The client's zone when it differs from the provider's in effect at that
// instant (same offset and name: nothing to add).
export function clientZone (booking, providerZone) {
  const zone = booking.time_zone
  if (!zone || zone === providerZone) return null
  try {
    const at = Date.parse(booking.start)
    const offset = (z) => new Intl.DateTimeFormat('en-US', { timeZone: z, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value
    return offset(zone) === offset(providerZone) ? null : zone
  } catch {
    return zone
  }
}

// ---- CSV (RFC 4180) ----------------------------------------------------------

// A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage
// return, which some strip first) as a formula: such cells get a leading
// apostrophe (OWASP "CSV Injection").
export function safeCell (value) {
  const s = value == null ? '' : String(value)
  return /^[=+\-@\t\r]/.test(s) ? `'${s}` : s
}

// RFC 4180: fields holding a comma, quote or line break are quoted, quotes doubled.
export function csvField (value) {
  const s = safeCell(value)
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

export function csvLine (fields) {
  return fields.map(csvField).join(',') + '\r\n'
}

// Wall time in a zone as "YYYY-MM-DD HH:mm" (sortable, any spreadsheet reads it).
export function wallTime (instant, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(Date.parse(instant))
  const get = (t) => parts.find((p) => p.type === t).value
  return `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}`
}

// Minor units as a decimal string, by the currency's digits.
export function decimalAmount (price) {
  if (!price) return ''
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: price.currency }).resolvedOptions().maximumFractionDigits
  return digits ? (price.amount / 10 ** digits).toFixed(digits) : String(price.amount)
}

export const CSV_COLUMNS = ['id', 'start', 'end', 'time_zone', 'status', 'service', 'client_name', 'client_email',
  'client_phone', 'client_time_zone', 'price', 'currency', 'cancelled_by', 'cancellation_reason', 'notes', 'created_at']

// The bookings shown, as a CSV file: times as wall times in the provider's zone (named in a column).
export function bookingsCsv (bookings, zone) {
  let out = csvLine(CSV_COLUMNS)
  for (const b of bookings) {
    out += csvLine([b.id, wallTime(b.start, zone), wallTime(b.end, zone), zone, b.status, b.service, b.client?.name,
      b.client?.email, b.client?.phone, b.time_zone, decimalAmount(b.price), b.price?.currency, b.cancelled_by,
      b.cancellation_reason, b.notes, b.created_at])
  }
  return out
}
