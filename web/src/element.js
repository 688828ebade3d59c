// <slotwise-booking>: the booking widget. Its attributes are its API; it
// renders into a Shadow root styled by constructable stylesheets only, talks
// to the host page through bubbling, composed `slotwise:*` events, and keeps
// no cookies and no storage.
import css from './styles.css'
import { h } from './dom.js'
import { translator, directionOf, safeLocale, loadStrings } from './i18n.js'
import { accessibleBrand } from './colour.js'
import { createApi, IdempotencyKeys } from './api.js'
import { loadEngine } from './engine.js'
import { ATTRIBUTES, liveOf } from './options.js'
import { loadZonePicker } from './zone-picker/load.js'
import { closeOnBackdrop, gridKeyTarget, keepTabInside } from './a11y.js'
import { confirmationRows, formatMoney, timeRange } from './views/confirmation.js'
import { detailsForm, validateDetails } from './views/form.js'
import { timeList } from './views/times.js'
import { codeForm } from './views/verify.js'
import { countText, monthGrid } from './views/calendar.js'
import { manageActions } from './views/manage.js'
import { bookingFailure, historyState, screenFromHistory, verifyFailure } from './flow.js'
import * as state from './booking_state.js'
import * as data from './booking_data.js'
import { dayOffsets, offsetText, rangeNeedsOffsets } from './wallclock.js'
import {
  addMonths, browserTimeZone, compareMonths, dateInZone, firstDayOfWeek, firstOfMonth,
  formatLocalDate, formatMonth, formatWallTime, lastOfMonth, monthOf, zoneLabel,
} from './dates.js'

/* global SLOTWISE_ENGINE_MODULE, SLOTWISE_ENGINE_WASM */
// The widget is a classic script (no CORS needed to load it from the
// Slotwise host on a provider's site); its own URL locates the engine files.
const assetBase = (document.currentScript && document.currentScript.src) || document.baseURI
const engineModuleUrl = () => new URL(SLOTWISE_ENGINE_MODULE, assetBase).href
const engineWasmUrl = () => new URL(SLOTWISE_ENGINE_WASM, assetBase).href
const engineUrls = () => ({ module: engineModuleUrl(), wasm: engineWasmUrl() })

let sharedSheet = null
function baseSheet() {
  if (!sharedSheet) {
    sharedSheet = new CSSStyleSheet()
    sharedSheet.replaceSync(css)
  }
  return sharedSheet
}

const ICON = {
  prev: 'M15 5l-7 7 7 7',
  next: 'M9 5l7 7-7 7',
  close: 'M6 6l12 12M18 6L6 18',
  check: 'M5 12.5l4.5 4.5L19 7',
}
function icon(name) {
  const ns = 'http://www.w3.org/2000/svg'
  const svg = document.createElementNS(ns, 'svg')
  svg.setAttribute('viewBox', '0 0 24 24')
  svg.setAttribute('aria-hidden', 'true')
  svg.setAttribute('focusable', 'false')
  const path = document.createElementNS(ns, 'path')
  path.setAttribute('d', ICON[name])
  svg.append(path)
  return svg
}

const REFRESH_ON_FOCUS_AFTER_MS = 2000
let widgetCount = 0

export class SlotwiseBooking extends HTMLElement {
  static get observedAttributes() {
    return ATTRIBUTES
  }

  #root
  #instanceSheet = new CSSStyleSheet()
  #s = null // state of the current run, rebuilt by #start()
  #listeners = []
  #started = false
  #restartQueued = false
  #pending = new Set()
  #key = `w${++widgetCount}`

  constructor() {
    super()
    this.#root = this.attachShadow({ mode: 'open', delegatesFocus: false })
    this.#root.adoptedStyleSheets = [baseSheet(), this.#instanceSheet]
  }

  connectedCallback() {
    const scheme = matchMedia('(prefers-color-scheme: dark)')
    const onScheme = () => this.#applyTheme()
    scheme.addEventListener('change', onScheme)
    const onFocus = () => this.#refreshOnFocus()
    const onVisible = () => { if (document.visibilityState === 'visible') this.#refreshOnFocus() }
    window.addEventListener('focus', onFocus)
    document.addEventListener('visibilitychange', onVisible)
    const onPop = (e) => this.#onPopState(e)
    window.addEventListener('popstate', onPop)
    this.#listeners = [() => window.removeEventListener('popstate', onPop),() => scheme.removeEventListener('change', onScheme),
      () => window.removeEventListener('focus', onFocus),
      () => document.removeEventListener('visibilitychange', onVisible)]
    this.#start()
  }

  disconnectedCallback() {
    for (const off of this.#listeners) off()
    this.#listeners = []
    this.#teardown()
    this.#started = false
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (!this.#started || oldValue === newValue) return
    if (liveOf(name) === 'theme') {
      this.#applyTheme()
      return
    }
    // A new zone is a new view of the same free times: the visitor's place stays.
    if (name === 'time-zone' && newValue && this.#s?.service) {
      this.setZone(newValue)
      return
    }
    // One batch of attribute changes is applied once: one that changes what
    // is fetched (provider, service, api, booking) starts again; the others
    // re-render the current screen from the state kept (the visitor's day,
    // time and typed details stay).
    this.#pending.add(liveOf(name))
    if (!this.#restartQueued) {
      this.#restartQueued = true
      queueMicrotask(() => {
        this.#restartQueued = false
        const kinds = this.#pending
        this.#pending = new Set()
        if (!this.isConnected) return
        if (!kinds.has('data') && this.#applyView()) return
        this.#teardown()
        this.#start()
      })
    }
  }

  // Re-renders the current screen with the new options; false when the
  // widget must start again (not yet loaded, or popup and inline swapped).
  #applyView() {
    const s = this.#s
    const cfg = this.#config()
    if (!s || !s.snapshot || !s.service || cfg.mode !== s.cfg.mode || !['calendar', 'form', 'done'].includes(s.view)) return false
    loadStrings(cfg.locale, assetBase).then(() => {
      if (s.dead) return
      state.applyOptions(s, { cfg, t: translator(cfg.locale), dir: directionOf(cfg.locale), hourCycle: hourCycleOf(this) })
      const root = this.#root.querySelector('.sw')
      root?.setAttribute('dir', s.dir)
      root?.setAttribute('lang', cfg.locale)
      if (s.view === 'calendar') {
        this.#renderCalendarView(s)
        this.#loadMonth(s, { keepDate: true })
      } else if (s.view === 'form') {
        if (s.reschedule) this.#renderRescheduleConfirm(s, { push: false })
        else this.#renderForm(s, { push: false })
      } else if (s.manage) {
        this.#renderManage(s, { focus: false })
      } else if (s.booking) {
        this.#renderDone(s, s.booking, 'booked', { focus: false })
      }
    })
    return true
  }

  // ----- configuration -----------------------------------------------------

  #config() {
    const a = (n) => this.getAttribute(n)
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
      hideDetails: this.hasAttribute('hide-details') && a('hide-details') !== 'false',
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

  #applyTheme() {
    const theme = this.getAttribute('theme') || 'light'
    const brand = this.getAttribute('brand-color') || '#2f5bd3'
    const light = accessibleBrand(brand, '#ffffff')
    const dark = accessibleBrand(brand, '#15181d')
    this.#instanceSheet.replaceSync(`
      :host { --sw-brand: ${light.brand}; --sw-on-brand: ${light.onBrand}; }
      .dark { --sw-brand: ${dark.brand}; --sw-on-brand: ${dark.onBrand}; }`)
    const dark_ = theme === 'dark' || (theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches)
    this.#root.querySelectorAll('.sw, dialog').forEach((el) => el.classList.toggle('dark', dark_))
  }

  // ----- lifecycle -----------------------------------------------------------

  #teardown() {
    const s = this.#s
    if (!s) return
    state.end(s)
    data.dropEngine(s)
    if (s.ui.dialog?.open) s.ui.dialog.close()
    this.#root.replaceChildren()
    this.#s = null
  }

  #start() {
    this.#started = true
    const cfg = this.#config()
    const t = translator(cfg.locale)
    const dir = directionOf(cfg.locale)
    const s = state.createState({ cfg, t, dir, api: createApi(cfg.api), keys: new IdempotencyKeys(), hourCycle: hourCycleOf(this) })
    this.#s = s
    this.#applyTheme()
    // A placeholder of the widget's final size at once (no layout shift, no
    // blank space while the rest loads), then the visitor's language.
    this.#root.replaceChildren(h('div', { class: 'sw placeholder' + (cfg.mode === 'popup' ? ' popup' : ''), dir, lang: cfg.locale, 'aria-hidden': 'true' }))
    loadEngine(engineModuleUrl(), engineWasmUrl()).catch(() => {})
    loadStrings(cfg.locale, assetBase).then(() => { if (!s.dead) this.#build(s) })
  }

  #build(s) {
    const { cfg, t, dir } = s
    const live = h('div', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' })
    const alert = h('div', { class: 'alert', role: 'alert' })
    const body = h('div', { class: 'body' })
    Object.assign(s.ui, { live, alert, body })
    const content = h('div', { class: 'content' }, alert, body)

    const root = h('div', { class: 'sw', dir, lang: cfg.locale })
    if (cfg.mode === 'popup') {
      root.classList.add('popup')
      const title = h('h2', { id: 'dialog-title', text: t('title') })
      const close = h('button', { type: 'button', class: 'icon', 'aria-label': t('close'), onclick: () => s.ui.dialog.close() }, icon('close'))
      const dialog = h('dialog', { 'aria-labelledby': 'dialog-title', dir, lang: cfg.locale },
        h('div', { class: 'dialog-head' }, title, close),
        h('div', { class: 'dialog-body' }, content))
      const open = h('button', { type: 'button', class: 'btn open', 'aria-haspopup': 'dialog', text: cfg.buttonLabel || t('openButton') })
      open.addEventListener('click', () => {
        dialog.showModal()
        // Focus goes to the first thing to do, not to the close button.
        const target = this.#root.querySelector('[role=grid] [tabindex="0"]') || this.#root.querySelector('.dialog-body h2, .dialog-body h3, .dialog-body button')
        target?.focus()
      })
      // Native <dialog> traps focus and closes on Esc; focus returns to the opener.
      dialog.addEventListener('close', () => open.focus())
      closeOnBackdrop(dialog)
      keepTabInside(dialog, () => this.#root.activeElement)
      s.ui.dialog = dialog
      root.append(open, dialog, live)
    } else {
      root.append(content, live)
    }
    this.#root.replaceChildren(root)
    this.#applyTheme()

    if (!cfg.provider) {
      this.#fatal('unknownProvider', { code: 'MISSING_PROVIDER', message: 'the provider attribute is required' })
      return
    }
    this.#renderLoading()
    const manage = cfg.bookingId && cfg.manageToken ? { id: cfg.bookingId, token: cfg.manageToken } : manageFromUrl()
    this.#boot(s, manage).catch((e) => this.#failLoad(s, e))
  }

  async #boot(s, manage) {
    const booking = manage ? await data.managedBooking(s, manage) : null
    if (s.dead) return
    await data.loadFirst(s, engineUrls())
    if (s.dead) return
    if (booking) {
      state.openManage(s, manage, booking)
      // On page load, nothing steals the host page's focus...
      this.#renderManage(s, { focus: false })
      // ...but the booking is brought into view (on a phone it sits far below
      // the page's top), and the token leaves the address bar and history.
      if (manage.fromUrl) {
        try {
          history.replaceState(history.state, '', location.href.split('#')[0])
        } catch { /* a sandboxed page */ }
      }
      if (s.cfg.mode !== 'popup') this.scrollIntoView({ block: 'start' })
      // ...except that a page with only popup widgets opens one for the
      // visitor who followed the manage link.
      const inline = [...document.querySelectorAll(this.localName)].some((el) => el.getAttribute('mode') !== 'popup')
      const first = document.querySelector(`${this.localName}[mode="popup"]`)
      if (s.ui.dialog && !inline && first === this && !s.ui.dialog.open) s.ui.dialog.showModal()
      this.#ready(s)
      return
    }
    if (!this.#chooseService(s)) return
    await this.#openCalendar(s, { initial: true })
  }

  #failLoad(s, e) {
    if (s.dead) return
    if (e && (e.code === 'UNKNOWN_PROVIDER' || e.status === 404)) this.#fatal('unknownProvider', e)
    else this.#fatal(e && (e.status === 0 || e.status >= 500) ? 'offline' : 'loadFailed', e, () => { this.#teardown(); this.#start() })
  }

  #fatal(key, err, retry) {
    const s = this.#s
    if (!s) return
    this.#enter(s, 'error')
    s.ui.body.replaceChildren(h('div', { class: 'stack fatal' },
      h('p', { class: 'alert', role: 'alert', text: s.t(key) }),
      retry ? h('button', { type: 'button', class: 'btn', text: s.t('retry'), onclick: retry }) : null))
    this.#emit('error', { code: err?.code || key, status: err?.status ?? null, message: s.t(key) })
  }

  // Every screen change goes through the flow's table (flow.js): a move it
  // does not allow is a bug, reported as an error event (the tests fail on
  // one) but not in the visitor's way.
  #enter(s, view) {
    const from = s.view
    if (!state.enter(s, view)) this.#emit('error', { code: 'INVALID_MOVE', status: null, message: `${from} -> ${view}` })
  }

  #ready(s) {
    if (!state.readyOnce(s)) return
    data.mark('ready')
    this.#emit('ready', {
      provider: s.cfg.provider, service: s.service?.id ?? null, timeZone: s.zone,
      engine: s.engine ? 'wasm' : 'server', tzVersion: s.engine ? data.tzVersionOf(s.engine) : null,
      // Milliseconds since the page's navigation began: load-to-calendar time.
      at: Math.round(performance.now() * 10) / 10,
    })
  }

  #emit(name, detail) {
    this.dispatchEvent(new CustomEvent(`slotwise:${name}`, { detail, bubbles: true, composed: true }))
  }

  #chooseService(s) {
    if (state.chooseService(s)) return true
    this.#fatal('unknownProvider', { code: 'UNKNOWN_SERVICE' })
    return false
  }

  // ----- calendar -------------------------------------------------------------

  async #openCalendar(s, { initial = false, keepDate = false, focus = null } = {}) {
    state.openCalendarMonth(s)
    this.#enter(s, 'calendar')
    this.#renderCalendarView(s)
    await this.#loadMonth(s, { initial, keepDate, focus })
  }

  async #loadMonth(s, { initial = false, keepDate = true, focus = null } = {}) {
    const month = s.month
    let result
    try {
      result = data.monthSlots(s, month)
      if (result instanceof Promise) {
        s.ui.calendar?.setAttribute('aria-busy', 'true')
        result = await result
        if (s.dead || s.month !== month || s.view !== 'calendar') return
      }
    } catch (e) {
      if (s.dead) return
      // The first month failing is a failed load; later ones keep the calendar.
      if (initial) throw e
      this.#showError(s, e.status === 0 ? 'network' : 'loadFailed', e)
      s.ui.calendar?.setAttribute('aria-busy', 'false')
      return
    }
    state.setMonthSlots(s, month, result)
    if (initial && s.byDate.size === 0) {
      // Nothing left this month: open on the first month with free times.
      for (let i = 1; i <= 2 && compareMonths(addMonths(month, i), s.maxMonth) <= 0; i++) {
        const next = addMonths(month, i)
        let r = data.monthSlots(s, next)
        if (r instanceof Promise) r = await r.catch(() => [])
        if (s.dead) return
        if (r.length) {
          state.setMonthSlots(s, next, r)
          break
        }
      }
    }
    state.settleDate(s, { initial, keepDate })
    this.#renderMonth(s, focus)
    this.#renderTimes(s)
    // Set only on a change: an attribute write invalidates the styles below it.
    if (s.ui.calendar?.getAttribute('aria-busy') !== 'false') s.ui.calendar?.setAttribute('aria-busy', 'false')
    if (initial) this.#ready(s)
  }

  #renderLoading() {
    const s = this.#s
    s.ui.body.replaceChildren(h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), s.t('loading')))
  }

  #renderHeader(s) {
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

  #renderCalendarView(s) {
    const t = s.t
    const choices = h('div', { class: 'choices' })
    const services = state.activeServices(s)
    if (!s.cfg.service && !s.reschedule && services.length > 1) {
      const sel = h('select', { id: 'service', name: 'service' },
        services.map((x) => h('option', { value: x.id, text: x.name || x.id, selected: x.id === s.service.id })))
      sel.addEventListener('change', () => {
        state.pickService(s, sel.value)
        this.#openCalendar(s, { keepDate: false })
      })
      choices.append(h('div', { class: 'field grow' }, h('label', { for: 'service', text: t('service') }), sel))
    }
    const durations = s.service.durations || []
    if (durations.length > 1 && !s.reschedule) {
      const minutes = new Intl.NumberFormat(s.cfg.locale, { style: 'unit', unit: 'minute', unitDisplay: 'short' })
      choices.append(h('fieldset', { class: 'field' }, h('legend', { text: t('duration') }),
        h('div', { class: 'segments' }, durations.map((d) => {
          const input = h('input', { type: 'radio', name: 'duration', value: String(d), checked: d === s.duration })
          input.addEventListener('change', () => {
            if (!input.checked) return
            state.pickDuration(s, d)
            this.#loadMonth(s, { keepDate: true })
          })
          return h('label', null, input, h('span', { text: minutes.format(d) }))
        }))))
    }
    // The zone picker (zone-picker/, a lazily loaded chunk): search by city,
    // country or common name in the visitor's language, offsets shown. It
    // upgrades in place once its chunk has loaded (at once, in parallel with
    // the calendar's first render).
    const picker = h('slotwise-zone-picker', { id: 'zone', value: s.zone, locale: s.cfg.locale, detected: browserTimeZone(), label: t('timeZone') })
    picker.addEventListener('change', (e) => this.setZone(e.detail.zone))
    // Only zones this engine knows: a browser's newer tzdata must not offer one it refuses.
    loadZonePicker().then(() => {
      if (!s.dead && s.engine) picker.supportedZones = data.zonesOf(s)
    }, () => {})
    s.ui.zoneSelect = picker
    choices.append(h('div', { class: 'field grow zone-field' }, picker))

    const monthLabel = h('h3', { id: 'month-label', 'aria-live': 'polite' })
    const prev = h('button', { type: 'button', class: 'icon flip', 'aria-label': t('prevMonth'), onclick: () => this.#goMonth(s, -1) }, icon('prev'))
    const next = h('button', { type: 'button', class: 'icon flip', 'aria-label': t('nextMonth'), onclick: () => this.#goMonth(s, 1) }, icon('next'))
    const grid = h('table', { role: 'grid', 'aria-labelledby': 'month-label' })
    grid.addEventListener('keydown', (e) => this.#gridKey(s, e))
    grid.addEventListener('click', (e) => {
      const btn = e.target.closest('button.day')
      if (btn) this.#selectDate(s, btn.dataset.date, { focusTimes: true })
    })
    const calendar = h('section', { class: 'calendar', 'aria-labelledby': 'month-label', 'aria-busy': 'true' },
      h('div', { class: 'month-nav' }, prev, monthLabel, next), grid)
    const timesHeading = h('h3', { id: 'times-heading', tabindex: '-1' })
    const times = h('section', { class: 'times', 'aria-labelledby': 'times-heading' }, timesHeading, h('div', { class: 'times-body' }))
    const zoneNote = h('p', { class: 'zone-note' })
    Object.assign(s.ui, { calendar, grid, monthLabel, prev, next, times, timesHeading, zoneNote })
    s.ui.body.replaceChildren(...[this.#renderHeader(s), choices,
      h('div', { class: 'layout' }, h('div', null, calendar, zoneNote), times)].filter(Boolean))
  }

  // Public method so host pages and tests can drive the zone like the picker does.
  setZone(zone) {
    const s = this.#s
    if (!s || !s.service || zone === s.zone) return
    if (!data.zonesOf(s).includes(zone)) return
    state.changeZone(s, zone)
    if (s.ui.zoneSelect && s.ui.zoneSelect.getAttribute('value') !== zone) s.ui.zoneSelect.setAttribute('value', zone)
    this.#loadMonth(s, { keepDate: true })
  }

  #goMonth(s, delta, focusDate = null) {
    if (!state.goMonth(s, delta)) return false
    const done = this.#loadMonth(s, { keepDate: false, focus: focusDate })
    // A month button that just became disabled would drop focus to <body>.
    Promise.resolve(done).then(() => {
      const active = this.#root.activeElement
      if (active && active.disabled) (delta < 0 ? s.ui.next : s.ui.prev).focus()
    })
    return true
  }

  #renderMonth(s, focusDate) {
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
    s.ui.grid.replaceChildren(...monthGrid({ t, locale: cfg.locale, weekStart: cfg.weekStart, plural: state.pluralOf(s) },
      { month, counts: (date) => s.byDate.get(date)?.length || 0, today: s.today, selected: s.date, tabDate, currentDate }))
    this.#renderZoneNote(s)
    if (focusDate) s.ui.grid.querySelector(`[data-date="${tabDate}"]`)?.focus()
  }

  // The zone's name and offset as of the chosen day (or mid-month), not
  // today: a month after a DST change must not show last season's offset.
  #renderZoneNote(s) {
    const { t, cfg } = s
    const first = s.date && s.byDate.get(s.date)?.[0]
    const at = first ? Date.parse(first.start) : Date.UTC(s.month.y, s.month.m - 1, 15, 12)
    const zl = zoneLabel(cfg.locale, s.zone, at)
    // A day with two offsets names both, in the order they apply.
    const day = s.date && s.byDate.get(s.date)
    const offsets = day ? dayOffsets(cfg.locale, s.zone, day) : []
    const offset = offsets.length > 1 ? offsets.join(' / ') : zl.offset
    s.ui.zoneNote.textContent = t('timesShownIn', { zone: `${zl.name}${offset ? ` (${offset})` : ''}` })
  }

  #gridKey(s, e) {
    const btn = e.target.closest('button.day')
    if (!btn) return
    const date = btn.dataset.date
    const target = gridKeyTarget(e.key, date, { rtl: s.dir === 'rtl', weekStart: s.cfg.weekStart, shiftKey: e.shiftKey })
    if (!target) return
    e.preventDefault()
    if (target === 'select') this.#selectDate(s, date, { focusTimes: true })
    else this.#moveFocus(s, target)
  }

  #moveFocus(s, date) {
    const m = monthOf(date)
    if (compareMonths(m, s.month) === 0) {
      const old = s.ui.grid.querySelector('[tabindex="0"]')
      const next = s.ui.grid.querySelector(`[data-date="${date}"]`)
      if (old) old.tabIndex = -1
      next.tabIndex = 0
      next.focus()
      return
    }
    if (!state.canShowMonth(s, m)) return
    state.showMonth(s, m)
    this.#loadMonth(s, { keepDate: true, focus: date })
  }

  #selectDate(s, date, { focusTimes = false } = {}) {
    const count = state.selectDate(s, date)
    if (!count) return
    for (const cell of s.ui.grid.querySelectorAll('td[aria-selected]')) {
      const b = cell.querySelector('button')
      cell.setAttribute('aria-selected', b && b.dataset.date === date ? 'true' : 'false')
      if (b) b.tabIndex = b.dataset.date === date ? 0 : -1
    }
    this.#renderTimes(s)
    this.#renderZoneNote(s)
    this.#announce(s, s.t('dayAnnounce', { date: formatLocalDate(s.cfg.locale, date, 'short'), count: countText(s.t, state.pluralOf(s), count, s.cfg.locale) }))
    this.#emit('date-selected', { date, timeZone: s.zone, count })
    if (focusTimes) s.ui.times.querySelector('.slot')?.focus()
  }

  #renderTimes(s) {
    const { t, cfg } = s
    const body = s.ui.times.querySelector('.times-body')
    const list = s.date ? s.byDate.get(s.date) : null
    if (!list || !list.length) {
      s.ui.timesHeading.textContent = formatMonth(cfg.locale, s.month)
      if (s.byDate.size === 0) {
        const nextBtn = compareMonths(s.month, s.maxMonth) < 0
          ? h('button', { type: 'button', class: 'btn secondary', text: t('nextFree'), onclick: () => this.#findNextFree(s) })
          : null
        body.replaceChildren(h('p', { class: 'empty', text: t('noTimesMonth', { month: formatMonth(cfg.locale, s.month) }) }), nextBtn ? h('p', null, nextBtn) : null)
      } else {
        body.replaceChildren(...[s.reschedule ? this.#currentNote(s) : null, h('p', { class: 'empty', text: t('chooseDay') })].filter(Boolean))
      }
      return
    }
    s.ui.timesHeading.textContent = t('timesOn', { date: formatLocalDate(cfg.locale, s.date, 'short') })
    const current = s.reschedule ? this.#currentNote(s) : null
    const list_ = timeList({ locale: cfg.locale, zone: s.zone, hourCycle: s.hourCycle }, list, (slot) => this.#chooseSlot(s, slot))
    body.replaceChildren(...[current, list_].filter(Boolean))
  }

  async #findNextFree(s) {
    for (let m = addMonths(s.month, 1); compareMonths(m, s.maxMonth) <= 0; m = addMonths(m, 1)) {
      let r
      try {
        r = await data.monthSlots(s, m)
      } catch (e) {
        return this.#showError(s, e.status === 0 ? 'network' : 'loadFailed', e)
      }
      if (s.dead) return
      if (r.length) {
        state.showMonth(s, m, null)
        await this.#loadMonth(s, { keepDate: false })
        const first = [...s.byDate.keys()][0]
        if (first) s.ui.grid.querySelector(`[data-date="${first}"]`)?.focus()
        return
      }
    }
  }

  #chooseSlot(s, slot) {
    state.chooseSlot(s, slot)
    this.#clearError(s)
    this.#emit('slot-selected', { start: slot.start, end: slot.end, timeZone: s.zone, durationMinutes: s.duration, service: s.service.id })
    if (s.reschedule) this.#renderRescheduleConfirm(s)
    else this.#renderForm(s)
  }

  // ----- form and booking ---------------------------------------------------------

  #slotSummary(s, slot) {
    const { cfg } = s
    const start = Date.parse(slot.start)
    const end = Date.parse(slot.end)
    const both = rangeNeedsOffsets(s.zone, start, end)
    const at = (hhmm, ms) => formatWallTime(cfg.locale, hhmm, s.hourCycle) + (both ? ` ${offsetText(cfg.locale, s.zone, ms)}` : '')
    return `${formatLocalDate(cfg.locale, slot.local_date)}, ${at(slot.local_start, start)}–${at(slot.local_end, end)}`
  }

  // Start and end of a booking in a zone, with offsets where a time is ambiguous.
  #viewContext(s) {
    return { t: s.t, locale: s.cfg.locale, hourCycle: s.hourCycle, zone: s.zone, snapshot: s.snapshot }
  }

  #timeRange(s, startMs, endMs, zone) {
    return timeRange(this.#viewContext(s), startMs, endMs, zone)
  }

  #summaryBox(s, slot) {
    const change = h('button', { type: 'button', class: 'btn plain', text: s.t('change'), onclick: () => this.#leaveForm(s) })
    return h('div', { class: 'summary' },
      h('div', null, h('span', { class: 'muted', text: s.t('selectedTime') }), h('strong', { text: this.#slotSummary(s, slot) }),
        h('span', { class: 'muted', text: zoneLabel(s.cfg.locale, s.zone, Date.parse(slot.start)).name })),
      change)
  }

  #backToCalendar(s, { errorKey = null, refresh = false } = {}) {
    this.#enter(s, 'calendar')
    const date = s.date
    this.#renderCalendarView(s)
    const after = async () => {
      if (refresh) {
        try {
          await data.refetch(s)
        } catch { /* keep the old snapshot; the message below still applies */ }
      }
      if (s.dead) return
      state.keepDate(s, date)
      await this.#loadMonth(s, { keepDate: true })
      if (errorKey) this.#showError(s, errorKey)
      const firstSlot = s.ui.times.querySelector('.slot')
      if (firstSlot) firstSlot.focus()
      else s.ui.timesHeading.focus()
    }
    return after()
  }

  // Each screen Back should return from gets a history entry: Back from the
  // form shows the times (the typed details kept), Back from a started
  // reschedule returns to the booking.
  #pushScreen(s, screen) {
    try {
      history.pushState(historyState(this.#key, screen), '')
    } catch { /* a sandboxed page: the widget's own buttons still work */ }
  }

  #onPopState(e) {
    const s = this.#s
    if (!s || s.dead) return
    const screen = screenFromHistory(e.state, this.#key)?.screen
    if (s.view === 'form' && screen !== 'form') {
      this.#backToCalendar(s)
    } else if (s.view === 'calendar' && screen === 'form' && s.slot) {
      if (s.reschedule) this.#renderRescheduleConfirm(s, { push: false })
      else this.#renderForm(s, { push: false })
    } else if (s.view === 'calendar' && s.reschedule && screen !== 'reschedule') {
      this.#abandonReschedule(s)
    }
  }

  // The form's own Back and Change: through the history when the form has its entry.
  #leaveForm(s) {
    if (screenFromHistory(history.state, this.#key)?.screen === 'form') history.back()
    else this.#backToCalendar(s)
  }

  #renderForm(s, { push = true } = {}) {
    const { t, cfg } = s
    this.#enter(s, 'form')
    if (push) this.#pushScreen(s, 'form')
    const draft = state.draftOf(s)
    const { form, name, email, phone, notes, submit } = detailsForm({ t, cfg, draft }, {
      back: () => this.#leaveForm(s),
      submit: () => this.#submit(s),
    })
    s.ui.form = { form, name, email, phone, notes, submit }
    const heading = h('h3', { id: 'form-heading', tabindex: '-1', text: t('details') })
    // A service that verifies the address says so before the client books.
    const hint = s.service?.verify_client_email ? h('p', { class: 'muted', text: t('verifyHint') }) : null
    s.ui.body.replaceChildren(...[this.#renderHeader(s), h('div', { class: 'stack' }, this.#summaryBox(s, s.slot), heading, hint, form)].filter(Boolean))
    ;(cfg.name ? (cfg.email ? submit : email.el) : name.el).focus()
  }

  async #submit(s) {
    if (s.submitting) return
    this.#clearError(s)
    if (!validateDetails(s.ui.form, s.t)) return
    const f = s.ui.form
    const client = { name: f.name.el.value.trim(), email: f.email.el.value.trim() }
    if (f.phone.el.value.trim()) client.phone = f.phone.el.value.trim()
    const body = { provider: s.cfg.provider, service: s.service.id, start: s.slot.start, duration_minutes: s.duration, client, time_zone: s.zone }
    if (f.notes.el.value.trim()) body.notes = f.notes.el.value.trim()
    // The language of the mails the server sends about this booking.
    body.locale = safeLocale(s.cfg.locale).baseName
    const key = s.keys.keyFor(body)
    state.startSubmit(s)
    f.submit.disabled = true
    f.submit.textContent = s.t('booking')
    f.form.setAttribute('aria-busy', 'true')
    try {
      const booking = await data.book(s, body, key)
      if (s.dead) return
      s.keys.forget()
      state.booked(s, booking)
      // HELD: the server mailed a code; the booking is made once it is entered.
      if (String(s.booking.status).toUpperCase() === 'HELD') return this.#renderVerify(s, s.booking, client.email)
      this.#booked(s)
    } catch (e) {
      if (s.dead) return
      f.submit.disabled = false
      f.submit.textContent = s.t('book')
      f.form.removeAttribute('aria-busy')
      this.#bookingFailed(s, e, () => this.#submit(s))
    } finally {
      state.endSubmit(s)
    }
  }

  // The code step of a service that verifies the address: the client types
  // the code from the mail; a wrong one may be tried again, a hold that ended
  // (expired, or the last try spent) sends the client back to the times.
  // The booking is made (CONFIRMED or PENDING): tell the page, show it.
  #booked(s) {
    this.#emit('booked', {
      bookingId: s.booking.id, start: s.booking.start, end: s.booking.end, timeZone: s.zone,
      status: s.booking.status, provider: s.cfg.provider, service: s.service.id,
    })
    this.#renderDone(s, s.booking, 'booked')
  }

  #renderVerify(s, held, email) {
    const { t } = s
    this.#enter(s, 'verify')
    state.endVerify(s)
    const view = codeForm({ t, email }, { submit: (code) => send(code) })
    const setError = (text) => {
      if (view.error(text)) this.#announce(s, text)
    }
    const send = async (code) => {
      if (s.verifying) return
      this.#clearError(s)
      if (!/^\d{6}$/.test(code)) {
        setError(t('codeInvalid'))
        view.input.focus()
        return
      }
      setError('')
      state.startVerify(s)
      view.busy(true)
      try {
        const answer = await data.verify(s, held, code)
        if (s.dead) return
        state.verified(s, held, answer)
        this.#booked(s)
      } catch (e) {
        if (s.dead) return
        view.busy(false)
        const next = verifyFailure(e)
        if (next.action === 'expired') {
          this.#emit('error', { code: e.code, status: e.status, message: t('holdExpired') })
          return this.#backToCalendar(s, { errorKey: 'holdExpired', refresh: true })
        }
        if (next.action === 'field') {
          setError(t(next.key, next.vars))
          view.input.focus()
          view.input.select()
          return
        }
        this.#showError(s, bookingFailure(e).key, e, null, null, { focus: true })
      } finally {
        state.endVerify(s)
      }
    }
    s.ui.body.replaceChildren(...[this.#renderHeader(s), h('div', { class: 'stack' }, this.#summaryBox(s, s.slot), view.heading, view.intro, view.form)].filter(Boolean))
    // The summary's "Change" would leave the hold behind: the time is the one held.
    s.ui.body.querySelector('.summary button')?.remove()
    view.input.focus()
  }


  #bookingFailed(s, e, retry) {
    const next = bookingFailure(e)
    if (next.forgetKey) s.keys.forget()
    if (next.action === 'back') {
      this.#emit('error', { code: e.code || 'SLOT_TAKEN', status: e.status, message: s.t(next.key) })
      return this.#backToCalendar(s, { errorKey: next.key, refresh: true })
    }
    return this.#showError(s, next.key, e, next.retry ? retry : null, null, { focus: true })
  }

  #showError(s, key, err = null, retry = null, vars = null, { focus = false } = {}) {
    const text = s.t(key, vars)
    s.ui.alert.replaceChildren(h('span', { text }))
    const again = retry ? h('button', { type: 'button', class: 'btn plain', text: s.t('retry'), onclick: () => retry() }) : null
    if (again) s.ui.alert.append(' ', again)
    if (focus) {
      // On a phone the alert sits above the form, off-screen: bring it (and
      // its Try again) to the visitor instead of leaving nothing to see.
      s.ui.alert.tabIndex = -1
      ;(again || s.ui.alert).focus({ preventScroll: true })
      s.ui.alert.scrollIntoView({ block: 'center' })
    }
    this.#emit('error', { code: err?.code || key, status: err?.status ?? null, message: text })
  }

  #clearError(s) {
    s.ui.alert.replaceChildren()
  }

  #announce(s, text) {
    // Cleared first so the same text twice is announced twice.
    s.ui.live.textContent = ''
    requestAnimationFrame(() => { s.ui.live.textContent = text })
  }

  // ----- confirmation and managing a booking --------------------------------------

  #manageUrl(s, booking) {
    const base = this.getAttribute('manage-url') || location.href.split('#')[0]
    const params = new URLSearchParams({ 'slotwise-booking': booking.id, 'slotwise-token': booking.manage_token })
    return `${base}#${params}`
  }

  #renderDone(s, booking, how, { focus = true } = {}) {
    const { t } = s
    this.#enter(s, 'done')
    const status = String(booking.status || '').toUpperCase()
    const title = status === 'CANCELLED' ? t('cancelledTitle') : status === 'PENDING' ? t('pendingTitle') : t('confirmedTitle')
    const heading = h('h2', { tabindex: '-1', id: 'done-heading', text: title })
    const token = booking.manage_token || s.manage?.token
    const rows = confirmationRows(this.#viewContext(s), booking)
    const links = []
    if (booking.meeting_link && status !== 'CANCELLED') links.push(h('a', { class: 'btn', href: booking.meeting_link, target: '_blank', rel: 'noopener noreferrer', text: t('meetingLink') }))
    if (token && status !== 'CANCELLED') {
      links.push(h('a', { class: 'btn secondary', href: s.api.icsUrl(booking.id, token), download: `booking-${booking.id}.ics`, text: t('addToCalendar') }))
    }
    const manage = token && status !== 'CANCELLED' && how !== 'manage'
      ? h('div', { class: 'stack' },
        h('p', null, h('a', { class: 'link', href: this.#manageUrl(s, { id: booking.id, manage_token: token }), text: t('manageLink') })),
        h('p', { class: 'hint', text: t('manageHint') }))
      : null
    const note = how === 'rescheduled' ? h('p', { class: 'notice', role: 'status', text: t('rescheduled') }) : null
    // Someone who opened a manage link may want another appointment too.
    const another = h('button', { type: 'button', class: 'btn plain', text: how === 'manage' || status === 'CANCELLED' ? t('bookAgain') : t('bookAnother'), onclick: () => this.#restartBooking(s) })
    const manageActions = how === 'manage' && status !== 'CANCELLED' ? this.#manageActions(s, booking) : null
    s.ui.body.replaceChildren(h('div', { class: 'stack' },
      h('div', { class: 'title-row' }, status === 'CANCELLED' ? null : h('span', { class: 'done-icon' }, icon('check')), heading),
      note,
      h('dl', null, rows.map(([k, v]) => [h('dt', { text: k }), h('dd', { dir: 'auto', text: v })])),
      links.length ? h('div', { class: 'actions' }, links) : null,
      manage, manageActions, another ? h('div', { class: 'actions' }, another) : null))
    if (focus) {
      heading.focus()
      this.#announce(s, title)
    }
  }

  #manageActions(s, booking) {
    return manageActions({ t: s.t }, {
      reschedule: () => this.#startReschedule(s, booking),
      keep: () => this.#renderManage(s),
      cancel: async () => {
        try {
          state.cancelled(s, booking, await data.cancel(s, booking))
          this.#renderDone(s, s.manage.booking, 'cancelled')
        } catch (e) {
          this.#showError(s, bookingFailure(e).key, e, null, null, { focus: true })
          throw e
        }
      },
    })
  }


  #renderManage(s, { focus = true } = {}) {
    this.#renderDone(s, s.manage.booking, 'manage', { focus })
    const h2 = s.ui.body.querySelector('#done-heading')
    // A cancelled booking says so (and who cancelled, in its rows).
    if (h2 && String(s.manage.booking.status).toUpperCase() !== 'CANCELLED') h2.textContent = s.t('manageTitle')
  }

  async #startReschedule(s, booking) {
    state.startReschedule(s, booking)
    this.#renderLoading()
    try {
      // The server's reschedule snapshot: the booking's own time left out as the server counts it.
      await data.fetchSnapshot(s, s.range.from, s.range.to)
      data.rebuildEngine(s)
      if (!this.#chooseService(s)) return
      state.startRescheduleCalendar(s)
      await this.#openCalendar(s, { initial: true })
    } catch (e) {
      return this.#failLoad(s, e)
    }
    this.#pushScreen(s, 'reschedule')
    s.ui.grid.querySelector('[tabindex="0"]')?.focus()
  }

  // Leaves a started reschedule: the booking stays at its time.
  async #abandonReschedule(s) {
    if (!s.reschedule) return
    state.abandonReschedule(s)
    this.#renderLoading()
    try {
      await data.fetchSnapshot(s, s.range.from, s.range.to)
    } catch { /* the manage view needs no snapshot of its own */ }
    if (s.dead) return
    data.rebuildEngine(s)
    this.#renderManage(s)
  }

  // Through the history when the reschedule has its entry, so Back afterwards leaves the page as expected.
  #leaveReschedule(s) {
    if (screenFromHistory(history.state, this.#key)?.screen === 'reschedule') history.back()
    else this.#abandonReschedule(s)
  }

  #currentNote(s) {
    const b = s.reschedule.booking
    return h('div', { class: 'current-booking' },
      h('p', { text: s.t('currentBooking', { time: this.#timeRange(s, Date.parse(b.start), Date.parse(b.end), s.zone) }) }),
      h('button', { type: 'button', class: 'btn plain', text: s.t('keepCurrentTime'), onclick: () => this.#leaveReschedule(s) }))
  }

  #renderRescheduleConfirm(s, { push = true } = {}) {
    const { t } = s
    this.#enter(s, 'form')
    if (push) this.#pushScreen(s, 'form')
    const go = h('button', { type: 'button', class: 'btn', text: t('confirmReschedule') })
    const body = { start: s.slot.start, duration_minutes: s.duration }
    go.addEventListener('click', async () => {
      go.disabled = true
      this.#clearError(s)
      try {
        const updated = await data.reschedule(s, body)
        state.rescheduled(s, updated)
        data.rebuildEngine(s)
        this.#emit('booked', { bookingId: updated.id, start: updated.start, end: updated.end, timeZone: s.zone, status: updated.status, provider: s.cfg.provider, service: updated.service, rescheduled: true })
        this.#renderDone(s, s.manage.booking, 'rescheduled')
      } catch (e) {
        go.disabled = false
        this.#bookingFailed(s, e, () => go.click())
      }
    })
    const heading = h('h3', { tabindex: '-1', text: t('rescheduleTitle') })
    s.ui.body.replaceChildren(h('div', { class: 'stack' }, heading, this.#summaryBox(s, s.slot), h('div', { class: 'actions' }, go)))
    go.focus()
  }

  async #restartBooking(s) {
    state.restart(s)
    this.#renderLoading()
    // The visitor's own booking (or cancellation) changed the free times.
    try {
      await data.fetchSnapshot(s, s.range.from, s.range.to)
    } catch (e) {
      return this.#failLoad(s, e)
    }
    if (s.dead) return
    data.rebuildEngine(s)
    if (this.#chooseService(s)) await this.#openCalendar(s, { initial: true }).catch((e) => this.#failLoad(s, e))
  }

  // ----- keeping the snapshot fresh -------------------------------------------

  async #refreshOnFocus() {
    const s = this.#s
    if (!s || s.dead || !s.range || s.view !== 'calendar') return
    if (Date.now() - s.fetchedAt < REFRESH_ON_FOCUS_AFTER_MS || !state.startRefresh(s)) return
    try {
      await data.fetchSnapshot(s, s.range.from, s.range.to)
      if (s.dead || s.view !== 'calendar') return
      data.rebuildEngine(s)
      const active = this.#root.activeElement
      const focusDate = active?.dataset?.date || null
      const focusStart = active?.dataset?.start || null
      await this.#loadMonth(s, { keepDate: true, focus: focusDate })
      if (focusStart) s.ui.times.querySelector(`[data-start="${focusStart}"]`)?.focus()
    } catch { /* the next focus tries again */ } finally {
      state.endRefresh(s)
    }
  }
}

// The locale's own clock unless the host asks for one: passing the locale's
// default explicitly would change its pattern (8:00 vs 08:00).
function hourCycleOf(el) {
  const value = el.getAttribute('hour-cycle')
  return ['h12', 'h23'].includes(value) ? value : undefined
}


function manageFromUrl() {
  try {
    const params = new URLSearchParams(location.hash.slice(1))
    const id = params.get('slotwise-booking')
    const token = params.get('slotwise-token')
    return id && token ? { id, token, fromUrl: true } : null
  } catch {
    return null
  }
}
