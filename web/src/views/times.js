// The free times of a chosen day: one button per time, the UTC offset beside
// every time of a day with two offsets (wallclock.js), so a repeated wall
// time is never two identical buttons. `ctx` is { locale, zone, hourCycle }.
import { h } from '../dom.js'
import { formatWallTime } from '../dates.js'
import { slotOffsetLabels } from '../wallclock.js'

// Text of each time button, for the view and for tests: { start, time, offset }.
export function timeLabels({ locale, zone, hourCycle }, slots) {
  const offsets = slotOffsetLabels(locale, zone, slots)
  return slots.map((slot, i) => ({ start: slot.start, time: formatWallTime(locale, slot.local_start, hourCycle), offset: offsets[i] }))
}

export function timeList(ctx, slots, choose) {
  const labels = timeLabels(ctx, slots)
  return h('ul', { class: 'slots', 'aria-labelledby': 'times-heading' }, slots.map((slot, i) =>
    h('li', null, h('button', { type: 'button', class: 'slot', dataset: { start: slot.start }, onclick: () => choose(slot) },
      h('span', { class: 'time', text: labels[i].time }),
      labels[i].offset ? [' ', h('span', { class: 'offset', text: labels[i].offset })] : null))))
}
