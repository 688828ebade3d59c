// The confirmation screen's content, without the DOM: the rows of a booking
// (times in both zones with offsets where a time is ambiguous, price, place,
// status, who cancelled and why, a refund only for money taken). `ctx` is
// { t, locale, hourCycle, zone, snapshot }.
import { formatInstant, zoneLabel } from '../dates.js'
import { cancelledByKey, refundStatusKey, refundToShow } from '../flow.js'
import { offsetText, rangeNeedsOffsets } from '../wallclock.js'

// Start-end of a booking in a zone: "Sunday, October 31, 2027 at 2:00 AM GMT+2–2:30 AM GMT+2",
// or with the zone's name when neither end is ambiguous.
export function timeRange(ctx, startMs, endMs, zone) {
  const both = rangeNeedsOffsets(zone, startMs, endMs)
  const end = new Intl.DateTimeFormat(ctx.locale, { hour: 'numeric', minute: '2-digit', hourCycle: ctx.hourCycle, timeZone: zone }).format(endMs)
  const off = (ms) => (both ? ` ${offsetText(ctx.locale, zone, ms)}` : '')
  const label = both ? '' : ` (${zoneLabel(ctx.locale, zone, startMs).name})`
  return `${formatInstant(ctx.locale, startMs, zone, ctx.hourCycle)}${off(startMs)}–${end}${off(endMs)}${label}`
}

export function confirmationRows(ctx, booking) {
  const { t } = ctx
  const status = String(booking.status || '').toUpperCase()
  const providerZone = ctx.snapshot?.provider?.time_zone
  const start = Date.parse(booking.start)
  const end = Date.parse(booking.end) || start
  const service = (ctx.snapshot?.services || []).find((x) => x.id === booking.service)
  const price = booking.price || service?.price
  const address = ctx.snapshot?.provider?.address
  const by = status === 'CANCELLED' ? cancelledByKey(booking.cancelled_by) : null
  const rows = [
    service?.name ? [t('service'), service.name] : null,
    [t('yourTime'), timeRange(ctx, start, end, ctx.zone)],
    providerZone && providerZone !== ctx.zone ? [t('providerTime'), timeRange(ctx, start, end, providerZone)] : null,
    price && Number.isFinite(price.amount) && price.amount > 0 && price.currency ? [t('price'), formatMoney(ctx.locale, price.amount, price.currency)] : null,
    booking.meeting_link || service?.virtual ? [t('whereOnline'), booking.meeting_link || t('online')] : address ? [t('address'), address] : null,
    [t('statusLabel'), statusText(t, status)],
    by ? [t('cancelledBy'), t(by)] : null,
    by && booking.cancellation_reason ? [t('reasonLabel'), booking.cancellation_reason] : null,
  ].filter(Boolean)
  // Only money that was taken can be refunded.
  const refund = refundToShow(booking)
  if (refund != null) {
    const state = refundStatusKey(refund.status)
    rows.push([t('refund', { amount: '' }).replace(/[:：]\s*$/, ''), formatRefund(ctx.locale, refund, service) + (state ? ` · ${t(state)}` : '')])
  }
  return rows
}

export function statusText(t, status) {
  if (status === 'CONFIRMED') return t('statusConfirmed')
  if (status === 'PENDING') return t('statusPending')
  if (status === 'CANCELLED') return t('statusCancelled')
  return t('statusOther', { status: status.toLowerCase().replaceAll('_', ' ') })
}

export function formatMoney(locale, minor, currency) {
  try {
    const f = new Intl.NumberFormat(locale, { style: 'currency', currency })
    const digits = f.resolvedOptions().maximumFractionDigits
    return f.format(minor / 10 ** digits)
  } catch {
    return `${minor} ${currency}`
  }
}

function formatRefund(locale, refund, service) {
  if (typeof refund === 'number') return service?.price?.currency ? formatMoney(locale, refund, service.price.currency) : String(refund)
  if (refund && typeof refund === 'object') {
    const amount = refund.amount ?? refund.amount_minor ?? refund.refund
    const currency = refund.currency || service?.price?.currency
    if (Number.isFinite(amount) && currency) return formatMoney(locale, amount, currency)
    if (Number.isFinite(amount)) return String(amount)
  }
  return String(refund)
}
