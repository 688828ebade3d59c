// The options of one run of <slotwise-booking>, read from its attributes
// (options.js lists them) with the defaults the README gives, and a booking
// to manage named by the page's address.
import { firstDayOfWeek } from './dates.js'
import { safeLocale } from './i18n.js'

export function configOf(el, assetBase) {
  const a = (n) => el.getAttribute(n)
  const locale = a('locale') || navigator.language || 'en'
  const weekStartAttr = a('week-start')
  const weekdays = { mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6, sun: 7 }
  let weekStart = weekdays[String(weekStartAttr).toLowerCase()] || Number(weekStartAttr)
  if (!(weekStart >= 1 && weekStart <= 7)) weekStart = firstDayOfWeek(locale)
  return {
    provider: a('provider') || '',
    service: a('service') || '',
    locale: safeLocale(locale).toString(),
    timeZone: a('time-zone') || '',
    mode: a('mode') === 'popup' ? 'popup' : 'inline',
    hideDetails: el.hasAttribute('hide-details') && a('hide-details') !== 'false',
    weekStart,
    name: a('name') || '',
    email: a('email') || '',
    duration: Number(a('duration')) || null,
    api: a('api') || new URL('/', assetBase).href,
    bookingId: a('booking-id') || '',
    manageToken: a('manage-token') || '',
    buttonLabel: a('button-label') || '',
  }
}

// The locale's own clock unless the host asks for one: passing the locale's
// default explicitly would change its pattern (8:00 vs 08:00).
export function hourCycleOf(el) {
  const value = el.getAttribute('hour-cycle')
  return ['h12', 'h23'].includes(value) ? value : undefined
}

export function manageFromUrl() {
  try {
    const params = new URLSearchParams(location.hash.slice(1))
    const id = params.get('slotwise-booking')
    const token = params.get('slotwise-token')
    return id && token ? { id, token, fromUrl: true } : null
  } catch {
    return null
  }
}

// The link in the confirmation that opens this booking again (manage-url, or this page).
export function manageUrlOf(el, booking) {
  const base = el.getAttribute('manage-url') || location.href.split('#')[0]
  const params = new URLSearchParams({ 'slotwise-booking': booking.id, 'slotwise-token': booking.manage_token })
  return `${base}#${params}`
}

// The booking's token leaves the address bar and the history once read.
export function forgetManageLink() {
  try {
    history.replaceState(history.state, '', location.href.split('#')[0])
  } catch { /* a sandboxed page */ }
}

// The first popup widget of a page without inline ones.
export function isFirstOfPopupsOnly(el) {
  const inline = [...document.querySelectorAll(el.localName)].some((other) => other.getAttribute('mode') !== 'popup')
  return !inline && document.querySelector(`${el.localName}[mode="popup"]`) === el
}
