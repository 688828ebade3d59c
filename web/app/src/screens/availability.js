// The availability screen: named schedules, weekly windows, date overrides,
// a preview of the free times computed by the WebAssembly engine from the
// unsaved edits, and a warning about bookings a change would leave outside
// hours. The rules live in availability/model.js; this file shows them.
import { html, css, nothing } from 'lit'
import { ScreenElement, baseStyles, problemAt } from '../ui.js'
import { providerPath } from '../api.js'
import { translator } from '../i18n.js'
import { engineFiles, loadZones } from '../engine_files.js'
import { loadEngine, querySlots } from '../../../src/engine.js'
import { addDays, browserTimeZone, dateInZone, formatLocalDate, formatWallTime } from '../../../src/dates.js'
import * as m from './availability/model.js'
import strings from './availability/strings.js'

const PREVIEW_DAYS = 21

// Monday 2024-01-01 onwards gives each weekday's name through Intl.
const dayName = (locale, day) => new Intl.DateTimeFormat(locale, { weekday: 'long', timeZone: 'UTC' }).format(Date.UTC(2024, 0, 1 + m.DAYS.indexOf(day)))

export class AvailabilityScreen extends ScreenElement {
  static properties = {
    edits: { state: true },
    selected: { state: true },
    nameForm: { state: true },
    copyFrom: { state: true },
    form: { state: true },
    formErrors: { state: true },
    service: { state: true },
    visitorZone: { state: true },
    preview: { state: true },
    engineState: { state: true },
    busy: { state: true },
    serverError: { state: true },
    status: { state: true },
    orphans: { state: true },
    saving: { state: true },
    pickerReady: { state: true },
    statusError: { state: true },
  }

  static styles = [baseStyles, css`
    fieldset { border: 1px solid #d6dae1; border-radius: 8px; margin: 0 0 .75rem; padding: .5rem .75rem .75rem; min-width: 0; }
    legend { font-weight: 700; padding: 0 .25rem; }
    .window { display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: end; margin: .25rem 0; }
    .window label, .inline label { margin: 0; font-weight: 500; font-size: .9rem; }
    .time { width: 5.5rem; }
    .field { display: flex; flex-direction: column; }
    .errors { flex-basis: 100%; }
    .errors p { margin: 0; }
    ul.plain { list-style: none; padding: 0; margin: 0; }
    ul.plain > li { padding: .4rem 0; border-bottom: 1px solid #e3e6eb; display: flex; flex-wrap: wrap; gap: .25rem .75rem; align-items: center; }
    .grow { flex: 1 1 12rem; }
    .cols { display: grid; grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr)); gap: 1rem; }
    .days li { display: block; }
    .times { font-variant-numeric: tabular-nums; }
    .date { font-weight: 600; display: block; }
    .bar { border-top: 1px solid #d6dae1; padding: .75rem 0; margin-top: 1rem; }
    dialog { max-width: min(36rem, calc(100vw - 2rem)); border: 1px solid #767f8c; border-radius: 10px; padding: 1rem; box-sizing: border-box; }
    dialog::backdrop { background: rgb(0 0 0 / .4); }
    .spaced { margin-top: .75rem; }
    .card > h2:first-child { margin-top: 0; }
    .plain-label { margin: 0; font-weight: 500; }
    h3 { font-size: 1rem; margin: .75rem 0 .25rem; }
    button.link { background: none; border: none; color: #1d4fc4; text-decoration: underline; padding: .25rem; min-height: 2.5rem; }
  `]

  constructor () {
    super()
    this.edits = null
    this.nameForm = null
    this.copyFrom = null
    this.form = { kind: 'block-range', from: '', to: '', start: '12:00', end: '13:00', windows: [{ start: '09:00', end: '12:00' }] }
    this.formErrors = {}
    this.visitorZone = browserTimeZone() || 'UTC'
    this.preview = null
    this.engineState = 'loading'
    this.busy = null
    this.orphans = []
    this.status = null
    this.pickerReady = false
    this.engine = null
  }

  get t () { return translator(strings, this.locale) }

  connectedCallback () {
    super.connectedCallback()
    loadEngine(engineFiles.module, engineFiles.wasm).then((mod) => {
      this.engine = mod
      // The picker offers only zones this engine knows (a browser's tzdata may be newer).
      this.zoneNames = mod ? mod.zones() : undefined
      this.engineState = mod ? 'ready' : 'missing'
    })
    // Until the picker's chunk is here (or if it fails) a plain field stands in.
    loadZones().then(() => { this.pickerReady = true }, () => {})
    addEventListener('beforeunload', this.keepEdits)
  }

  disconnectedCallback () {
    super.disconnectedCallback()
    removeEventListener('beforeunload', this.keepEdits)
  }

  // Closing or reloading the tab with unsaved hours asks first.
  keepEdits = (event) => {
    if (this.provider && this.edits && m.isDirty(this.provider, this.edits)) event.preventDefault()
  }

  willUpdate (changed) {
    if (changed.has('provider') && this.provider) {
      // A save (or another screen's) hands down the new document: start
      // from it unless there are edits of this screen's own in progress.
      if (!this.edits || !this.saving) this.edits = m.editable(this.provider)
      if (!this.edits.schedules[this.selected]) this.selected = Object.keys(this.edits.schedules)[0]
      if (!this.provider.services?.some((s) => s.id === this.service)) this.service = this.provider.services?.find((s) => s.active !== false)?.id ?? this.provider.services?.[0]?.id
      this.loadBusy()
    }
    if (this.edits) this.errors = m.validate(this.edits)
    if (['edits', 'service', 'visitorZone', 'busy', 'engineState'].some((k) => changed.has(k))) this.computePreview()
  }

  // The busy times the widget would see: the public snapshot's, whose
  // generated_at is the server's clock (the preview's `now` follows it).
  async loadBusy () {
    if (!this.provider || !this.providerId) return
    const today = dateInZone(Date.now(), this.provider.time_zone)
    try {
      const snap = await this.api.get(providerPath(this.providerId, 'snapshot'), { from: addDays(today, -1), to: addDays(today, PREVIEW_DAYS + 2) })
      this.clockSkew = Date.parse(snap.generated_at) - Date.now()
      this.busy = snap.busy || []
    } catch {
      this.clockSkew = 0
      this.busy = []
    }
  }

  now () { return Date.now() + (this.clockSkew || 0) }

  computePreview () {
    if (!this.engine || !this.edits || !this.busy || !this.service) { this.preview = null; return }
    const engine = new this.engine.Engine(JSON.stringify(m.engineSnapshot(this.provider, this.providerId, this.edits, this.busy)))
    try {
      const now = this.now()
      const ask = (zone) => querySlots(engine, m.previewQuery(this.service, zone, now, PREVIEW_DAYS))
      const own = ask(this.provider.time_zone)
      const visitor = ask(this.visitorZone)
      this.preview = own.error || visitor.error ? { error: true } : { own: m.byDate(own.slots), visitor: m.byDate(visitor.slots) }
    } finally {
      engine.delete()
    }
  }

  // ----- edits ---------------------------------------------------------------

  change (edits, key, vars) {
    this.edits = edits
    this.serverError = null
    this.say(key, vars)
  }

  // The message under the save button, kept as a key so that it follows a
  // change of language; announced when it is news.
  say (key, vars, error = false) {
    this.status = key ? { key, vars } : null
    this.statusError = error
    if (key) this.announce(this.t(key, vars))
  }

  get schedule () { return this.edits.schedules[this.selected] }

  scheduleSuffix () { return Object.keys(this.edits.schedules).length > 1 ? ` — ${this.selected}` : '' }

  fieldError (path, local) {
    const code = local ?? this.errors[path]
    return code ? this.t(code) : problemAt(this.serverError, path)
  }

  async focusId (id) {
    await this.updateComplete
    this.renderRoot.getElementById(id)?.focus()
  }

  submitName (event) {
    event.preventDefault()
    const { mode, value } = this.nameForm
    const result = mode === 'new' ? m.addSchedule(this.edits, value, this.selected) : m.renameSchedule(this.edits, this.selected, value)
    if (result.error) {
      this.nameForm = { ...this.nameForm, error: result.error }
      this.focusId('schedule-name')
      return
    }
    this.change(result.edits)
    this.selected = result.name
    this.nameForm = null
    this.focusId('schedule')
  }

  deleteSelected () {
    const result = m.deleteSchedule(this.edits, this.selected)
    if (result.error) { this.say(result.error, null, true); return }
    this.change(result.edits)
    this.selected = Object.keys(result.edits.schedules)[0]
    this.focusId('schedule')
  }

  addWindow (day) {
    const { edits, index } = m.addWindow(this.edits, this.selected, day)
    this.change(edits)
    this.focusId(`w-${index}-start`)
  }

  removeWindow (index, day) {
    this.change(m.removeWindow(this.edits, this.selected, index))
    this.focusId(`add-${day}`)
  }

  openCopy (day) {
    this.copyFrom = day
    this.updateComplete.then(() => {
      const dialog = this.renderRoot.getElementById('copy-dialog')
      for (const box of dialog.querySelectorAll('input')) box.checked = false
      dialog.showModal()
    })
  }

  submitCopy (event) {
    event.preventDefault()
    const to = [...this.renderRoot.querySelectorAll('#copy-dialog input:checked')].map((i) => i.value)
    this.renderRoot.getElementById('copy-dialog').close()
    if (to.length) this.change(m.copyDay(this.edits, this.selected, this.copyFrom, to), 'copied', { days: to.map((d) => dayName(this.locale, d)).join(', ') })
  }

  setForm (patch) {
    this.form = { ...this.form, ...patch }
    this.formErrors = {}
  }

  submitOverride (event) {
    event.preventDefault()
    const result = m.addOverrides(this.edits, this.selected, this.form)
    if (result.errors) {
      this.formErrors = result.errors
      const first = Object.keys(result.errors)[0]
      this.focusId('ov-' + first.replaceAll('/', '-'))
      return
    }
    this.change(result.edits, 'added', { count: result.added.length })
  }

  removeOverride (index) {
    this.change(m.removeOverride(this.edits, this.selected, index), 'removed')
    const count = this.schedule.overrides.length
    this.focusId(count ? `ov-remove-${Math.min(index, count - 1)}` : 'overrides-title')
  }

  // ----- saving ----------------------------------------------------------------

  async save () {
    const errors = Object.keys(this.errors)
    if (errors.length) {
      this.say('fixErrors', { count: errors.length }, true)
      const [, name] = errors[0].split('/')
      if (name !== this.selected) this.selected = name
      await this.updateComplete
      this.renderRoot.querySelector('[aria-invalid=true]')?.focus()
      return
    }
    this.saving = true
    try {
      // Without WebAssembly there is no engine to ask, and the save goes
      // ahead unchecked (the preview says why it is missing).
      if (this.engine) {
        const today = dateInZone(this.now(), this.provider.time_zone)
        const answer = await this.api.get(providerPath(this.providerId, 'bookings'), { from: addDays(today, -1), to: addDays(today, 365), status: m.BLOCKING.join(',') })
        this.orphans = m.orphanedBookings(this.engine, this.provider, this.providerId, this.edits, answer.bookings || [], this.now())
        if (this.orphans.length) {
          await this.updateComplete
          this.renderRoot.getElementById('orphans-dialog').showModal()
          return
        }
      }
      await this.store()
    } catch (e) {
      this.failed(e)
    } finally {
      this.saving = false
    }
  }

  async store () {
    this.saving = true
    try {
      // The shell hands the saved document down on its next render; the
      // answer is here now.
      const saved = await this.saveProvider(m.applyEdits(this.provider, this.edits))
      this.edits = m.editable(saved)
      this.serverError = null
      this.say('saved')
    } catch (e) {
      this.failed(e)
    } finally {
      this.saving = false
    }
  }

  async failed (e) {
    this.serverError = e
    this.say('saveFailed', { detail: e?.problem?.detail || e?.problem?.title || e?.message || String(e?.status) }, true)
    const path = m.problemPath(e?.problem).split('/')
    if (path[0] === 'schedules' && this.edits.schedules[path[1]]) this.selected = path[1]
    await this.updateComplete
    ;(this.renderRoot.querySelector('[aria-invalid=true]') || this.renderRoot.getElementById('save'))?.focus()
  }

  async closeOrphans (saveAnyway) {
    this.renderRoot.getElementById('orphans-dialog').close()
    if (saveAnyway) await this.store()
    else this.focusId('save')
  }

  // ----- views -----------------------------------------------------------------

  render () {
    const t = this.t
    if (!this.provider || !this.edits) return html`<h1 tabindex="-1">${t('title')}</h1><p>${t('loading')}</p>`
    const dirty = m.isDirty(this.provider, this.edits)
    return html`
      <h1 tabindex="-1">${t('title')}</h1>
      <p class="hint">${t('intro')}</p>
      ${this.schedulesView()}
      ${this.weeklyView()}
      ${this.overridesView()}
      ${this.previewView()}
      <div class="bar row">
        <button id="save" ?disabled=${this.saving} @click=${() => this.save()}>${t('save')}</button>
        <button class="secondary" ?disabled=${!dirty || this.saving} @click=${() => this.change(m.editable(this.provider))}>${t('discard')}</button>
        <p id="status" class=${this.statusError ? 'error' : 'hint'}>${this.status ? t(this.status.key, this.status.vars) : dirty ? t('unsaved') : ''}</p>
      </div>
      ${this.copyDialog()}
      ${this.orphansDialog()}`
  }

  schedulesView () {
    const t = this.t
    const names = Object.keys(this.edits.schedules)
    const users = m.scheduleUsers(this.edits, this.selected).map((id) => this.edits.services.find((s) => s.id === id)?.name || id)
    const form = this.nameForm
    return html`<section class="card" aria-labelledby="schedules-title">
      <h2 id="schedules-title">${t('schedules')}</h2>
      <label for="schedule">${t('schedule')}</label>
      <select id="schedule" aria-describedby="schedule-users" @change=${(e) => { this.selected = e.target.value; this.nameForm = null }}>
        ${names.map((n) => html`<option .value=${n} ?selected=${n === this.selected}>${n}</option>`)}
      </select>
      <p class="hint" id="schedule-users">${users.length ? t('usedBy', { list: users.join(', ') }) : t('usedByNone')}</p>
      ${this.serverError && m.problemPath(this.serverError.problem) === `schedules/${this.selected}` ? html`<p class="error">${this.serverError.problem.detail}</p>` : nothing}
      ${form
        ? html`<form class="inline" @submit=${(e) => this.submitName(e)}>
            <label for="schedule-name">${form.mode === 'new' ? t('newSchedule') : t('rename')}: ${t('name')}</label>
            <input id="schedule-name" .value=${form.value} maxlength="64" aria-invalid=${form.error ? 'true' : 'false'} aria-describedby="schedule-name-error"
              @input=${(e) => { this.nameForm = { ...form, value: e.target.value, error: '' } }}>
            <p class="error" id="schedule-name-error">${form.error ? t(form.error) : ''}</p>
            <div class="row"><button type="submit">${form.mode === 'new' ? t('create') : t('rename')}</button>
            <button type="button" class="secondary" @click=${() => { this.nameForm = null; this.focusId('schedule') }}>${t('cancel')}</button></div>
          </form>`
        : html`<div class="row">
            <button class="secondary" @click=${() => { this.nameForm = { mode: 'new', value: '' }; this.focusId('schedule-name') }}>${t('newSchedule')}</button>
            <button class="secondary" @click=${() => { this.nameForm = { mode: 'rename', value: this.selected }; this.focusId('schedule-name') }}>${t('rename')}</button>
            <button class="secondary" id="delete-schedule" ?disabled=${users.length > 0 || names.length < 2} @click=${() => this.deleteSelected()}>${t('delete')}</button>
          </div>`}
    </section>`
  }

  timeField (id, label, value, path, onChange) {
    const error = this.fieldError(path)
    return html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} class="time" .value=${value ?? ''} inputmode="numeric" autocomplete="off" maxlength="5" placeholder="HH:MM"
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${error ? id + '-error' : nothing} @change=${(e) => onChange(e.target.value.trim())}>
    </div>`
  }

  errorsOf (pairs) {
    const shown = pairs.map(([id, path, local]) => [id, this.fieldError(path, local)]).filter(([, text]) => text)
    return shown.length ? html`<div class="errors">${shown.map(([id, text]) => html`<p class="error" id=${id + '-error'}>${text}</p>`)}</div>` : nothing
  }

  weeklyView () {
    const t = this.t
    const s = this.schedule
    const base = `schedules/${this.selected}/weekly`
    return html`<section class="card" aria-labelledby="weekly-title">
      <h2 id="weekly-title">${t('weekly')}${this.scheduleSuffix()}</h2>
      ${m.DAYS.map((day) => {
        const name = dayName(this.locale, day)
        const indices = m.windowsOf(s, day)
        return html`<fieldset>
          <legend>${name}</legend>
          ${indices.length ? nothing : html`<p class="hint">${t('closed')}</p>`}
          ${indices.map((i) => {
            const w = s.weekly[i]
            const set = (field) => (v) => this.change(m.updateWindow(this.edits, this.selected, i, field, v))
            return html`<div class="window">
              ${this.timeField(`w-${i}-start`, t('from'), w.start, `${base}/${i}/start`, set('start'))}
              ${this.timeField(`w-${i}-end`, t('to'), w.end, `${base}/${i}/end`, set('end'))}
              <button class="secondary" aria-label=${t('removeWindow', { start: w.start, end: w.end, day: name })} @click=${() => this.removeWindow(i, day)}>${t('remove')}</button>
              ${this.errorsOf([[`w-${i}-start`, `${base}/${i}/start`], [`w-${i}-end`, `${base}/${i}/end`]])}
            </div>`
          })}
          <div class="row">
            <button class="secondary" id=${'add-' + day} aria-label=${t('addHoursOn', { day: name })} @click=${() => this.addWindow(day)}>${t('addHours')}</button>
            ${indices.length ? html`<button class="secondary" id=${'copy-' + day} aria-label=${`${t('copyTo')} (${name})`} @click=${() => this.openCopy(day)}>${t('copyTo')}</button>` : nothing}
          </div>
        </fieldset>`
      })}
    </section>`
  }

  copyDialog () {
    const t = this.t
    const from = this.copyFrom
    return html`<dialog id="copy-dialog" aria-labelledby="copy-title" @close=${() => this.focusId(from ? 'copy-' + from : 'weekly-title')}>
      ${from ? html`<form @submit=${(e) => this.submitCopy(e)}>
        <h2 id="copy-title">${t('copyTitle', { day: dayName(this.locale, from) })}</h2>
        <p class="hint">${t('copyHint')}</p>
        ${m.DAYS.filter((d) => d !== from).map((d) => html`<div class="row"><input type="checkbox" id=${'copy-to-' + d} value=${d}><label for=${'copy-to-' + d} class="plain-label">${dayName(this.locale, d)}</label></div>`)}
        <div class="row spaced"><button type="submit">${t('copy')}</button>
        <button type="button" class="secondary" @click=${() => this.renderRoot.getElementById('copy-dialog').close()}>${t('cancel')}</button></div>
      </form>` : nothing}
    </dialog>`
  }

  describeOverride (o) {
    const t = this.t
    const wall = (s) => (m.isTime(s, { end: true }) && s !== '24:00' ? formatWallTime(this.locale, s) : s)
    if (o.kind === 'replace') return t('overrideReplace', { list: o.windows?.length ? o.windows.map((w) => `${wall(w.start)}–${wall(w.end)}`).join(', ') : t('noHours') })
    if (o.kind === 'add') return t('overrideAdd', { start: wall(o.start), end: wall(o.end) })
    return o.start !== undefined ? t('overrideBlockHours', { start: wall(o.start), end: wall(o.end) }) : t('overrideBlock')
  }

  overridesView () {
    const t = this.t
    const f = this.form
    const err = (k) => (this.formErrors[k] ? t(this.formErrors[k]) : '')
    const input = (id, key, label, value, type, onInput) => html`<div class="field">
      <label for=${id}>${label}</label>
      <input id=${id} type=${type} class=${type === 'date' ? '' : 'time'} .value=${value ?? ''} placeholder=${type === 'date' ? nothing : 'HH:MM'} maxlength=${type === 'date' ? nothing : 5}
        aria-invalid=${err(key) ? 'true' : 'false'} aria-describedby=${err(key) ? id + '-error' : nothing} @input=${(e) => onInput(e.target.value.trim())}>
      ${err(key) ? html`<p class="error" id=${id + '-error'}>${err(key)}</p>` : nothing}
    </div>`
    const base = `schedules/${this.selected}/overrides`
    const overrides = this.schedule.overrides
    return html`<section class="card" aria-labelledby="overrides-title">
      <h2 id="overrides-title" tabindex="-1">${t('overrides')}${this.scheduleSuffix()}</h2>
      <form @submit=${(e) => this.submitOverride(e)}>
        <label for="ov-kind">${t('overrideKind')}</label>
        <select id="ov-kind" @change=${(e) => this.setForm({ kind: e.target.value })}>
          ${['block-range', 'block-day', 'block-hours', 'add', 'replace'].map((k) => html`<option value=${k} ?selected=${f.kind === k}>${t('kind-' + k)}</option>`)}
        </select>
        <div class="window">
          ${input('ov-from', 'from', f.kind === 'block-range' ? t('firstDay') : t('day'), f.from, 'date', (v) => this.setForm({ from: v }))}
          ${f.kind === 'block-range' ? input('ov-to', 'to', t('lastDay'), f.to, 'date', (v) => this.setForm({ to: v })) : nothing}
          ${['block-hours', 'add'].includes(f.kind) ? html`
            ${input('ov-start', 'start', t('from'), f.start, 'text', (v) => this.setForm({ start: v }))}
            ${input('ov-end', 'end', t('to'), f.end, 'text', (v) => this.setForm({ end: v }))}` : nothing}
        </div>
        ${f.kind === 'replace' ? html`<fieldset><legend>${t('windows')}</legend>
          ${f.windows.length ? nothing : html`<p class="hint">${t('noHours')}</p>`}
          ${f.windows.map((w, i) => {
            const set = (field) => (v) => this.setForm({ windows: f.windows.map((x, k) => (k === i ? { ...x, [field]: v } : x)) })
            return html`<div class="window">
              ${input(`ov-windows-${i}-start`, `windows/${i}/start`, t('from'), w.start, 'text', set('start'))}
              ${input(`ov-windows-${i}-end`, `windows/${i}/end`, t('to'), w.end, 'text', set('end'))}
              <button type="button" class="secondary" aria-label=${t('removeWindow', { start: w.start, end: w.end, day: f.from || t('day') })}
                @click=${() => this.setForm({ windows: f.windows.filter((_, k) => k !== i) })}>${t('remove')}</button>
            </div>`
          })}
          <button type="button" class="secondary" @click=${() => this.setForm({ windows: [...f.windows, { start: '', end: '' }] })}>${t('addWindow')}</button>
        </fieldset>` : nothing}
        <div class="row spaced"><button type="submit" id="ov-add">${t('addOverride')}</button></div>
      </form>
      ${overrides.length ? html`<ul class="plain" id="override-list">${overrides.map((o, i) => {
        const date = m.isDate(o.date) ? formatLocalDate(this.locale, o.date) : o.date
        const problems = Object.entries(this.errors).filter(([p]) => p.startsWith(`${base}/${i}/`)).map(([, code]) => t(code))
        const server = problemAt(this.serverError, `${base}/${i}`)
        return html`<li data-date=${o.date}>
          <span class="grow"><span class="date">${date}</span>${this.describeOverride(o)}</span>
          <button class="secondary" id=${'ov-remove-' + i} aria-label=${t('removeOverride', { date })} @click=${() => this.removeOverride(i)}>${t('remove')}</button>
          ${[...problems, ...(server ? [server] : [])].map((p) => html`<p class="error errors">${p}</p>`)}
        </li>`
      })}</ul>` : html`<p class="hint">${t('noOverrides')}</p>`}
    </section>`
  }

  previewView () {
    const t = this.t
    const services = this.edits.services
    const p = this.preview
    const list = (days, zone, id) => html`<div>
      <h3 id=${id}>${id === 'pv-own' ? t('inProviderZone', { zone }) : t('inVisitorZone', { zone })}</h3>
      ${days.length ? html`<ul class="plain days" aria-labelledby=${id}>${days.map((d) => html`<li data-date=${d.date}>
        <span class="date">${formatLocalDate(this.locale, d.date, 'short')}</span>
        <span class="times" data-starts=${d.slots.map((s) => s.start).join(' ')}>${d.slots.map((s) => formatWallTime(this.locale, s.local_start)).join(', ')}</span>
      </li>`)}</ul>` : html`<p class="hint">${t('noSlots')}</p>`}
    </div>`
    return html`<section class="card" aria-labelledby="preview-title" id="preview">
      <h2 id="preview-title">${t('preview')}</h2>
      <p class="hint">${t('previewHint')}</p>
      ${services.length ? html`
        <div class="window">
          <div class="field"><label for="pv-service">${t('service')}</label>
          <select id="pv-service" aria-describedby="pv-schedule" @change=${(e) => { this.service = e.target.value }}>
            ${services.map((s) => html`<option .value=${s.id} ?selected=${s.id === this.service}>${s.name || s.id}</option>`)}
          </select>
          <span class="hint" id="pv-schedule">${t('usesSchedule', { name: services.find((s) => s.id === this.service)?.schedule ?? 'default' })}</span></div>
          <div class="field grow">${this.pickerReady
            ? html`<slotwise-zone-picker id="pv-zone" value=${this.visitorZone} locale=${this.locale} label=${t('visitorZone')}
                .supportedZones=${this.zoneNames} @change=${(e) => { this.visitorZone = e.detail.zone }}></slotwise-zone-picker>`
            : html`<label for="pv-zone">${t('visitorZone')}</label><input id="pv-zone" .value=${this.visitorZone}
                @change=${(e) => { if (this.zoneNames?.includes(e.target.value.trim())) this.visitorZone = e.target.value.trim() }}>`}</div>
        </div>
        ${this.engineState === 'missing' ? html`<p class="error">${t('engineMissing')}</p>`
          : !p ? html`<p class="hint">${t('loading')}</p>`
          : p.error ? html`<p class="error">${t('fixErrors', { count: Object.keys(this.errors).length })}</p>`
          : html`<div class="cols">
              ${list(p.own, this.provider.time_zone, 'pv-own')}${list(p.visitor, this.visitorZone, 'pv-visitor')}</div>`}`
        : html`<p class="hint">${t('noServices')}</p>`}
    </section>`
  }

  orphansDialog () {
    const t = this.t
    const zone = this.provider.time_zone
    return html`<dialog id="orphans-dialog" aria-labelledby="orphans-title" @cancel=${() => this.focusId('save')}>
      <h2 id="orphans-title">${t('orphansTitle')}</h2>
      <p>${t('orphansIntro')}</p>
      <ul id="orphans">${this.orphans.map((b) => html`<li data-booking=${b.id}>
        ${new Intl.DateTimeFormat(this.locale, { dateStyle: 'full', timeStyle: 'short', timeZone: zone }).format(new Date(b.start))}
        — ${b.client?.name || ''} (${this.edits.services.find((s) => s.id === b.service)?.name || b.service}, ${b.status})
      </li>`)}</ul>
      <div class="row">
        <button class="secondary" id="orphans-back" autofocus @click=${() => this.closeOrphans(false)}>${t('goBack')}</button>
        <button class="danger" id="orphans-save" @click=${() => this.closeOrphans(true)}>${t('saveAnyway')}</button>
      </div>
    </dialog>`
  }
}
customElements.define('sw-screen-availability', AvailabilityScreen)
