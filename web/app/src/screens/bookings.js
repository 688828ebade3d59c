// The bookings screen (/app/, /app/bookings, /app/bookings/<id>): the
// agenda by tab or as a week, in the provider's zone with the client's zone
// where it differs; search by client; the provider's actions, each in a
// dialog that says what happens to the client's money before anything is
// done; one booking with its history; the shown bookings as CSV.
// The rules live in bookings/model.js; this file is the view.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles, problemAt } from '../ui.js'
import { providerPath } from '../api.js'
import { hrefOf } from '../router.js'
import { formatInstant, formatMoney, translator } from '../i18n.js'
import { addDays, dateInZone } from '../../../src/dates.js'
import {
  TABS, actionPath, actionsFor, bookingsCsv, clientZone, fetchRange, filterBookings, matchesClient, needsReason,
  paymentState, queryString, readQuery, refundOutcome, weekDays, weekStart,
} from './bookings/model.js'
import { strings } from './bookings/strings.js'

const DAY = { weekday: 'short', day: 'numeric', month: 'short' }
const TIME = { hour: '2-digit', minute: '2-digit' }

export class BookingsScreen extends ScreenElement {
  static properties = {
    bookings: { state: true },
    detail: { state: true }, // { booking, history } of /app/bookings/<id>
    loading: { state: true },
    failure: { state: true },
    dialog: { state: true }, // { booking, action, error, busy }
  }

  static styles = [baseStyles, css`
    .filters ul, .bookings, .days, .history { list-style: none; margin: 0; padding: 0; }
    .filters ul { display: flex; flex-wrap: wrap; gap: .25rem 1rem; margin: 0 0 .75rem; }
    .filters a { display: inline-block; padding: .35rem .1rem; }
    .filters a[aria-current] { font-weight: 700; text-decoration-thickness: 3px; }
    form.search { display: flex; flex-wrap: wrap; gap: .5rem; align-items: flex-end; margin: 0 0 1rem; }
    form.search label { margin: 0; flex-basis: 100%; }
    form.search input { flex: 1 1 12rem; min-width: 0; }
    .booking { border: 1px solid #d6dae1; border-radius: 10px; padding: .75rem; margin: 0 0 .75rem; background: #fff; }
    .booking:focus { outline: 3px solid #f5a623; }
    .booking h2, .booking h3, .booking h4 { font-size: 1.05rem; margin: 0 0 .25rem; }
    .booking p { margin: .15rem 0; overflow-wrap: anywhere; }
    .status { display: inline-block; padding: 0 .45rem; border-radius: 999px; border: 1px solid currentColor; font-size: .85rem; font-weight: 600; }
    .s-PENDING, .s-HELD { color: #8a4b00; } .s-CONFIRMED, .s-COMPLETED { color: #1c6b2a; }
    .s-CANCELLED, .s-DECLINED, .s-EXPIRED, .s-NO_SHOW { color: #9f1d16; }
    .pay-paid, .pay-deposit_paid, .pay-refunded { color: #1c6b2a; } .pay-awaiting, .pay-processing, .pay-refund_pending, .pay-partly_refunded { color: #8a4b00; }
    .pay-unpaid, .pay-refund_failed { color: #9f1d16; }
    .actions { margin-top: .5rem; }
    .day { margin: 0 0 1rem; }
    .day h3 { font-size: 1rem; margin: 0 0 .4rem; border-bottom: 1px solid #d6dae1; }
    dialog { max-width: min(32rem, calc(100vw - 2rem)); border: 1px solid #767f8c; border-radius: 10px; padding: 1rem; box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .45); }
    dialog h2 { margin-top: 0; }
    dialog textarea { width: 100%; min-height: 4rem; }
    .outcome { background: #f3f5f8; border-radius: 8px; padding: .5rem .75rem; }
    .outcome p { margin: .25rem 0; }
    dl { display: grid; grid-template-columns: minmax(6rem, max-content) 1fr; gap: .25rem 1rem; margin: 0 0 1rem; }
    dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
    .history li { padding: .35rem 0; border-bottom: 1px solid #e3e6eb; }
    @media (max-width: 480px) { dl { grid-template-columns: 1fr; } dd { margin-bottom: .4rem; } }
    /* Wide enough for seven columns: the week as a calendar, Monday to Sunday side by side. */
    @media (min-width: 64rem) {
      .days { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: .5rem; }
      .days .booking { padding: .5rem; font-size: .9rem; }
      .days .booking button { padding: .3rem .5rem; }
    }
  `]

  get t () { return translator(strings, this.locale) }
  get zone () { return this.provider?.time_zone || 'UTC' }
  get state () { return readQuery(this.route?.query || new URLSearchParams()) }
  get bookingId () { return this.route?.name === 'bookings' ? this.route.params[0] : undefined }
  get today () { return dateInZone(Date.now(), this.zone) }

  // What to read follows from the address: the list's dates, or one booking.
  willUpdate (changed) {
    if (!(changed.has('route') || changed.has('providerId') || changed.has('provider')) || !this.api || !this.providerId) return
    const id = this.bookingId
    const range = id ? null : fetchRange(this.state, this.today)
    const key = id ? `one/${this.providerId}/${id}` : `list/${this.providerId}/${range.from}/${range.to}`
    if (key !== this.loadedKey) this.load(key)
  }

  async load (key = this.loadedKey) {
    this.loadedKey = key
    this.loading = true
    this.failure = null
    try {
      if (this.bookingId) {
        const doc = await this.api.get(`/v1/bookings/${encodeURIComponent(this.bookingId)}/history`)
        if (key === this.loadedKey) this.detail = doc
      } else {
        const { from, to } = fetchRange(this.state, this.today)
        const doc = await this.api.get(providerPath(this.providerId, 'bookings'), { from, to })
        if (key === this.loadedKey) this.bookings = doc.bookings
      }
    } catch (e) {
      if (key === this.loadedKey) this.failure = e
    } finally {
      if (key === this.loadedKey) this.loading = false
    }
  }

  link (changes) {
    return hrefOf('bookings') + queryString({ ...this.state, ...changes })
  }

  serviceName (id) {
    return this.provider?.services?.find((s) => s.id === id)?.name || id
  }

  times (b) {
    return `${formatInstant(this.locale, b.start, this.zone, TIME)}–${formatInstant(this.locale, b.end, this.zone, TIME)}`
  }

  when (b) {
    return `${formatInstant(this.locale, b.start, this.zone, DAY)}, ${this.times(b)}`
  }

  shown () {
    const s = this.state
    const all = this.bookings || []
    if (s.view === 'week') return all.filter((b) => !['CANCELLED', 'DECLINED', 'EXPIRED'].includes(b.status) && matchesClient(b, s.q))
    return filterBookings(all, s, Date.now())
  }

  render () {
    if (this.bookingId) return this.renderDetail()
    const t = this.t
    const s = this.state
    const shown = this.shown()
    return html`
      <h1 tabindex="-1">${t('title')}</h1>
      <p class="hint">${t('times', { zone: this.zone })}</p>
      <div class="filters" role="group" aria-label=${t('view')}><ul>
        ${['list', 'week'].map((v) => html`<li><a href=${this.link({ view: v, week: v === 'week' ? s.week : null })} aria-current=${s.view === v ? 'page' : nothing}>${t(v)}</a></li>`)}
      </ul></div>
      ${s.view === 'list'
        ? html`<div class="filters" role="group" aria-label=${t('tabs')}><ul>
            ${TABS.map((tab) => html`<li><a href=${this.link({ tab })} aria-current=${s.tab === tab ? 'page' : nothing}>${t(tab)}</a></li>`)}
          </ul></div>`
        : nothing}
      <form class="search" role="search" @submit=${this.search}>
        <label for="q">${t('search')}</label>
        <input id="q" name="q" type="search" autocomplete="off" .value=${s.q}>
        <button>${t('searchButton')}</button>
        ${s.q ? html`<a href=${this.link({ q: '' })}>${t('clear')}</a>` : nothing}
      </form>
      <div class="row"><button class="secondary" id="csv" @click=${() => this.downloadCsv(shown)} ?disabled=${!this.bookings}>${t('csv')}</button></div>
      ${this.failure ? html`<p class="error" role="alert">${t('failed', { detail: this.failure.problem?.detail || this.failure.status })}</p>` : nothing}
      ${this.loading && !this.bookings ? html`<p role="status">${t('loading')}</p>` : nothing}
      ${this.bookings ? (s.view === 'week' ? this.renderWeek(shown) : this.renderList(shown)) : nothing}
      ${this.renderDialog()}`
  }

  renderList (shown) {
    const t = this.t
    if (!shown.length) return html`<p id="empty">${this.state.q ? t('noneFor', { q: this.state.q }) : t('none')}</p>`
    return html`<p class="hint" role="status">${t('count', { n: shown.length })}</p>
      <ul class="bookings">${shown.map((b) => this.renderBooking(b, 'h2'))}</ul>`
  }

  renderWeek (shown) {
    const t = this.t
    const monday = weekStart(this.state.week || this.today)
    const days = weekDays(shown, monday, this.zone)
    return html`
      <h2>${t('weekOf', { date: formatInstant(this.locale, `${monday}T12:00:00Z`, 'UTC', { dateStyle: 'long' }) })}</h2>
      <div class="filters" role="group" aria-label=${t('week')}><ul>
        <li><a href=${this.link({ week: addDays(monday, -7) })}>${t('prevWeek')}</a></li>
        <li><a href=${this.link({ week: null })}>${t('thisWeek')}</a></li>
        <li><a href=${this.link({ week: addDays(monday, 7) })}>${t('nextWeek')}</a></li>
      </ul></div>
      <ul class="days">${days.map((d) => html`<li class="day" data-date=${d.date}>
        <h3>${formatInstant(this.locale, `${d.date}T12:00:00Z`, 'UTC', { weekday: 'long', day: 'numeric', month: 'long' })}</h3>
        ${d.bookings.length ? html`<ul class="bookings">${d.bookings.map((b) => this.renderBooking(b, 'h4'))}</ul>` : html`<p class="hint">${t('free')}</p>`}
      </li>`)}</ul>`
  }

  renderBooking (b, level) {
    const t = this.t
    const cz = clientZone(b, this.zone)
    // In the week the day is the column's heading: the time alone.
    const head = html`<a href=${hrefOf('bookings', b.id)}>${level === 'h2' ? this.when(b) : this.times(b)}</a>`
    const id = `h-${b.id}`
    return html`<li class="booking" id=${`b-${b.id}`} tabindex="-1" data-status=${b.status}>
      ${level === 'h2' ? html`<h2 id=${id}>${head}</h2>` : html`<h4 id=${id}>${head}</h4>`}
      <p><strong>${b.client?.name}</strong> · ${b.client?.email}</p>
      ${cz ? html`<p class="hint client-zone">${t('clientTime', { time: formatInstant(this.locale, b.start, cz, { ...DAY, ...TIME }), zone: cz })}</p>` : nothing}
      <p><span class="status s-${b.status}">${this.statusText(b)}</span> ${this.serviceName(b.service)}</p>
      ${this.renderPayment(b)}
      ${this.renderActions(b, id)}
    </li>`
  }

  // A HELD booking of a paid service waits for the payment, not for an email check.
  statusText (b) {
    return this.t(b.status === 'HELD' && b.payment ? 's_HELD_payment' : `s_${b.status}`)
  }

  paymentText (b) {
    const p = paymentState(b)
    if (!p) return ''
    const money = (amount) => formatMoney(this.locale, { amount, currency: p.currency })
    return this.t(`pay_${p.key}`, {
      amount: money(p.amount), of: p.of === undefined ? '' : money(p.of),
      until: p.until ? formatInstant(this.locale, p.until, this.zone, TIME) : '',
    })
  }

  renderPayment (b) {
    const text = this.paymentText(b)
    return text ? html`<p class="payment pay-${paymentState(b).key}" data-payment=${paymentState(b).key}>${text}</p>` : nothing
  }

  renderActions (b, describedBy) {
    const actions = actionsFor(b, Date.now())
    if (!actions.length) return nothing
    return html`<div class="row actions">${actions.map((a) => html`<button class=${a === 'confirm' || a === 'complete' ? '' : 'secondary'}
      data-action=${a} aria-describedby=${describedBy || nothing} @click=${(e) => this.openDialog(b, a, e.currentTarget)}>${this.t(a)}</button>`)}</div>`
  }

  // ---- the action dialog ----

  openDialog (booking, action, opener) {
    this.opener = opener
    this.acted = false
    this.dialog = { booking, action, error: null, busy: false }
    this.updateComplete.then(() => {
      const d = this.renderRoot.querySelector('dialog')
      if (d && !d.open) d.showModal()
    })
  }

  closeDialog () {
    this.renderRoot.querySelector('dialog')?.close()
  }

  dialogClosed (event) {
    // A close event is queued as a task: by the time it arrives the same
    // element may have been opened again for the next action (Escape, then
    // Enter at once). Only a dialog that is still closed ends the state.
    if (event?.target?.open) return
    const opener = this.opener
    this.dialog = null
    // Back to the button that opened it; when the action succeeded that
    // button may be gone, and act() moves focus itself.
    if (opener?.isConnected && !this.acted) opener.focus()
    this.acted = false
  }

  outcomeText (booking, action) {
    const t = this.t
    const o = refundOutcome(booking, action)
    if (!o) return [t(action === 'confirm' ? 'sayConfirm' : 'sayComplete')]
    const out = []
    if (o.paid) {
      const vars = { refund: formatMoney(this.locale, o.refund), paid: formatMoney(this.locale, o.received) }
      out.push(t(action === 'no_show' ? 'paidNoRefund' : 'paidRefundAll', vars))
    } else if (booking.payment) out.push(t('nothingTaken'))
    else if (!o.price) out.push(t('freeBooking'))
    else {
      const vars = { refund: formatMoney(this.locale, o.refund), percent: o.percent, price: formatMoney(this.locale, o.price) }
      if (o.paid) out.push(t('paidRefund', vars))
      else out.push(t('notPaid'), t(o.percent === 100 ? 'policyFull' : 'policyNone', vars))
    }
    if (action === 'no_show') out.push(t('sayNoShow'))
    return out
  }

  renderDialog () {
    const d = this.dialog
    const t = this.t
    if (!d) return nothing
    const b = d.booking
    const reasonError = d.error ? problemAt(d.error, 'reason') : ''
    return html`<dialog aria-labelledby="act-title" aria-describedby="act-outcome" @close=${this.dialogClosed}>
      <form method="dialog" @submit=${this.act}>
        <h2 id="act-title">${t(`do${d.action}`)}</h2>
        <p>${b.client?.name}, ${this.when(b)}</p>
        <div class="outcome" id="act-outcome">${this.outcomeText(b, d.action).map((p) => html`<p>${p}</p>`)}</div>
        ${needsReason(d.action)
          ? html`<label for="reason">${t('reasonLabel')}</label>
            <textarea id="reason" maxlength="500" aria-invalid=${reasonError ? 'true' : 'false'} aria-describedby=${reasonError ? 'reason-error' : nothing}></textarea>
            ${reasonError ? html`<p class="error" id="reason-error">${reasonError}</p>` : nothing}`
          : nothing}
        ${d.error && !reasonError ? html`<p class="error" role="alert">${t('failed', { detail: d.error.problem?.detail || d.error.status })}</p>` : nothing}
        <div class="row actions">
          <button type="submit" id="act-go" class=${['confirm', 'complete'].includes(d.action) ? '' : 'danger'} ?disabled=${d.busy}>${t(`do${d.action}`)}</button>
          <button type="button" class="secondary" id="act-back" @click=${this.closeDialog}>${t('keep')}</button>
        </div>
      </form>
    </dialog>`
  }

  async act (event) {
    event.preventDefault()
    const d = this.dialog
    if (!d || d.busy) return
    const reason = this.renderRoot.querySelector('#reason')?.value.trim()
    this.dialog = { ...d, busy: true, error: null }
    try {
      await this.api.post(`/v1/bookings/${encodeURIComponent(d.booking.id)}/${actionPath[d.action]}`, reason ? { reason } : {})
    } catch (e) {
      this.dialog = { ...d, busy: false, error: e }
      // The disabled button lost focus: back to the field the problem names, else the button.
      await this.updateComplete
      this.renderRoot.querySelector(problemAt(e, 'reason') ? '#reason' : '#act-go')?.focus()
      return
    }
    this.acted = true
    this.closeDialog()
    this.announce(this.t(`done_${d.action}`))
    await this.load()
    await this.updateComplete
    // Focus stays with the booking when it is still shown; else on the heading.
    const item = this.renderRoot.querySelector(`#b-${CSS.escape(d.booking.id)}`) || this.renderRoot.querySelector('h1')
    item?.focus()
  }

  search (event) {
    event.preventDefault()
    this.go(this.link({ q: new FormData(event.target).get('q').trim() }))
  }

  downloadCsv (shown) {
    const csv = bookingsCsv(shown, this.zone)
    const a = document.createElement('a')
    a.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }))
    a.download = `bookings-${this.providerId}-${this.state.view === 'week' ? `week-${weekStart(this.state.week || this.today)}` : this.state.tab}.csv`
    a.hidden = true
    this.renderRoot.append(a)
    a.click()
    a.remove()
    setTimeout(() => URL.revokeObjectURL(a.href), 10000)
    this.announce(this.t('csvDone', { n: shown.length }))
  }

  // ---- one booking ----

  renderDetail () {
    const t = this.t
    const back = html`<p><a href=${hrefOf('bookings')}>${t('back')}</a></p>`
    if (this.failure) {
      return html`<h1 tabindex="-1">${this.failure.status === 404 ? t('notFound') : t('title')}</h1>${back}
        ${this.failure.status === 404 ? nothing : html`<p class="error" role="alert">${t('failed', { detail: this.failure.problem?.detail || this.failure.status })}</p>`}`
    }
    const doc = this.detail?.booking?.id === this.bookingId ? this.detail : null
    if (!doc) return html`<h1 tabindex="-1">${t('title')}</h1>${back}<p role="status">${t('loading')}</p>`
    const b = doc.booking
    const cz = clientZone(b, this.zone)
    const row = (label, value) => value ? html`<dt>${label}</dt><dd>${value}</dd>` : nothing
    return html`
      <h1 tabindex="-1">${t('detailTitle', { name: b.client?.name })}</h1>
      ${back}
      <div class="booking" id=${`b-${b.id}`} tabindex="-1">
        <dl>
          ${row(t('when'), `${this.when(b)} (${this.zone})`)}
          ${cz ? row(t('client'), t('clientTime', { time: formatInstant(this.locale, b.start, cz, { ...DAY, ...TIME }), zone: cz })) : nothing}
          ${row(t('status'), html`<span class="status s-${b.status}">${this.statusText(b)}</span>`)}
          ${row(t('payment'), this.paymentText(b))}
          ${row(t('service'), this.serviceName(b.service))}
          ${row(t('client'), `${b.client?.name} · ${b.client?.email}`)}
          ${row(t('phone'), b.client?.phone)}
          ${row(t('price'), b.price?.amount > 0 ? formatMoney(this.locale, b.price) : t('free'))}
          ${row(t('notes'), b.notes)}
          ${row(t('meeting'), b.meeting_link)}
          ${row(t('cancelledBy'), b.cancelled_by ? t(`by_${b.cancelled_by}`) : '')}
          ${row(t('reason'), b.cancellation_reason)}
          ${row(t('refunded'), b.refund?.paid ? formatMoney(this.locale, b.refund) : '')}
        </dl>
        ${this.renderActions(b)}
      </div>
      <h2 id="history">${t('history')}</h2>
      ${doc.history.length
        ? html`<ol class="history" aria-labelledby="history">${doc.history.map((e) => html`<li data-action=${e.action}>
            <strong>${t(`a_${e.action}`)}</strong> ${t(`by_${e.actor}`)}
            · ${formatInstant(this.locale, e.at, this.zone, { dateStyle: 'medium', timeStyle: 'short' })}
            ${this.historyDetail(e)}</li>`)}</ol>`
        : html`<p>${t('noHistory')}</p>`}
      ${this.renderDialog()}`
  }

  historyDetail (e) {
    const t = this.t
    const parts = []
    const d = e.detail || {}
    const show = (v) => (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v) ? formatInstant(this.locale, v, this.zone) : t(`s_${v}`))
    if (d.from) parts.push(t('from', { value: show(d.from) }))
    if (d.to) parts.push(t('to', { value: show(d.to) }))
    if (typeof d.refund === 'number' && this.detail?.booking?.price) parts.push(t('refundOf', { value: formatMoney(this.locale, { amount: d.refund, currency: this.detail.booking.price.currency }) }))
    return parts.length ? html`<span class="hint">(${parts.join(', ')})</span>` : nothing
  }
}
customElements.define('sw-screen-bookings', BookingsScreen)
