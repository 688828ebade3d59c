// The snapshot range a widget asks for first, shared by widget.js (which
// starts the request early) and the widget (which takes it over): the
// viewer's current and next month, with two provider-local days of margin on
// each side (UTC offsets span -12..+14 hours, at most two dates apart).
// The browser's own date is used, not Intl in the chosen zone: the margin
// covers any zone's date, and the first Intl formatter with a time zone costs
// tens of milliseconds that would otherwise delay the first request.
import { addDays, addMonths, firstOfMonth, lastOfMonth } from './dates.js'

export const RANGE_MARGIN_DAYS = 2
// The longest range the server's snapshot answers (server-stub catalog.cpp,
// RANGE_TOO_LARGE beyond it): the one place the widget learns it from.
export const MAX_RANGE_DAYS = 366

export function initialRange(now = Date.now()) {
  const d = new Date(now)
  const month = { y: d.getFullYear(), m: d.getMonth() + 1 }
  return { from: addDays(firstOfMonth(month), -RANGE_MARGIN_DAYS), to: addDays(lastOfMonth(addMonths(month, 1)), RANGE_MARGIN_DAYS) }
}

export function snapshotUrl(apiBase, provider, { from, to }) {
  const u = new URL(`/v1/providers/${encodeURIComponent(provider)}/snapshot`, apiBase)
  u.searchParams.set('from', from)
  u.searchParams.set('to', to)
  return u.href
}
