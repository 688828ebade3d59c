// The snapshot range a widget asks for first, shared by widget.js (which
// starts the request early) and the widget (which takes it over): the
// viewer's current and next month, with two provider-local days of margin on
// each side (UTC offsets span -12..+14 hours, at most two dates apart).
import { addDays, addMonths, browserTimeZone, dateInZone, firstOfMonth, lastOfMonth, monthOf } from './dates.js'

export const RANGE_MARGIN_DAYS = 2

export function initialRange(timeZone, now = Date.now()) {
  let zone = timeZone || browserTimeZone()
  let today
  try {
    today = dateInZone(now, zone)
  } catch {
    today = dateInZone(now, 'UTC')
  }
  const month = monthOf(today)
  return { from: addDays(firstOfMonth(month), -RANGE_MARGIN_DAYS), to: addDays(lastOfMonth(addMonths(month, 1)), RANGE_MARGIN_DAYS) }
}

export function snapshotUrl(apiBase, provider, { from, to }) {
  const u = new URL(`/v1/providers/${encodeURIComponent(provider)}/snapshot`, apiBase)
  u.searchParams.set('from', from)
  u.searchParams.set('to', to)
  return u.href
}
