// The services screen: /app/services lists them (activate, deactivate,
// duplicate, delete), /app/services/<id> and /app/services/new edit one.
// Every rule of a service lives in services/rules.js and is shown at its
// field while the provider types; the server's problems are the second line,
// mapped to the field they name.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles, problemAt } from '../ui.js'
import { hrefOf } from '../router.js'
import { translator, formatMoney } from '../i18n.js'
import { strings } from './services/strings.js'
import {
  CHANNELS, LIMITS, POLICIES, validate, toMinor, fromMinor, numberField, newService, duplicateOf, withService,
  withoutService, problemField, rules,
} from './services/rules.js'

const fieldOf = Object.fromEntries(rules.map((r) => [r.id, r.field]))
const idOf = (path) => 'f-' + path.replace(/\//g, '-')

export class ServicesScreen extends ScreenElement {
  static properties = {
    draft: { state: true }, // the service being edited, as PUT will take it
    priceText: { state: true },
    touched: { state: true },
    submitted: { state: true },
    saving: { state: true },
    failure: { state: true }, // the server's ApiError for the last change
    listMessage: { state: true },
    pending: { state: true }, // the service the delete dialog asks about
  }

  static styles = [baseStyles, css`
    ul.list { list-style: none; padding: 0; margin: 0; }
    .card h2 { margin: 0 0 .25rem; font-size: 1.1rem; }
    .card p { margin: .15rem 0; }
    .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin-top: .5rem; }
    a.button { display: inline-block; padding: .45rem .9rem; border-radius: 6px; border: 1px solid #1d4fc4; background: #1d4fc4; color: #fff; text-decoration: none; }
    a.button.secondary { background: #fff; color: #1d4fc4; }
    .status { font-weight: 600; }
    fieldset { border: 1px solid #d6dae1; border-radius: 8px; margin: 1rem 0; padding: .5rem .75rem .75rem; min-width: 0; }
    legend { font-weight: 600; padding: 0 .25rem; }
    fieldset fieldset { margin: .5rem 0; }
    .items { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
    .item label { margin-top: 0; }
    input.num { width: 8rem; }
    input.wide { width: 24rem; }
    label.check { display: flex; gap: .5rem; align-items: center; font-weight: 400; margin: .4rem 0; }
    .error p { margin: .2rem 0; }
    .error:empty { display: none; }
    dialog { border: 1px solid #767f8c; border-radius: 10px; max-width: min(28rem, calc(100vw - 2rem)); box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .4); }
  `]

  constructor () {
    super()
    this.touched = new Set()
    this.routeKey = null
  }

  // Numbers in messages ("525,600", "525.600") as the dashboard's language writes them.
  get t () {
    if (this.tLocale !== this.locale) {
      const tr = translator(strings, this.locale)
      const nf = new Intl.NumberFormat(this.locale)
      this.tLocale = this.locale
      this.tCached = (key, vars) => tr(key, vars && Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === 'number' ? nf.format(v) : v])))
    }
    return this.tCached
  }

  range ([min, max]) { return this.t('range', { min, max }) }
  get services () { return this.provider?.services || [] }
  get mode () { return this.route?.params?.[0] }

  willUpdate () {
    // A new route opens a fresh form; a saved provider alone does not, so
    // what the provider is typing is never thrown away under them.
    const key = `${this.providerId}/${this.route?.params?.join('/')}?${this.route?.query}`
    if (this.provider && key !== this.routeKey) {
      this.routeKey = key
      this.openForm()
    }
  }

  openForm () {
    this.failure = null
    this.listMessage = ''
    this.touched = new Set()
    this.submitted = false
    const id = this.mode
    if (!id) { this.draft = null; return }
    const plan = this.me?.account?.plan
    const source = this.services.find((s) => s.id === (id === 'new' ? this.route.query.get('from') : id))
    if (id === 'new') {
      this.originalId = null
      this.draft = source ? duplicateOf(source, this.services) : newService(this.provider, plan)
    } else {
      this.originalId = id
      this.draft = source ? structuredClone(source) : null
    }
    if (this.draft) {
      this.draft.reminders ??= []
      this.priceText = fromMinor(this.draft.price?.amount, this.draft.price?.currency, this.decimalMark())
    }
  }

  decimalMark () {
    return new Intl.NumberFormat(this.locale).formatToParts(1.5).find((p) => p.type === 'decimal')?.value || '.'
  }

  context () {
    return {
      services: this.services.filter((s) => s.id !== this.originalId),
      schedules: Object.keys(this.provider?.schedules || {}),
      plan: this.me?.account?.plan,
    }
  }

  // Applies `change` to a copy of the draft and marks `field` as touched,
  // so its rules are shown from now on.
  edit (field, change) {
    const draft = structuredClone(this.draft)
    change(draft)
    this.draft = draft
    this.touched = new Set([...this.touched, ...[field].flat()])
  }

  // The texts shown at `path`: broken rules (once touched or after a save
  // attempt) and the server's problem when it names this path.
  messagesAt (path, exact = false) {
    const t = this.t
    const shown = this.errors.filter((e) => e.path === path && (this.submitted || this.touched.has(fieldOf[e.rule])))
    const out = shown.map((e) => t(e.text, e.vars))
    const problem = this.failure?.problem
    if (problem) {
      const index = this.services.findIndex((s) => s.id === this.originalId)
      const i = index < 0 ? this.services.length : index
      const text = problem.code === 'PLAN_LIMIT' ? path === 'active' && t('planLimit') : problemAt(this.failure, `/services/${i}/${path}`)
      if (text && (!exact || problem.code === 'PLAN_LIMIT' || problemField(problem, i) === path)) { out.push(text); this.placed = true }
    }
    return out
  }

  errorBox (path, messages) {
    return html`<div class="error" id="${idOf(path)}-err">${messages.map((m) => html`<p>${m}</p>`)}</div>`
  }

  // A one-line input bound to `path`, with its label, range hint and errors.
  input (path, label, value, onInput, { hint = '', mode = 'numeric', cls = 'num', exact = false, ...rest } = {}) {
    const id = idOf(path)
    const messages = this.messagesAt(path, exact)
    return html`<div class="item">
      <label for=${id}>${label}</label>
      <input id=${id} class=${cls} .value=${value == null ? '' : String(value)} inputmode=${mode} autocomplete="off"
        maxlength=${rest.maxlength ?? nothing} ?required=${rest.required} aria-invalid=${messages.length ? 'true' : 'false'} aria-describedby="${id}-hint ${id}-err"
        @input=${(e) => onInput(e.target.value)}>
      <p class="hint" id="${id}-hint">${hint}</p>
      ${this.errorBox(path, messages)}
    </div>`
  }

  // A whole-number field with the rule's range as its hint.
  number (path, label, [min, max], { nullable = false, hint = '' } = {}) {
    return this.input(path, label, this.draft[path], (v) => this.edit(path, (d) => { d[path] = numberField(v, nullable) }),
      { hint: [this.range([min, max]), hint].filter(Boolean).join(' · ') })
  }

  check (path, label, hint = '') {
    const id = idOf(path)
    const messages = this.messagesAt(path)
    return html`<label class="check" for=${id}><input type="checkbox" id=${id} .checked=${!!this.draft[path]}
        aria-describedby="${id}-hint ${id}-err" aria-invalid=${messages.length ? 'true' : 'false'}
        @change=${(e) => this.edit(path, (d) => { d[path] = e.target.checked })}>${label}</label>
      ${hint ? html`<p class="hint" id="${id}-hint">${hint}</p>` : html`<span id="${id}-hint"></span>`}
      ${this.errorBox(path, messages)}`
  }

  // A list editor: each item with a remove button, then an add button.
  // Focus goes to the new item's first input, or to the add button after a removal.
  list (field, items, renderItem, { max, add, addLabel, removeLabel, min = 0 }) {
    return html`${items.map((item, i) => html`<div class="items">${renderItem(item, i)}
        ${items.length > min ? html`<button type="button" class="secondary" @click=${() => { this.edit(field, (d) => { listOf(d, field).splice(i, 1) }); this.focusNext = `#add-${field}` }}>${removeLabel(i + 1)}</button>` : nothing}
      </div>`)}
      ${items.length < max ? html`<button type="button" class="secondary" id="add-${field}" @click=${() => { this.edit(field, (d) => { listOf(d, field).push(add()) }); this.focusNext = `#${idOf(`${field}/${items.length}`)}, #${idOf(`${field}/${items.length}/${firstKey(add())}`)}` }}>${addLabel}</button>` : nothing}`
  }

  updated () {
    if (this.focusNext) {
      this.renderRoot.querySelector(this.focusNext)?.focus()
      this.focusNext = null
    }
  }

  async save (event) {
    event.preventDefault()
    if (this.saving) return
    this.submitted = true
    this.failure = null
    this.errors = validate(this.draft, this.context())
    if (this.errors.length) {
      await this.updateComplete
      // The form's alert says how many; the first broken field takes focus.
      this.renderRoot.querySelector('[aria-invalid=true]')?.focus()
      return
    }
    this.saving = true
    try {
      const saved = await this.saveProvider(withService(this.provider, this.draft, this.originalId))
      this.provider = saved
      this.announce(this.t('saved'))
      if (this.originalId !== this.draft.id) this.go(hrefOf('services', this.draft.id))
      else { this.routeKey = null; this.requestUpdate() }
    } catch (e) {
      this.failure = e
      await this.updateComplete
      this.renderRoot.querySelector('[aria-invalid=true], #refused')?.focus()
    } finally {
      this.saving = false
    }
  }

  // Activate or deactivate from the list; the server judges the plan's limit.
  async toggle (service) {
    if (this.saving) return
    this.listMessage = ''
    this.saving = true
    try {
      this.provider = await this.saveProvider(withService(this.provider, { ...service, active: service.active === false }, service.id))
      this.announce(this.t(service.active === false ? 'activated' : 'deactivated', { name: service.name }))
    } catch (e) {
      this.listMessage = e.code === 'PLAN_LIMIT' ? this.t('planLimit') : this.t('refused', { detail: e.problem?.detail || e.code })
    } finally {
      this.saving = false
    }
  }

  askDelete (service, button) {
    this.pending = service
    this.returnFocus = button
    this.updateComplete.then(() => this.renderRoot.querySelector('dialog').showModal())
  }

  closeDialog () {
    this.renderRoot.querySelector('dialog')?.close()
  }

  async confirmDelete () {
    const service = this.pending
    try {
      this.provider = await this.saveProvider(withoutService(this.provider, service.id))
      this.returnFocus = this.renderRoot.querySelector('h1')
      this.closeDialog()
      this.announce(this.t('deleted', { name: service.name }))
    } catch (e) {
      this.closeDialog()
      this.listMessage = this.t('refused', { detail: e.problem?.detail || e.code })
    }
  }

  render () {
    if (!this.provider) return html`<h1 tabindex="-1">${this.t('title')}</h1>`
    return this.mode ? this.renderForm() : this.renderList()
  }

  renderList () {
    const t = this.t
    return html`<h1 tabindex="-1">${t('title')}</h1>
      <p><a class="button" href=${hrefOf('services', 'new')}>${t('newService')}</a></p>
      <div role="alert" id="list-message">${this.listMessage ? html`<p class="error">${this.listMessage}</p>` : nothing}</div>
      ${this.services.length ? nothing : html`<p>${t('empty')}</p>`}
      <ul class="list">${this.services.map((s) => html`<li class="card" data-service=${s.id}>
        <h2>${s.name}</h2>
        <p class="hint">${s.id} · ${t('minutes', { list: (s.durations || []).join(', ') })} · ${formatMoney(this.locale, s.price)}</p>
        <p class="status">${s.active === false ? t('inactive') : t('active')}</p>
        <div class="actions" role="group" aria-label=${t('actionsFor', { name: s.name })}>
          <a class="button secondary" href=${hrefOf('services', s.id)}>${t('edit')}</a>
          <a class="button secondary" href=${`${hrefOf('services', 'new')}?from=${encodeURIComponent(s.id)}`}>${t('duplicate')}</a>
          <button type="button" class="secondary" @click=${() => this.toggle(s)}>${s.active === false ? t('activate') : t('deactivate')}</button>
          <button type="button" class="danger" @click=${(e) => this.askDelete(s, e.currentTarget)}>${t('delete')}</button>
        </div>
      </li>`)}</ul>
      <dialog aria-labelledby="delete-title" @close=${() => { this.pending = null; this.returnFocus?.focus() }}>
        ${this.pending ? html`<h2 id="delete-title">${t('deleteTitle', { name: this.pending.name })}</h2>
          <p>${t('deleteText')}</p>
          <div class="actions">
            <button type="button" class="secondary" autofocus @click=${() => this.closeDialog()}>${t('cancel')}</button>
            <button type="button" class="danger" @click=${() => this.confirmDelete()}>${t('delete')}</button>
          </div>` : nothing}
      </dialog>`
  }

  renderForm () {
    const t = this.t
    const back = html`<p><a href=${hrefOf('services')}>${t('back')}</a></p>`
    if (!this.draft) return html`${back}<h1 tabindex="-1">${t('notFound', { id: this.mode })}</h1>`
    const d = this.draft
    this.errors = validate(d, this.context())
    this.placed = false
    const policy = Array.isArray(d.cancellation_policy) ? 'custom' : d.cancellation_policy
    const currency = d.price?.currency
    const setPrice = (text, cur) => this.edit(['price/amount', 'price/currency'], (x) => { x.price = { amount: toMinor(text, cur), currency: cur } })
    const fields = html`
      ${this.input('name', t('name'), d.name, (v) => this.edit('name', (x) => {
        x.name = v
        // A new service's id follows its name until the provider types one.
        if (!this.originalId && !this.touched.has('id')) x.id = slugOf(v)
      }), { mode: 'text', cls: 'wide', required: true })}
      ${this.originalId
        ? html`<p><strong>${t('id')}:</strong> <code>${d.id}</code></p><p class="hint">${t('idFixed')}</p>`
        : this.input('id', t('id'), d.id, (v) => this.edit('id', (x) => { x.id = v.trim() }), { mode: 'text', hint: t('idHint'), maxlength: LIMITS.idMax, required: true })}
      ${this.check('active', t('activeField'))}

      <fieldset><legend>${t('durations')}</legend>
        <p class="hint">${t('durationsHint', { max: LIMITS.durations })}</p>
        ${this.list('durations', d.durations || [], (v, i) => this.input(`durations/${i}`, t('durationN', { n: i + 1 }), v,
            (text) => this.edit('durations', (x) => { x.durations[i] = numberField(text) }), { hint: this.range(LIMITS.duration) }),
          { min: 1, max: LIMITS.durations, add: () => (d.durations.includes(60) ? '' : 60), addLabel: t('addDuration'), removeLabel: (n) => t('removeDuration', { n }) })}
        ${this.errorBox('durations', this.messagesAt('durations', true))}
      </fieldset>

      <fieldset><legend>${t('timing')}</legend><div class="items">
        ${this.number('buffer_before_minutes', t('bufferBefore'), LIMITS.buffer)}
        ${this.number('buffer_after_minutes', t('bufferAfter'), LIMITS.buffer)}
        ${this.number('slot_interval_minutes', t('interval'), LIMITS.interval, { nullable: true, hint: t('intervalHint') })}
        ${this.number('min_notice_minutes', t('notice'), LIMITS.notice)}
        ${this.number('max_advance_days', t('advance'), LIMITS.advance, { nullable: true, hint: t('advanceHint') })}
      </div>
      ${this.schedulePicker()}
      </fieldset>

      <fieldset><legend>${t('price')}</legend><div class="items">
        ${this.input('price/amount', t('price'), this.priceText, (v) => { this.priceText = v; setPrice(v, currency) },
          { mode: 'decimal', required: true, hint: Number.isInteger(d.price?.amount) && /^[A-Z]{3}$/.test(currency) ? t('priceShown', { money: formatMoney(this.locale, d.price) }) : '' })}
        ${this.input('price/currency', t('currency'), currency, (v) => setPrice(this.priceText, v.toUpperCase()), { mode: 'text', maxlength: 3, required: true, hint: 'EUR, USD, JPY…' })}
      </div></fieldset>

      <fieldset><legend>${t('policy')}</legend>
        ${[...POLICIES, 'custom'].map((p) => html`<label class="check"><input type="radio" name="policy" id="f-policy-${p}" value=${p} .checked=${policy === p}
          @change=${() => this.edit('cancellation_policy', (x) => { x.cancellation_policy = p === 'custom' ? [{ hours_before: 24, percent: 100 }] : p })}>${t(p)}</label>`)}
        ${this.errorBox('cancellation_policy', this.messagesAt('cancellation_policy', true))}
        ${policy === 'custom' ? html`<p class="hint">${t('tiersHint')}</p>
          ${this.list('cancellation_policy', d.cancellation_policy, (tier, i) => html`<fieldset><legend>${t('tierN', { n: i + 1 })}</legend><div class="items">
            ${this.input(`cancellation_policy/${i}/hours_before`, t('tierHours'), tier.hours_before, (v) => this.edit('cancellation_policy', (x) => { x.cancellation_policy[i].hours_before = numberField(v) }), { hint: this.range(LIMITS.hours) })}
            ${this.input(`cancellation_policy/${i}/percent`, t('tierPercent'), tier.percent, (v) => this.edit('cancellation_policy', (x) => { x.cancellation_policy[i].percent = numberField(v) }), { hint: this.range(LIMITS.percent) })}
          </div></fieldset>`, { max: 20, add: () => ({ hours_before: 0, percent: 0 }), addLabel: t('addTier'), removeLabel: (n) => t('removeTier', { n }) })}` : nothing}
      </fieldset>

      <fieldset><legend>${t('options')}</legend>
        ${this.check('virtual', t('virtual'), t('virtualHint'))}
        ${this.check('requires_confirmation', t('confirm'))}
        ${this.check('verify_client_email', t('verify'))}
      </fieldset>

      <fieldset><legend>${t('reminders')}</legend>
        ${d.reminders.length ? nothing : html`<p class="hint">${t('noReminders')}</p>`}
        ${this.list('reminders', d.reminders, (r, i) => html`<fieldset><legend>${t('reminderN', { n: i + 1 })}</legend>
            ${this.input(`reminders/${i}/before_minutes`, t('beforeMinutes'), r.before_minutes, (v) => this.edit('reminders', (x) => { x.reminders[i].before_minutes = numberField(v) }), { hint: this.range(LIMITS.reminder) })}
            <fieldset aria-describedby="${idOf(`reminders/${i}/channels`)}-err"><legend>${t('channels')}</legend>
              ${CHANNELS.map((c) => html`<label class="check"><input type="checkbox" id=${idOf(`reminders/${i}/${c}`)} .checked=${(r.channels || []).includes(c)}
                @change=${(e) => this.edit('reminders', (x) => { const list = x.reminders[i].channels || []; x.reminders[i].channels = e.target.checked ? CHANNELS.filter((k) => k === c || list.includes(k)) : list.filter((k) => k !== c) })}>${t(c)}</label>`)}
              ${this.errorBox(`reminders/${i}/channels`, this.messagesAt(`reminders/${i}/channels`))}
            </fieldset></fieldset>`,
          { max: LIMITS.reminders, add: () => ({ before_minutes: d.reminders.some((r) => r.before_minutes === 1440) ? '' : 1440, channels: ['email'] }), addLabel: t('addReminder'), removeLabel: (n) => t('removeReminder', { n }) })}
        ${this.errorBox('reminders', this.messagesAt('reminders', true))}
        ${this.number('review_request_after_minutes', t('review'), LIMITS.review, { nullable: true, hint: t('reviewHint') })}
      </fieldset>`
    const problem = this.failure && !this.placed
      ? html`<p class="error" id="refused" tabindex="-1">${t('refused', { detail: this.failure.problem?.detail || this.failure.code })}</p>`
      : nothing
    const blocked = this.submitted && this.errors.length
    return html`${back}
      <h1 tabindex="-1">${this.originalId ? t('editTitle', { name: this.services.find((s) => s.id === this.originalId)?.name }) : t('newService')}</h1>
      <form novalidate @submit=${this.save}>
        ${fields}
        <div role="alert">${problem}${blocked ? html`<p class="error">${t('fix', { count: this.errors.length })}</p>` : nothing}</div>
        <div class="actions"><button type="submit" aria-disabled=${this.saving ? 'true' : 'false'}>${this.saving ? t('saving') : t('save')}</button></div>
      </form>`
  }

  schedulePicker () {
    const names = Object.keys(this.provider.schedules || {})
    const messages = this.messagesAt('schedule')
    return html`<div class="item"><label for="f-schedule">${this.t('schedule')}</label>
      <select id="f-schedule" aria-describedby="f-schedule-err" aria-invalid=${messages.length ? 'true' : 'false'}
        @change=${(e) => this.edit('schedule', (x) => { x.schedule = e.target.value })}>
        ${names.map((n) => html`<option ?selected=${(this.draft.schedule ?? 'default') === n}>${n}</option>`)}
      </select>${this.errorBox('schedule', messages)}</div>`
  }
}

function listOf (draft, field) {
  if (!Array.isArray(draft[field])) draft[field] = []
  return draft[field]
}
// "Massage – 60 min" -> "massage-60-min": the characters an id may hold.
function slugOf (name) {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, LIMITS.idMax)
}
function firstKey (item) {
  return item && typeof item === 'object' ? Object.keys(item)[0] : ''
}

customElements.define('sw-screen-services', ServicesScreen)
