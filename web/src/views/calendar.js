// The month grid of the calendar screen (a WAI-ARIA grid: one tab stop,
// each day labelled with its full date and number of free times; the
// current booking's day marked during a reschedule). Keys are handled by
// the element with a11y.js's gridKeyTarget. `ctx` is { t, locale, weekStart, plural }.
import { h } from '../dom.js'
import { addDays, firstOfMonth, formatLocalDate, isoWeekday, lastOfMonth, weekdayNames } from '../dates.js'

const numberFormats = new Map()
function numberFormat(locale) {
  let nf = numberFormats.get(locale)
  if (!nf) numberFormats.set(locale, (nf = new Intl.NumberFormat(locale)))
  return nf
}

export function countText(t, plural, count, locale) {
  if (!count) return t('noFreeTimes')
  if (plural.select(count) === 'one') return t('freeTimesOne')
  return t('freeTimesOther', { n: numberFormat(locale).format(count) })
}

// [thead, tbody] of a month: `counts(date)` is the number of free times.
export function monthGrid({ t, locale, weekStart, plural }, { month, counts, today, selected, tabDate, currentDate }) {
  const names = weekdayNames(locale, weekStart)
  const numbers = numberFormat(locale)
  const first = firstOfMonth(month)
  const last = lastOfMonth(month)
  const lead = (isoWeekday(first) - weekStart + 7) % 7
  const head = h('thead', null, h('tr', { role: 'row' }, names.map((n) =>
    h('th', { role: 'columnheader', scope: 'col', abbr: n.long }, h('span', { 'aria-hidden': 'true', text: n.abbr.length <= 3 ? n.abbr : n.short }), h('span', { class: 'sr-only', text: n.long })))))
  const bodyRows = []
  let row = []
  for (let i = 0; i < lead; i++) row.push(h('td', { role: 'gridcell' }))
  for (let date = first; date <= last; date = addDays(date, 1)) {
    const count = counts(date)
    const bookable = count > 0
    const label = `${formatLocalDate(locale, date)}, ${countText(t, plural, count, locale)}`
    const isCurrent = currentDate === date
    const btn = h('button', {
      type: 'button', class: 'day' + (bookable ? ' free' : '') + (date === today ? ' today' : '') + (isCurrent ? ' current' : ''),
      tabindex: date === tabDate ? '0' : '-1', 'aria-label': isCurrent ? `${label}. ${t('manageTitle')}` : label, dataset: { date },
      'aria-disabled': bookable ? null : 'true', 'aria-current': date === today ? 'date' : null,
      text: numbers.format(Number(date.slice(8))),
    })
    row.push(h('td', { role: 'gridcell', 'aria-selected': date === selected ? 'true' : 'false' }, btn))
    if (row.length === 7) {
      bodyRows.push(h('tr', { role: 'row' }, row))
      row = []
    }
  }
  if (row.length) {
    while (row.length < 7) row.push(h('td', { role: 'gridcell' }))
    bodyRows.push(h('tr', { role: 'row' }, row))
  }
  return [head, h('tbody', null, bodyRows)]
}
