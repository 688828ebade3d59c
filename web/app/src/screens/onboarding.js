// The onboarding: a newcomer (or an owner adding another practice) gives the
// practice's name, kind and zone, its weekly hours (Mon-Fri 09:00-17:00
// preset), a first service and the provider id, saves them in one PUT and
// gets the embed snippet. The step is in the address bar (?step=hours), so
// the browser's Back moves between steps too; a step cannot be skipped to.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles, emit } from '../ui.js'
import { providerPath } from '../api.js'
import { hrefOf } from '../router.js'
import { translator } from '../i18n.js'
import { strings } from './onboarding/strings.js'
import {
  CURRENCIES, DAYS, DURATIONS, KINDS, STEPS, fieldOfProblem, firstIncomplete, initialState, priceToMinor,
  providerDocument, suggestId, validateStep, withName,
} from './onboarding/model.js'
import { detectedZone, loadPicker } from './onboarding/zones.js'
import { snippetBox, snippetStyles, copyText } from './embed/snippet.js'
import { snippetFor, defaultOptions } from './embed/model.js'

const FORM_STEPS = STEPS.slice(0, 4)

// What was typed survives a reload of this tab (the step is in the address
// bar; without the draft a reload would start over). Gone once saved.
const DRAFT = 'slotwise-onboarding-draft'
function restoreDraft () {
  try {
    const d = JSON.parse(sessionStorage.getItem(DRAFT) || 'null')
    return d && typeof d.name === 'string' && Array.isArray(d.hours) && d.hours.length === DAYS.length ? d : null
  } catch { return null }
}
function saveDraft (state) {
  try {
    if (state) sessionStorage.setItem(DRAFT, JSON.stringify(state))
    else sessionStorage.removeItem(DRAFT)
  } catch { /* storage refused: a reload starts over */ }
}

export class OnboardingScreen extends ScreenElement {
  static properties = {
    state: { state: true },
    step: { state: true },
    errors: { state: true }, // { field: { key, vars } }
    suggestion: { state: true },
    busy: { state: true },
    saved: { state: true }, // { id, doc } once the PUT succeeded
    picker: { state: true }, // 'loading' | 'ready' | 'failed'
    copyStatus: { state: true },
  }

  static styles = [baseStyles, snippetStyles, css`
    ol.steps { list-style: none; display: flex; flex-wrap: wrap; gap: .25rem .75rem; padding: 0; margin: 0 0 1rem; font-size: .9rem; color: #4a5361; }
    ol.steps li[aria-current=step] { color: #12338a; font-weight: 700; }
    form { max-width: 40rem; }
    input[type=text], select, slotwise-zone-picker { width: 100%; }
    .day { display: flex; flex-wrap: wrap; gap: .25rem .5rem; align-items: center; padding: .35rem 0; border-bottom: 1px solid #e3e6eb; }
    .day .name { display: flex; gap: .4rem; align-items: center; min-width: 9rem; margin: 0; font-weight: 600; }
    .day .times { display: flex; flex-wrap: wrap; gap: .25rem .4rem; align-items: center; }
    .day .times label { display: inline; margin: 0; font-weight: 400; }
    .day .pair { display: inline-flex; gap: .4rem; align-items: center; }
    .day input[type=time] { width: 9rem; }
    .zone { margin-top: .75rem; }
    .price { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 8rem); gap: .5rem; }
    .price label { margin-top: 0; }
    .actions { margin-top: 1.25rem; }
    dl { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem; margin: 0; }
    dt { font-weight: 600; } dd { margin: 0; overflow-wrap: anywhere; }
    @media (max-width: 480px) { dl { grid-template-columns: minmax(0, 1fr); } dd { margin-bottom: .4rem; } }
  `]

  constructor () {
    super()
    this.state = null
    this.step = 'practice'
    this.errors = {}
    this.suggestion = ''
    this.busy = false
    this.saved = null
    this.picker = 'loading'
    this.copyStatus = ''
    this.takenIds = []
    this.pendingFocus = null
  }

  get t () { return translator(strings, this.locale) }
  get ownIds () { return this.me?.providers || [] }

  connectedCallback () {
    super.connectedCallback()
    loadPicker().then(() => { this.picker = 'ready' }, () => { this.picker = 'failed' })
  }

  willUpdate (changed) {
    if (!this.state) this.state = restoreDraft() || initialState({ timeZone: detectedZone(), locale: navigator.language })
    if (changed.has('state') && !this.saved) saveDraft(this.state)
    if (changed.has('route') || changed.has('saved')) {
      const wanted = this.route?.query?.get('step') || 'practice'
      if (this.saved) this.step = 'done'
      else {
        const reachable = FORM_STEPS.indexOf(firstIncomplete(this.state, { ownIds: this.ownIds }))
        const i = FORM_STEPS.indexOf(wanted)
        this.step = FORM_STEPS[i < 0 ? 0 : Math.min(i, reachable)]
      }
    }
  }

  updated (changed) {
    // A refused save moves focus to the field the problem names, which may
    // be on another step: it waits until that step is shown.
    if (this.pendingFocus) {
      const el = this.renderRoot.querySelector(this.pendingFocus)
      if (el) {
        this.pendingFocus = null
        el.focus()
        return
      }
    }
    // A new step is announced by moving to its heading (not on the first
    // render: the shell focuses the screen's h1 then).
    if (changed.has('step') && changed.get('step') !== undefined) this.renderRoot.querySelector('h2')?.focus()
  }

  set (patch) {
    this.state = { ...this.state, ...patch }
    const cleared = { ...this.errors }
    for (const k of Object.keys(patch)) delete cleared[k]
    this.errors = cleared
  }

  setDay (day, patch) {
    this.state = { ...this.state, hours: this.state.hours.map((h) => (h.day === day ? { ...h, ...patch } : h)) }
    const cleared = { ...this.errors }
    delete cleared[`${day}-start`]; delete cleared[`${day}-end`]; delete cleared.hours
    this.errors = cleared
  }

  moveTo (step) {
    this.go(`${hrefOf('onboarding')}?step=${step}`)
  }

  async next (e) {
    e.preventDefault()
    const found = validateStep(this.step, this.state, { ownIds: this.ownIds })
    if (Object.keys(found).length) {
      this.errors = Object.fromEntries(Object.entries(found).map(([k, key]) => [k, { key }]))
      await this.updateComplete
      this.renderRoot.querySelector('[aria-invalid=true], #hours-error')?.focus()
      return
    }
    if (this.step === 'address') return this.save()
    this.moveTo(FORM_STEPS[FORM_STEPS.indexOf(this.step) + 1])
  }

  async save () {
    const id = this.state.id
    this.busy = true
    this.errors = {}
    this.suggestion = ''
    try {
      const doc = providerDocument(this.state)
      await this.api.put(providerPath(id), doc)
      const saved = await this.api.get(providerPath(id))
      // The shell reads the account again and opens the new practice (the
      // provider document carries no id for it to switch by).
      localStorage.setItem('slotwise-dashboard-provider', id)
      saveDraft(null)
      this.saved = { id, doc: saved }
      this.announce(this.t('saved'))
      emit(this, 'sw-signed-in')
      this.go(`${hrefOf('onboarding')}?step=done`)
    } catch (error) {
      const where = fieldOfProblem(error.problem)
      // Focus goes to the field, or to the message where the field is a group.
      const target = { hours: '#hours-error', timeZone: '#timeZone-error' }
      this.pendingFocus = where ? target[where.field] || `#${where.field}` : '#form-error'
      if (error.code === 'PROVIDER_ID_TAKEN') {
        this.takenIds = [...this.takenIds, id]
        this.suggestion = suggestId(id, [...this.takenIds, ...this.ownIds])
        this.errors = { id: { key: 'idTaken' } }
      } else if (where) {
        this.errors = { [where.field]: { key: 'serverSays', vars: { detail: error.problem?.detail || error.problem?.title || error.code } } }
        if (where.step !== this.step) this.moveTo(where.step)
      } else {
        this.errors = { form: { key: 'failed', vars: { code: error.code || error.status } } }
      }
    } finally {
      this.busy = false
    }
  }

  useSuggestion () {
    this.set({ id: this.suggestion, idEdited: true })
    this.suggestion = ''
    this.renderRoot.querySelector('#id')?.focus()
  }

  // Label, control, hint and error of one field, tied by ids.
  field (name, label, control, hint = '') {
    const err = this.errors[name]
    return html`
      <label for=${name}>${label}</label>
      ${hint ? html`<p class="hint" id=${`${name}-hint`}>${hint}</p>` : nothing}
      ${control}
      ${err ? html`<p class="error" id=${`${name}-error`}>${this.t(err.key, err.vars)}</p>` : nothing}`
  }

  describedBy (name, hint) {
    return [hint ? `${name}-hint` : '', this.errors[name] ? `${name}-error` : ''].filter(Boolean).join(' ') || nothing
  }

  invalid (name) { return this.errors[name] ? 'true' : nothing }

  dayName (day) {
    // 2024-01-01 was a Monday.
    return new Intl.DateTimeFormat(this.locale, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + DAYS.indexOf(day)))
  }

  minutes (n) {
    return new Intl.NumberFormat(this.locale, { style: 'unit', unit: 'minute', unitDisplay: 'long' }).format(n)
  }

  practiceStep () {
    const t = this.t
    const s = this.state
    return html`
      ${this.field('name', t('name'), html`<input id="name" type="text" autocomplete="organization" .value=${s.name}
        aria-invalid=${this.invalid('name')} aria-describedby=${this.describedBy('name', true)}
        @input=${(e) => { const next = withName(this.state, e.target.value); this.set({ name: next.name, id: next.id }) }}>`, t('nameHint'))}
      ${this.field('kind', t('kind'), html`<select id="kind" aria-invalid=${this.invalid('kind')} aria-describedby=${this.describedBy('kind')}
        @change=${(e) => this.set({ kind: e.target.value })}>
        ${KINDS.map((k) => html`<option value=${k} ?selected=${k === s.kind}>${t(k)}</option>`)}
      </select>`)}
      <div class="zone">
        ${this.picker === 'ready'
          ? html`<slotwise-zone-picker id="timeZone" value=${s.timeZone} detected=${detectedZone()} locale=${this.locale} label=${t('zone')}
              @change=${(e) => e.detail?.zone && this.set({ timeZone: e.detail.zone })}></slotwise-zone-picker>`
          : this.picker === 'failed'
            ? html`<label for="timeZone">${t('zone')}</label><input id="timeZone" type="text" .value=${s.timeZone}
                aria-describedby="zone-hint" @change=${(e) => this.set({ timeZone: e.target.value.trim() })}>`
            : html`<p class="hint" role="status">${t('zoneLoading')}</p>`}
        <p class="hint" id="zone-hint">${t('zoneHint')}</p>
        ${this.errors.timeZone ? html`<p class="error" id="timeZone-error" tabindex="-1">${t(this.errors.timeZone.key, this.errors.timeZone.vars)}</p>` : nothing}
      </div>`
  }

  hoursStep () {
    const t = this.t
    return html`
      <p class="hint" id="hours-hint">${t('hoursHint')}</p>
      ${this.state.hours.map((h) => {
        const name = this.dayName(h.day)
        const startErr = this.errors[`${h.day}-start`]
        const endErr = this.errors[`${h.day}-end`]
        return html`<div class="day">
          <label class="name"><input type="checkbox" id=${`${h.day}-open`} .checked=${h.open}
            @change=${(e) => this.setDay(h.day, { open: e.target.checked })}>${name}</label>
          ${h.open ? html`<span class="times">
            <span class="pair"><label for=${`${h.day}-start`}><span class="visually-hidden">${name} </span>${t('from')}</label>
            <input type="time" id=${`${h.day}-start`} .value=${h.start} aria-invalid=${startErr ? 'true' : nothing}
              aria-describedby=${startErr ? `${h.day}-error` : nothing} @change=${(e) => this.setDay(h.day, { start: e.target.value })}></span>
            <span class="pair"><label for=${`${h.day}-end`}><span class="visually-hidden">${name} </span>${t('until')}</label>
            <input type="time" id=${`${h.day}-end`} .value=${h.end} aria-invalid=${endErr ? 'true' : nothing}
              aria-describedby=${endErr ? `${h.day}-error` : nothing} @change=${(e) => this.setDay(h.day, { end: e.target.value })}></span>
          </span>` : html`<span class="hint">${t('closed')}</span>`}
          ${startErr || endErr ? html`<p class="error" id=${`${h.day}-error`}>${t((startErr || endErr).key)}</p>` : nothing}
        </div>`
      })}
      ${this.errors.hours ? html`<p class="error" id="hours-error" tabindex="-1">${t(this.errors.hours.key, this.errors.hours.vars)}</p>` : nothing}`
  }

  serviceStep () {
    const t = this.t
    const s = this.state
    return html`
      ${this.field('serviceName', t('serviceName'), html`<input id="serviceName" type="text" .value=${s.serviceName}
        aria-invalid=${this.invalid('serviceName')} aria-describedby=${this.describedBy('serviceName', true)}
        @input=${(e) => this.set({ serviceName: e.target.value })}>`, t('serviceHint'))}
      ${this.field('duration', t('duration'), html`<select id="duration" aria-invalid=${this.invalid('duration')} aria-describedby=${this.describedBy('duration')}
        @change=${(e) => this.set({ duration: Number(e.target.value) })}>
        ${DURATIONS.map((d) => html`<option value=${d} ?selected=${d === s.duration}>${this.minutes(d)}</option>`)}
      </select>`)}
      <div class="price">
        <div>${this.field('price', t('price'), html`<input id="price" type="text" inputmode="decimal" .value=${s.price}
          aria-invalid=${this.invalid('price')} aria-describedby=${this.describedBy('price', true)}
          @input=${(e) => this.set({ price: e.target.value })}>`, t('priceHint'))}</div>
        <div><label for="currency">${t('currency')}</label>
          <select id="currency" @change=${(e) => this.set({ currency: e.target.value })}>
            ${CURRENCIES.map((c) => html`<option ?selected=${c === s.currency}>${c}</option>`)}
          </select></div>
      </div>`
  }

  addressStep () {
    const t = this.t
    const s = this.state
    const open = s.hours.filter((h) => h.open).map((h) => `${this.dayName(h.day)} ${h.start}–${h.end}`).join(', ')
    const amount = priceToMinor(s.price, s.currency)
    const price = amount ? new Intl.NumberFormat(this.locale, { style: 'currency', currency: s.currency }).format(amount / (s.currency === 'JPY' ? 1 : 100)) : ''
    return html`
      ${this.field('id', t('id'), html`<input id="id" type="text" autocapitalize="off" spellcheck="false" .value=${s.id}
        aria-invalid=${this.invalid('id')} aria-describedby=${this.describedBy('id', true)}
        @input=${(e) => { this.set({ id: e.target.value.trim(), idEdited: true }); this.suggestion = '' }}>`, t('idHint'))}
      ${this.suggestion ? html`<p><button type="button" class="secondary" id="suggestion" @click=${() => this.useSuggestion()}>${t('useSuggestion', { id: this.suggestion })}</button></p>` : nothing}
      <h3>${t('summary')}</h3>
      <dl>
        <dt>${t('name')}</dt><dd>${s.name} (${t(s.kind)})</dd>
        <dt>${t('zone')}</dt><dd>${s.timeZone}</dd>
        <dt>${t('hours')}</dt><dd>${open}</dd>
        <dt>${t('service')}</dt><dd>${s.serviceName}, ${this.minutes(s.duration)}${price ? `, ${price}` : ''}</dd>
      </dl>`
  }

  doneStep () {
    const t = this.t
    const snippet = snippetFor(location.origin, this.saved.id, { ...defaultOptions(), service: this.saved.doc.services?.[0]?.id || '' })
    return html`
      <h2 tabindex="-1">${t('doneTitle')}</h2>
      <p>${t('doneText')}</p>
      ${snippetBox({
        t, text: snippet, status: this.copyStatus,
        onCopy: async (field) => { this.copyStatus = ''; this.copyStatus = (await copyText(snippet, field)) ? 'ok' : 'failed' },
      })}
      <p><a href=${`${hrefOf('embed')}?service=${encodeURIComponent(this.saved.doc.services?.[0]?.id || '')}`}>${t('moreOptions')}</a></p>
      <p><button type="button" id="to-dashboard" @click=${() => this.go(hrefOf('home'))}>${t('dashboard')}</button></p>`
  }

  render () {
    if (!this.state) return nothing
    const t = this.t
    const title = this.ownIds.length && !this.saved ? t('titleMore') : t('title')
    if (this.step === 'done') return html`<h1 tabindex="-1">${title}</h1>${this.doneStep()}`
    const index = FORM_STEPS.indexOf(this.step)
    return html`
      <h1 tabindex="-1">${title}</h1>
      <ol class="steps" aria-label=${t('steps')}>
        ${FORM_STEPS.map((s, i) => html`<li aria-current=${i === index ? 'step' : nothing}>${i + 1}. ${t(s)}</li>`)}
      </ol>
      <form novalidate @submit=${(e) => this.next(e)}>
        <h2 tabindex="-1">${t('stepOf', { n: index + 1, total: FORM_STEPS.length, name: t(this.step) })}</h2>
        ${this.step === 'practice' ? this.practiceStep() : this.step === 'hours' ? this.hoursStep() : this.step === 'service' ? this.serviceStep() : this.addressStep()}
        ${this.errors.form ? html`<p class="error" role="alert" id="form-error" tabindex="-1">${t(this.errors.form.key, this.errors.form.vars)}</p>` : nothing}
        <div class="row actions">
          ${index > 0 ? html`<button type="button" id="back" class="secondary" @click=${() => this.moveTo(FORM_STEPS[index - 1])}>${t('back')}</button>` : nothing}
          <button type="submit" id="next" ?disabled=${this.busy}>${this.step === 'address' ? (this.busy ? t('saving') : t('save')) : t('next')}</button>
        </div>
      </form>`
  }
}
customElements.define('sw-screen-onboarding', OnboardingScreen)
