// <slotwise-booking>: the booking widget. Its attributes are its API; it
// renders into a Shadow root styled by constructable stylesheets only, talks
// to the host page through bubbling, composed `slotwise:*` events, and keeps
// no cookies and no storage.
import { h, listen } from './dom.js'
import { translator, directionOf, loadStrings } from './i18n.js'
import { createApi, IdempotencyKeys } from './api.js'
import { loadEngine } from './engine.js'
import { ATTRIBUTES, liveOf } from './options.js'
import { configOf, forgetManageLink, hourCycleOf, isFirstOfPopupsOnly, manageFromUrl, manageUrlOf } from './config.js'
import { gridKeyTarget } from './a11y.js'
import { announce, baseSheet, brandCss, fatalView, loadingView, showAlert, widgetShell } from './views/shell.js'
import { doneScreen } from './views/done.js'
import { calendarFrame, fillMonth, fillTimes, focusDay, markSelected, serviceHeader, zoneNoteText } from './views/frame.js'
import { rescheduleConfirmView, summaryBox } from './views/summary.js'
import { detailsForm, detailsOf, formBusy, formScreen, validateDetails } from './views/form.js'
import { codeForm } from './views/verify.js'
import { countText } from './views/calendar.js'
import { manageActions } from './views/manage.js'
import { bookingFailure, historyState, screenFromHistory, verifyFailure } from './flow.js'
import * as state from './booking_state.js'
import * as data from './booking_data.js'
import { addMonths, compareMonths, formatLocalDate, monthOf } from './dates.js'
import { loadPayment } from './payment/load.js'

/* global SLOTWISE_ENGINE_MODULE, SLOTWISE_ENGINE_WASM */
// The widget is a classic script (no CORS needed to load it from the
// Slotwise host on a provider's site); its own URL locates the engine files.
const assetBase = (document.currentScript && document.currentScript.src) || document.baseURI
const engineModuleUrl = () => new URL(SLOTWISE_ENGINE_MODULE, assetBase).href
const engineWasmUrl = () => new URL(SLOTWISE_ENGINE_WASM, assetBase).href
const engineUrls = () => ({ module: engineModuleUrl(), wasm: engineWasmUrl() })

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
    this.#listeners = [
      listen(window, 'popstate', (e) => this.#onPopState(e)),
      listen(matchMedia('(prefers-color-scheme: dark)'), 'change', () => this.#applyTheme()),
      listen(window, 'focus', () => this.#refreshOnFocus()),
      listen(document, 'visibilitychange', () => { if (document.visibilityState === 'visible') this.#refreshOnFocus() }),
    ]
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
    const cfg = configOf(this, assetBase)
    if (!s || !s.snapshot || !s.service || cfg.mode !== s.cfg.mode || !['calendar', 'form', 'done'].includes(s.view)) return false
    loadStrings(cfg.locale, assetBase).then(() => {
      if (s.dead) return
      state.applyOptions(s, { cfg, t: translator(cfg.locale), dir: directionOf(cfg.locale), hourCycle: hourCycleOf(this) })
      const root = this.#root.querySelector('.sw')
      root?.setAttribute('dir', s.dir)
      root?.setAttribute('lang', cfg.locale)
      // The popup's own frame is built once: its words follow here.
      const open = root?.querySelector('.open')
      if (open) open.textContent = cfg.buttonLabel || s.t('openButton')
      const title = root?.querySelector('#dialog-title')
      if (title) title.textContent = s.t('title')
      if (s.view === 'calendar') {
        this.#renderCalendarFrame(s)
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

  #applyTheme() {
    const theme = this.getAttribute('theme') || 'light'
    const brand = this.getAttribute('brand-color') || '#2f5bd3'
    this.#instanceSheet.replaceSync(brandCss(brand))
    const dark_ = theme === 'dark' || (theme === 'auto' && matchMedia('(prefers-color-scheme: dark)').matches)
    this.#root.querySelectorAll('.sw, dialog').forEach((el) => el.classList.toggle('dark', dark_))
  }

  // ----- lifecycle -----------------------------------------------------------

  #teardown() {
    const s = this.#s
    if (!s) return
    s.ui.pay?.stop()
    state.end(s)
    data.dropEngine(s)
    if (s.ui.dialog?.open) s.ui.dialog.close()
    this.#root.replaceChildren()
    this.#s = null
  }

  #start() {
    this.#started = true
    const cfg = configOf(this, assetBase)
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
    const root = widgetShell(s, this.#root)
    this.#root.replaceChildren(root)
    this.#applyTheme()

    if (!cfg.provider) {
      this.#fatal('unknownProvider', { code: 'MISSING_PROVIDER', message: 'the provider attribute is required' })
      return
    }
    this.#renderLoading()
    const manage = cfg.bookingId && cfg.manageToken ? { id: cfg.bookingId, token: cfg.manageToken } : manageFromUrl()
    // A payment step left by a reload: its booking is in this page's history entry.
    const paying = !manage && screenFromHistory(history.state, this.#key)
    this.#boot(s, manage, paying?.screen === 'pay' && paying).catch((e) => this.#failLoad(s, e))
  }

  async #boot(s, manage, paying) {
    const booking = manage || paying ? await data.managedBooking(s, manage || paying) : null
    if (s.dead) return
    await data.loadFirst(s, engineUrls())
    if (s.dead) return
    if (booking && paying) {
      state.chooseService(s)
      // A popup's step was on screen before the reload: it is again.
      if (s.ui.dialog && !s.ui.dialog.open) s.ui.dialog.showModal()
      this.#ready(s)
      return this.#pay(s, { ...booking, manage_token: paying.token })
    }
    if (booking) {
      state.openManage(s, manage, booking)
      // On page load, nothing steals the host page's focus...
      this.#renderManage(s, { focus: false })
      // ...but the booking is brought into view (on a phone it sits far below
      // the page's top), and the token leaves the address bar and history.
      if (manage.fromUrl) forgetManageLink()
      if (s.cfg.mode !== 'popup') this.scrollIntoView({ block: 'start' })
      // ...except that a page with only popup widgets opens one for the
      // visitor who followed the manage link.
      if (s.ui.dialog && isFirstOfPopupsOnly(this) && !s.ui.dialog.open) s.ui.dialog.showModal()
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
    s.ui.body.replaceChildren(fatalView(s, key, retry))
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
    this.#emit('ready', data.readyDetail(s))
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
    this.#renderCalendarFrame(s)
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
    fillMonth(s, focus)
    this.#renderTimes(s)
    // Set only on a change: an attribute write invalidates the styles below it.
    if (s.ui.calendar?.getAttribute('aria-busy') !== 'false') s.ui.calendar?.setAttribute('aria-busy', 'false')
    if (initial) this.#ready(s)
  }

  #renderLoading() {
    const s = this.#s
    s.ui.body.replaceChildren(loadingView(s))
  }

  #renderCalendarFrame(s) {
    const { ui, nodes } = calendarFrame(s, {
      service: (id) => {
        state.pickService(s, id)
        this.#openCalendar(s, { keepDate: false })
      },
      duration: (minutes) => {
        state.pickDuration(s, minutes)
        this.#loadMonth(s, { keepDate: true })
      },
      zone: (zone) => this.setZone(zone),
      zones: () => data.zonesOf(s),
      month: (delta) => this.#goMonth(s, delta),
      gridKey: (e) => this.#gridKey(s, e),
      day: (date) => this.#selectDate(s, date, { focusTimes: true }),
    })
    Object.assign(s.ui, ui)
    s.ui.body.replaceChildren(...nodes)
  }

  #renderTimes(s) {
    fillTimes(s, { nextFree: () => this.#findNextFree(s), keepCurrent: () => this.#leaveReschedule(s), choose: (slot) => this.#chooseSlot(s, slot) })
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
    if (compareMonths(m, s.month) === 0) return focusDay(s, date)
    if (!state.canShowMonth(s, m)) return
    state.showMonth(s, m)
    this.#loadMonth(s, { keepDate: true, focus: date })
  }

  #selectDate(s, date, { focusTimes = false } = {}) {
    const count = state.selectDate(s, date)
    if (!count) return
    markSelected(s, date)
    this.#renderTimes(s)
    s.ui.zoneNote.textContent = zoneNoteText(s)
    announce(s, s.t('dayAnnounce', { date: formatLocalDate(s.cfg.locale, date, 'short'), count: countText(s.t, state.pluralOf(s), count, s.cfg.locale) }))
    this.#emit('date-selected', { date, timeZone: s.zone, count })
    if (focusTimes) s.ui.times.querySelector('.slot')?.focus()
  }

  async #findNextFree(s) {
    let month
    try {
      month = await data.nextMonthWithTimes(s)
    } catch (e) {
      return this.#showError(s, e.status === 0 ? 'network' : 'loadFailed', e)
    }
    if (s.dead || !month) return
    state.showMonth(s, month, null)
    await this.#loadMonth(s, { keepDate: false })
    const first = [...s.byDate.keys()][0]
    if (first) s.ui.grid.querySelector(`[data-date="${first}"]`)?.focus()
  }

  #chooseSlot(s, slot) {
    state.chooseSlot(s, slot)
    s.ui.alert.replaceChildren()
    this.#emit('slot-selected', { start: slot.start, end: slot.end, timeZone: s.zone, durationMinutes: s.duration, service: s.service.id })
    if (s.reschedule) this.#renderRescheduleConfirm(s)
    else this.#renderForm(s)
  }

  #backToCalendar(s, { errorKey = null, refresh = false } = {}) {
    this.#enter(s, 'calendar')
    const date = s.date
    this.#renderCalendarFrame(s)
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
    s.ui.body.replaceChildren(...formScreen(s, form, () => this.#leaveForm(s)))
    ;(cfg.name ? (cfg.email ? submit : email.el) : name.el).focus()
  }

  async #submit(s) {
    if (s.submitting) return
    s.ui.alert.replaceChildren()
    if (!validateDetails(s.ui.form, s.t)) return
    const f = s.ui.form
    const body = state.bookingRequest(s, detailsOf(f))
    const key = s.keys.keyFor(body)
    state.startSubmit(s)
    formBusy(f, true, s.t('booking'))
    try {
      const booking = await data.book(s, body, key)
      if (s.dead) return
      s.keys.forget()
      state.booked(s, booking)
      if (booking.payment) return this.#pay(s, s.booking)
      // HELD: the server mailed a code; the booking is made once it is entered.
      if (String(s.booking.status).toUpperCase() === 'HELD') return this.#renderVerify(s, s.booking, body.client.email)
      this.#booked(s)
    } catch (e) {
      if (s.dead) return
      formBusy(f, false, s.t('book'))
      this.#bookingFailed(s, e, () => this.#submit(s))
    } finally {
      state.endSubmit(s)
    }
  }

  // The booking is made (CONFIRMED or PENDING): tell the page, show it.
  #booked(s) {
    this.#emit('booked', {
      bookingId: s.booking.id, start: s.booking.start, end: s.booking.end, timeZone: s.zone,
      status: s.booking.status, provider: s.cfg.provider, service: s.service.id,
    })
    this.#renderDone(s, s.booking, 'booked')
  }

  // A paid service's booking is HELD until paid: the payment step (a chunk
  // loaded now, src/payment/) takes the card, then the usual confirmation
  // follows, or the times again when the hold ran out. The booking's id and
  // token stay in this history entry (not in the URL, not in storage) so a
  // reload comes back to the step.
  #pay(s, booking) {
    this.#enter(s, 'pay')
    this.#renderLoading()
    const keep = (b) => {
      try {
        history.replaceState(b && historyState(this.#key, 'pay', { id: b.id, token: b.manage_token }), '')
      } catch { /* a sandboxed page: no resuming after a reload */ }
    }
    keep(booking)
    loadPayment(assetBase).then((p) => {
      if (s.dead) return
      s.ui.pay = p.paymentStep({
        body: s.ui.body, head: s.service && serviceHeader(s), summary: s.slot && summaryBox(s, s.slot),
        booking, locale: s.cfg.locale, zone: s.zone, price: s.service?.price, offset: s.clockOffsetMs, api: s.api,
        emit: (name, detail) => this.#emit(name, detail),
        paid: (b) => {
          keep(null)
          state.booked(s, b)
          this.#booked(s)
        },
        expired: (text) => {
          keep(null)
          this.#emit('error', { code: 'PAYMENT_EXPIRED', status: null, message: text })
          // After a reload the calendar was never opened: its month starts today.
          state.openCalendarMonth(s)
          this.#backToCalendar(s, { refresh: true }).then(() => showAlert(s, text))
        },
      })
    }, (e) => this.#showError(s, 'loadFailed', e, () => this.#pay(s, booking)))
  }

  // The code step of a service that verifies the address: the client types
  // the code from the mail; a wrong one may be tried again, a hold that ended
  // (expired, or the last try spent) sends the client back to the times.
  #renderVerify(s, held, email) {
    const { t } = s
    this.#enter(s, 'verify')
    state.endVerify(s)
    const view = codeForm({ t, email }, { submit: (code) => send(code) })
    const setError = (text) => {
      if (view.error(text)) announce(s, text)
    }
    const send = async (code) => {
      if (s.verifying) return
      s.ui.alert.replaceChildren()
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
    s.ui.body.replaceChildren(...[serviceHeader(s), h('div', { class: 'stack' }, summaryBox(s, s.slot, () => this.#leaveForm(s)), view.heading, view.intro, view.form)].filter(Boolean))
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
    showAlert(s, text, retry, focus)
    this.#emit('error', { code: err?.code || key, status: err?.status ?? null, message: text })
  }

  // ----- confirmation and managing a booking --------------------------------------

  #renderDone(s, booking, how, { focus = true } = {}) {
    this.#enter(s, 'done')
    const { node, heading, title } = doneScreen(s, booking, how, {
      manageUrl: (b) => manageUrlOf(this, b),
      another: () => this.#restartBooking(s),
      actions: () => this.#manageActions(s, booking),
    })
    s.ui.body.replaceChildren(node)
    if (focus) {
      heading.focus()
      announce(s, title)
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

  #renderRescheduleConfirm(s, { push = true } = {}) {
    const { t } = s
    this.#enter(s, 'form')
    if (push) this.#pushScreen(s, 'form')
    const go = h('button', { type: 'button', class: 'btn', text: t('confirmReschedule') })
    const body = { start: s.slot.start, duration_minutes: s.duration }
    go.addEventListener('click', async () => {
      go.disabled = true
      s.ui.alert.replaceChildren()
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
    s.ui.body.replaceChildren(rescheduleConfirmView(s, go, () => this.#leaveForm(s)))
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
