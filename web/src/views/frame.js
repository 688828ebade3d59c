// The calendar screen around the month grid: the provider and service
// header, the service, duration and zone choices, the month navigation, the
// times column and the zone note. It reads the run's state (booking_state.js)
// and hands every choice to the element through `on`; the element keeps the
// nodes it updates later (`ui`).
import { h, icon } from '../dom.js'
import { activeServices, pluralOf } from '../booking_state.js'
import { browserTimeZone, compareMonths, dateInZone, firstOfMonth, formatLocalDate, formatMonth, lastOfMonth, zoneLabel } from '../dates.js'
import { dayOffsets } from '../wallclock.js'
import { loadZonePicker } from '../zone-picker/load.js'
import { monthGrid } from './calendar.js'
import { formatMoney } from './confirmation.js'
import { currentBookingNote } from './summary.js'
import { timeList } from './times.js'

export function serviceHeader(s) {
  if (s.cfg.hideDetails) return null
  const p = s.snapshot.provider || {}
  const svc = s.service
  const facts = []
  if (svc.name) facts.push(svc.name)
  if (svc.price && Number.isFinite(svc.price.amount) && svc.price.currency) facts.push(formatMoney(s.cfg.locale, svc.price.amount, svc.price.currency))
  if (svc.virtual === true) facts.push(s.t('online'))
  else if (svc.virtual === false) facts.push(s.t('inPerson'))
  return h('div', { class: 'head' },
    p.photo_url ? h('img', { src: p.photo_url, alt: '', width: 48, height: 48 }) : null,
    h('div', null,
      h('h2', { dir: s.reschedule ? null : 'auto', text: s.reschedule ? s.t('rescheduleTitle') : (p.name || s.t('title')) }),
      // Provider text keeps its own direction: an English bio on an Arabic page ends with its full stop on the right.
      p.bio && !s.reschedule ? h('p', { class: 'bio', dir: 'auto', text: p.bio }) : null,
      facts.length ? h('ul', { class: 'facts' }, facts.map((f) => h('li', { text: f }))) : null))
}

export function calendarFrame(s, on) {
  const t = s.t
  const choices = h('div', { class: 'choices' })
  const services = activeServices(s)
  if (!s.cfg.service && !s.reschedule && services.length > 1) {
    const sel = h('select', { id: 'service', name: 'service' },
      services.map((x) => h('option', { value: x.id, text: x.name || x.id, selected: x.id === s.service.id })))
    sel.addEventListener('change', () => on.service(sel.value))
    choices.append(h('div', { class: 'field grow' }, h('label', { for: 'service', text: t('service') }), sel))
  }
  const durations = s.service.durations || []
  if (durations.length > 1 && !s.reschedule) {
    const minutes = new Intl.NumberFormat(s.cfg.locale, { style: 'unit', unit: 'minute', unitDisplay: 'short' })
    choices.append(h('fieldset', { class: 'field' }, h('legend', { text: t('duration') }),
      h('div', { class: 'segments' }, durations.map((d) => {
        const input = h('input', { type: 'radio', name: 'duration', value: String(d), checked: d === s.duration })
        input.addEventListener('change', () => {
          if (input.checked) on.duration(d)
        })
        return h('label', null, input, h('span', { text: minutes.format(d) }))
      }))))
  }
  // The zone picker (zone-picker/, a lazily loaded chunk): search by city,
  // country or common name in the visitor's language, offsets shown. It
  // upgrades in place once its chunk has loaded (at once, in parallel with
  // the calendar's first render).
  const picker = h('slotwise-zone-picker', { id: 'zone', value: s.zone, locale: s.cfg.locale, detected: browserTimeZone(), label: t('timeZone') })
  picker.addEventListener('change', (e) => on.zone(e.detail.zone))
  // Only zones this engine knows: a browser's newer tzdata must not offer one it refuses.
  loadZonePicker().then(() => {
    if (!s.dead && s.engine) picker.supportedZones = on.zones()
  }, () => {})
    choices.append(h('div', { class: 'field grow zone-field' }, picker))

  const monthLabel = h('h3', { id: 'month-label', 'aria-live': 'polite' })
  const prev = h('button', { type: 'button', class: 'icon flip', 'aria-label': t('prevMonth'), onclick: () => on.month(-1) }, icon('prev'))
  const next = h('button', { type: 'button', class: 'icon flip', 'aria-label': t('nextMonth'), onclick: () => on.month(1) }, icon('next'))
  const grid = h('table', { role: 'grid', 'aria-labelledby': 'month-label' })
  grid.addEventListener('keydown', on.gridKey)
  grid.addEventListener('click', (e) => {
    const btn = e.target.closest('button.day')
    if (btn) on.day(btn.dataset.date)
  })
  const calendar = h('section', { class: 'calendar', 'aria-labelledby': 'month-label', 'aria-busy': 'true' },
    h('div', { class: 'month-nav' }, prev, monthLabel, next), grid)
  const timesHeading = h('h3', { id: 'times-heading', tabindex: '-1' })
  const times = h('section', { class: 'times', 'aria-labelledby': 'times-heading' }, timesHeading, h('div', { class: 'times-body' }))
  const zoneNote = h('p', { class: 'zone-note' })
  return {
    ui: { zoneSelect: picker, calendar, grid, monthLabel, prev, next, times, timesHeading, zoneNote },
    nodes: [serviceHeader(s), choices, h('div', { class: 'layout' }, h('div', null, calendar, zoneNote), times)].filter(Boolean),
  }
}

// The month's grid, navigation and zone note; the focus on `focusDate` if given.
export function fillMonth(s, focusDate) {
  const { t, cfg } = s
  const month = s.month
  s.ui.monthLabel.textContent = formatMonth(cfg.locale, month)
  s.ui.prev.disabled = compareMonths(month, s.minMonth) <= 0
  s.ui.next.disabled = compareMonths(month, s.maxMonth) >= 0
  const first = firstOfMonth(month)
  const last = lastOfMonth(month)
  // One tab stop: the selected date, else the first free one, else the 1st.
  const tabDate = (focusDate && focusDate >= first && focusDate <= last && focusDate)
    || (s.date && s.byDate.has(s.date) && s.date) || [...s.byDate.keys()][0]
    || (s.today >= first && s.today <= last ? s.today : first)
  const currentDate = s.reschedule ? dateInZone(Date.parse(s.reschedule.booking.start), s.zone) : null
  s.ui.grid.replaceChildren(...monthGrid({ t, locale: cfg.locale, weekStart: cfg.weekStart, plural: pluralOf(s) },
    { month, counts: (date) => s.byDate.get(date)?.length || 0, today: s.today, selected: s.date, tabDate, currentDate }))
  s.ui.zoneNote.textContent = zoneNoteText(s)
  if (focusDate) s.ui.grid.querySelector(`[data-date="${tabDate}"]`)?.focus()
}

// The grid's one tab stop moves to `date` (in the shown month).
export function focusDay(s, date) {
  const old = s.ui.grid.querySelector('[tabindex="0"]')
  const next = s.ui.grid.querySelector(`[data-date="${date}"]`)
  if (old) old.tabIndex = -1
  next.tabIndex = 0
  next.focus()
}

export function markSelected(s, date) {
  for (const cell of s.ui.grid.querySelectorAll('td[aria-selected]')) {
    const b = cell.querySelector('button')
    cell.setAttribute('aria-selected', b && b.dataset.date === date ? 'true' : 'false')
    if (b) b.tabIndex = b.dataset.date === date ? 0 : -1
  }
}

// The zone's name and offset as of the chosen day (or mid-month), not
// today: a month after a DST change must not show last season's offset.
export function zoneNoteText(s) {
  const { t, cfg } = s
  const first = s.date && s.byDate.get(s.date)?.[0]
  const at = first ? Date.parse(first.start) : Date.UTC(s.month.y, s.month.m - 1, 15, 12)
  const zl = zoneLabel(cfg.locale, s.zone, at)
  // A day with two offsets names both, in the order they apply.
  const day = s.date && s.byDate.get(s.date)
  const offsets = day ? dayOffsets(cfg.locale, s.zone, day) : []
  const offset = offsets.length > 1 ? offsets.join(' / ') : zl.offset
  return t('timesShownIn', { zone: `${zl.name}${offset ? ` (${offset})` : ''}` })
}

export function fillTimes(s, on) {
  const { t, cfg } = s
  const body = s.ui.times.querySelector('.times-body')
  const list = s.date ? s.byDate.get(s.date) : null
  if (!list || !list.length) {
    s.ui.timesHeading.textContent = formatMonth(cfg.locale, s.month)
    if (s.byDate.size === 0) {
      const nextBtn = compareMonths(s.month, s.maxMonth) < 0
        ? h('button', { type: 'button', class: 'btn secondary', text: t('nextFree'), onclick: on.nextFree })
        : null
      body.replaceChildren(h('p', { class: 'empty', text: t('noTimesMonth', { month: formatMonth(cfg.locale, s.month) }) }), nextBtn ? h('p', null, nextBtn) : null)
    } else {
      body.replaceChildren(...[s.reschedule ? currentBookingNote(s, on.keepCurrent) : null, h('p', { class: 'empty', text: t('chooseDay') })].filter(Boolean))
    }
    return
  }
  s.ui.timesHeading.textContent = t('timesOn', { date: formatLocalDate(cfg.locale, s.date, 'short') })
  const current = s.reschedule ? currentBookingNote(s, on.keepCurrent) : null
  const list_ = timeList({ locale: cfg.locale, zone: s.zone, hourCycle: s.hourCycle }, list, on.choose)
  body.replaceChildren(...[current, list_].filter(Boolean))
}
