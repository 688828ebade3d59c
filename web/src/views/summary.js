// The chosen time as the form, code and reschedule screens show it (offsets
// beside a wall time that occurs twice), and the booking being rescheduled.
import { h } from '../dom.js'
import { formatLocalDate, formatWallTime, zoneLabel } from '../dates.js'
import { offsetText, rangeNeedsOffsets } from '../wallclock.js'
import { timeRange } from './confirmation.js'

// Start and end of a booking in a zone, with offsets where a time is ambiguous.
export function viewContext(s) {
  return { t: s.t, locale: s.cfg.locale, hourCycle: s.hourCycle, zone: s.zone, snapshot: s.snapshot }
}

function slotSummary(s, slot) {
  const { cfg } = s
  const start = Date.parse(slot.start)
  const end = Date.parse(slot.end)
  const both = rangeNeedsOffsets(s.zone, start, end)
  const at = (hhmm, ms) => formatWallTime(cfg.locale, hhmm, s.hourCycle) + (both ? ` ${offsetText(cfg.locale, s.zone, ms)}` : '')
  return `${formatLocalDate(cfg.locale, slot.local_date)}, ${at(slot.local_start, start)}–${at(slot.local_end, end)}`
}

export function summaryBox(s, slot, change) {
  return h('div', { class: 'summary' },
    h('div', null, h('span', { class: 'muted', text: s.t('selectedTime') }), h('strong', { text: slotSummary(s, slot) }),
      h('span', { class: 'muted', text: zoneLabel(s.cfg.locale, s.zone, Date.parse(slot.start)).name })),
    change)
}

export function currentBookingNote(s, keep) {
  const b = s.reschedule.booking
  return h('div', { class: 'current-booking' },
    h('p', { text: s.t('currentBooking', { time: timeRange(viewContext(s), Date.parse(b.start), Date.parse(b.end), s.zone) }) }),
    h('button', { type: 'button', class: 'btn plain', text: s.t('keepCurrentTime'), onclick: keep }))
}

// A reschedule's last step: the new time and the button `go` that moves the booking there.
export function rescheduleConfirmView(s, go, change) {
  const heading = h('h3', { tabindex: '-1', text: s.t('rescheduleTitle') })
  return h('div', { class: 'stack' }, heading, summaryBox(s, s.slot, change), h('div', { class: 'actions' }, go))
}
